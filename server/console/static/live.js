// Live updates for every console page: the open-alert count in the header, and on the
// fleet page its rows, summary and map (server-sent events from /events).
(function () {
  "use strict";
  var lang = document.documentElement.lang || "ja";
  var relative = window.Intl && Intl.RelativeTimeFormat
    ? new Intl.RelativeTimeFormat(lang, { numeric: "always", style: "short" }) : null;

  function age(ms) {
    var s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    if (!relative) { return s + " s"; }
    if (s < 90) { return relative.format(-s, "second"); }
    if (s < 5400) { return relative.format(-Math.round(s / 60), "minute"); }
    if (s < 172800) { return relative.format(-Math.round(s / 3600), "hour"); }
    return relative.format(-Math.round(s / 86400), "day");
  }

  function refreshAges(root) {
    var nodes = (root || document).querySelectorAll("[data-age-ms]");
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      if (!el.title) { el.title = el.textContent; }
      el.textContent = age(Number(el.getAttribute("data-age-ms")));
    }
  }

  function setCount(n) {
    var el = document.getElementById("alert-count");
    if (!el) { return; }
    el.textContent = n;
    el.setAttribute("data-count", n);
  }

  var table = document.getElementById("fleet-rows");
  var url = "/events";
  if (table) { url += "?fleet=true&" + window.location.search.replace(/^\?/, ""); }
  refreshAges();
  window.setInterval(refreshAges, 5000);
  if (!window.EventSource) { return; }
  var source = new EventSource(url);
  source.addEventListener("alerts", function (e) { setCount(e.data); });
  source.addEventListener("fleet", function (e) {
    var data = JSON.parse(e.data);
    if (table) {
      table.innerHTML = data.rows;
      refreshAges(table);
    }
    var summary = document.getElementById("fleet-summary");
    if (summary) { summary.innerHTML = data.summary; }

    if (!document.body.hasAttribute("data-live") && window.performance && performance.mark) {
      performance.mark("kyusui-live");  // the first live table (bench/console.py reads it)
    }
    document.body.setAttribute("data-live", "1");
  });
  source.addEventListener("markers", function (e) {
    document.dispatchEvent(new CustomEvent("kyusui:markers", { detail: JSON.parse(e.data) }));
  });
  source.addEventListener("open", function () { document.body.setAttribute("data-sse", "open"); });
})();
