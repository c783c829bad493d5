// Live updates for every console page: the open-alert count in the header, and on the
// fleet page the stations that changed (server-sent events from /events). The fleet page
// loads the compact fleet view first (fleet-table.js) and gives its cursor here; the
// stream then sends only what changed since, and EventSource comes back with the last
// cursor it had (Last-Event-ID).
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

  function follow(url) {
    if (!window.EventSource) { return; }
    var source = new EventSource(url);
    source.addEventListener("alerts", function (e) { setCount(e.data); });
    source.addEventListener("fleet", function (e) {
      document.dispatchEvent(new CustomEvent("kyusui:fleet-changes", { detail: JSON.parse(e.data) }));
    });
    source.addEventListener("open", function () { document.body.setAttribute("data-sse", "open"); });
  }

  refreshAges();
  window.setInterval(refreshAges, 5000);
  document.addEventListener("kyusui:drawn", function (e) { refreshAges(e.detail); });
  if (document.getElementById("fleet-rows")) {
    document.addEventListener("kyusui:fleet-cursor", function (e) {
      follow("/events?fleet=true&since=" + encodeURIComponent(e.detail));
    }, { once: true });
  } else {
    follow("/events");
  }
})();
