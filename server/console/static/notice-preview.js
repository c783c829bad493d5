// The notice editor's preview follows the typing: the form is sent to /notices/-/preview
// (with the session's CSRF token) a moment after the last keystroke, and the cards the
// server draws replace the old ones. Without script the プレビュー button does the same.
(function () {
  "use strict";
  var form = document.querySelector("form.editor[data-preview-url]");
  var target = document.getElementById("live-preview");
  if (!form || !target || !window.fetch || !window.FormData) { return; }
  var token = form.querySelector("input[name='csrf_token']");
  var timer = null;
  var sent = 0;

  function refresh() {
    var ticket = ++sent;
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST",
      body: new FormData(form),
      headers: { "X-CSRF-Token": token ? token.value : "" },
      credentials: "same-origin"
    }).then(function (answer) {
      return answer.ok ? answer.text() : null;
    }).then(function (html) {
      if (html !== null && ticket === sent) {
        target.innerHTML = html;  // drawn and escaped by the server's templates
        target.setAttribute("data-live", "1");
      }
    }).catch(function () { /* the button still works */ });
  }

  form.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(refresh, 400);
  });
})();
