// The station page's charts: WBGT over the Ministry's level bands, and temperature with RH,
// from /api/v1/stations/{id}/history (uPlot, times in JST).
(function () {
  "use strict";
  var root = document.getElementById("charts");
  if (!root || !window.uPlot) { return; }
  var station = root.getAttribute("data-station");
  var bands = JSON.parse(root.getAttribute("data-bands"));
  var status = document.getElementById("chart-status");
  var text = function (name) { return root.getAttribute("data-text-" + name) || ""; };
  var label = function (name) { return root.getAttribute("data-label-" + name) || name; };
  var DAY = 86400000;
  var RANGES = { "24h": [DAY, "10m"], "7d": [7 * DAY, "1h"], "30d": [30 * DAY, "1h"] };
  var plots = [];
  var tz = function (ts) { return uPlot.tzDate(new Date(ts * 1000), "Asia/Tokyo"); };

  function jstDate(ms) {  // yyyy-mm-dd of an instant, in JST
    return new Date(ms + 9 * 3600000).toISOString().slice(0, 10);
  }

  function drawBands(u) {  // the level bands behind the WBGT line
    var ctx = u.ctx;
    var top = u.bbox.top, height = u.bbox.height, left = u.bbox.left, width = u.bbox.width;
    ctx.save();
    ctx.globalAlpha = 0.22;
    bands.forEach(function (b) {
      var lo = b.from === null ? u.scales.y.min : b.from;
      var hi = b.to === null ? u.scales.y.max : b.to;
      if (hi <= u.scales.y.min || lo >= u.scales.y.max) { return; }
      var y1 = u.valToPos(Math.min(hi, u.scales.y.max), "y", true);
      var y0 = u.valToPos(Math.max(lo, u.scales.y.min), "y", true);
      ctx.fillStyle = b.colour;
      ctx.fillRect(left, Math.max(top, y1), width, Math.min(top + height, y0) - Math.max(top, y1));
    });
    ctx.restore();
  }

  function size(el) {
    return { width: Math.max(280, el.clientWidth), height: el.clientWidth < 500 ? 200 : 260 };
  }

  function series(rows, key, stat) {
    return rows.map(function (r) { return r[key] ? r[key][stat] : null; });
  }

  function draw(rows) {
    plots.forEach(function (p) { p.destroy(); });
    plots = [];
    var xs = rows.map(function (r) { return Date.parse(r.time) / 1000; });
    var wbgtEl = document.getElementById("chart-wbgt");
    var tempEl = document.getElementById("chart-temp");
    var wbgt = new uPlot(Object.assign(size(wbgtEl), {
      tzDate: tz,
      scales: { y: { range: function (u, min, max) {
        return [Math.min(15, Math.floor(min || 15)), Math.max(35, Math.ceil(max || 35))];
      } } },
      series: [{}, { label: label("wbgt"), stroke: "#1b2733", width: 2 },
               { label: label("max"), stroke: "#7a1f00", width: 1, dash: [4, 4] }],
      axes: [{}, { label: "WBGT ℃" }],
      hooks: { drawClear: [drawBands] }
    }), [xs, series(rows, "wbgt", "mean"), series(rows, "wbgt", "max")], wbgtEl);
    var temp = new uPlot(Object.assign(size(tempEl), {
      tzDate: tz,
      scales: { rh: { range: [0, 100] } },
      series: [{}, { label: label("temp"), stroke: "#c0392b", width: 2, scale: "y" },
               { label: label("rh"), stroke: "#1f6fb2", width: 2, scale: "rh" }],
      axes: [{}, { label: "℃", scale: "y" }, { label: "%", side: 1, scale: "rh", grid: { show: false } }]
    }), [xs, series(rows, "temp_c", "mean"), series(rows, "rh", "mean")], tempEl);
    plots = [wbgt, temp];
    var values = series(rows, "wbgt", "max").filter(function (v) { return v !== null; });
    if (values.length) {
      status.textContent = text("summary")
        .replace("{max}", Math.max.apply(null, values).toFixed(1))
        .replace("{n}", String(rows.length));
    } else {
      status.textContent = text("empty");
    }
    root.setAttribute("data-drawn", String(rows.length));
  }

  function load(startMs, endMs, every) {
    status.textContent = text("loading");
    root.removeAttribute("data-drawn");
    var q = "?every=" + every + "&start=" + encodeURIComponent(new Date(startMs).toISOString()) +
      "&end=" + encodeURIComponent(new Date(endMs).toISOString());
    fetch("/api/v1/stations/" + encodeURIComponent(station) + "/history" + q,
          { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(draw)
      .catch(function () { status.textContent = text("failed"); });
  }

  function pick(name) {
    var buttons = document.querySelectorAll("[data-range]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", String(buttons[i].getAttribute("data-range") === name));
    }
  }

  document.querySelectorAll("[data-range]").forEach(function (b) {
    b.addEventListener("click", function () {
      var r = RANGES[b.getAttribute("data-range")];
      pick(b.getAttribute("data-range"));
      var end = Date.now();
      load(end - r[0], end, r[1]);
    });
  });
  var custom = document.getElementById("custom-range");
  custom.addEventListener("submit", function (e) {
    e.preventDefault();
    var start = Date.parse(custom.start.value + "T00:00:00+09:00");
    var end = Date.parse(custom.end.value + "T00:00:00+09:00") + DAY;
    if (!(end > start)) { return; }
    pick("");
    load(start, end, "auto");
  });
  var now = Date.now();
  custom.start.value = jstDate(now - 7 * DAY);
  custom.end.value = jstDate(now);
  var exportForm = document.getElementById("export");
  if (exportForm) {
    exportForm.start.value = jstDate(now - DAY);
    exportForm.end.value = jstDate(now + DAY);
  }
  load(now - DAY, now, "10m");
  var resized = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resized);
    resized = window.setTimeout(function () {
      plots.forEach(function (p) { p.setSize(size(p.root.parentNode)); });
    }, 150);
  });
})();
