// Station commands from its page: identify, restart the kiosk, screenshot shown inline.
(function () {
  "use strict";
  var box = document.getElementById("commands");
  if (!box) { return; }
  var out = document.getElementById("command-result");
  var figure = document.getElementById("command-shot");
  var text = function (name) { return box.getAttribute("data-text-" + name) || ""; };
  var buttons = box.querySelectorAll("[data-command]");

  function busy(on) {
    for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = on; }
  }

  function send(name, label) {
    busy(true);
    out.textContent = text("sending").replace("{name}", label);
    fetch("/api/v1/stations/" + encodeURIComponent(box.getAttribute("data-station")) + "/commands", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": box.getAttribute("data-csrf") },
      body: JSON.stringify({ name: name })
    }).then(function (r) {
      return r.json().then(function (body) { return { status: r.status, body: body }; });
    }).then(function (answer) {
      if (answer.status === 504) { out.textContent = text("no-answer"); return; }
      if (answer.status !== 200) {
        out.textContent = text("failed") + " " + ((answer.body.error || {}).message || answer.status);
        return;
      }
      var result = answer.body;
      out.textContent = (result.ok ? text("done") : text("failed")) + " " + label + ": " + result.detail;
      out.setAttribute("data-ok", String(result.ok));
      if (result.png_base64) {
        var img = figure.querySelector("img");
        img.src = "data:image/png;base64," + result.png_base64;
        img.alt = text("shot");
        figure.querySelector("figcaption").textContent = text("shot");
        figure.hidden = false;
      }
    }).catch(function () { out.textContent = text("failed"); })
      .then(function () { busy(false); });
  }

  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function (e) {
      var b = e.currentTarget;
      send(b.getAttribute("data-command"), b.textContent);
    });
  }
})();
