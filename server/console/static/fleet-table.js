// The fleet page's table, summary and map markers, drawn in the browser: the compact fleet
// view once, then only the stations that changed (live.js follows /events and hands them
// over). A row is rebuilt only when its station or its flags changed.
(function () {
  "use strict";
  var body = document.getElementById("fleet-rows");
  var configElement = document.getElementById("fleet-config");
  var R = window.KyusuiFleetRows;
  if (!body || !configElement || !R) { return; }
  var cfg = JSON.parse(configElement.textContent);
  var text = cfg.text;
  var fields = null;
  var stations = new Map();  // id → station (the compact row as an object)
  var drawn = new Map();  // id → {key, tr}
  var badges = {};
  var pending = null;
  var rendered = false;

  var templates = document.getElementById("fleet-badges");
  if (templates) {
    templates.content.querySelectorAll("[data-level]").forEach(function (el) {
      badges[el.getAttribute("data-level")] = el.firstElementChild;
    });
  }

  function pad(n, width) { return String(n).padStart(width || 2, "0"); }

  // JST, a fixed offset (contract/jst.py): the table's "MM-DD HH:MM:SS" and an ISO time.
  function jst(ms) {
    var d = new Date(ms + cfg.jst_offset_ms);
    var offset = cfg.jst_offset_ms / 60000;
    var zone = (offset < 0 ? "-" : "+") + pad(Math.floor(Math.abs(offset) / 60)) + ":" +
      pad(Math.abs(offset) % 60);
    var time = pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds());
    var date = pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate());
    return {
      text: date + " " + time,
      iso: d.getUTCFullYear() + "-" + date + "T" + time + "." + pad(d.getUTCMilliseconds(), 3) + zone
    };
  }

  function element(tag, className, content) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (content !== undefined) { el.textContent = content; }
    return el;
  }

  function number(value, digits) {
    return value === null || value === undefined ? "—" : value.toFixed(digits);
  }

  function badge(level) {
    var found = badges[level || "none"] || badges.none;
    return found ? found.cloneNode(true) : element("span", "level", "—");
  }

  function build(v) {  // as one row of the table (fleet.html's header says the columns)
    var s = v.s;
    var tr = element("tr", s.online ? "" : "offline");
    tr.setAttribute("data-station", s.id);
    var th = element("th");
    th.scope = "row";
    var link = element("a", "", cfg.lang === "ja" || !s.name_en ? s.name : s.name_en);
    link.href = "/stations/" + encodeURIComponent(s.id);
    th.append(link, element("span", "sub", s.id + (s.area ? " · " + s.area : "")));
    var level = element("td");
    level.append(badge(s.level));
    var age = element("td");
    if (s.reading_ms) {
      var when = jst(s.reading_ms);
      var time = element("time", "", when.text);
      time.setAttribute("datetime", when.iso);
      time.setAttribute("data-age-ms", String(s.reading_ms));
      age.append(time);
    } else {
      age.textContent = "—";
    }
    var state = element("td");
    var word = element("span", "state " + (s.online ? "on" : "off"));
    var dot = element("span", "dot " + (s.online ? "online" : "offline"));
    dot.setAttribute("aria-hidden", "true");
    word.append(dot, text[s.online ? "state.online" : "state.offline"]);
    state.append(word);
    var flags = element("td");
    v.flags.forEach(function (f) { flags.append(element("span", "flag flag-" + f, text["flag." + f])); });
    if (!v.flags.length) {
      if (s.reading_ms) { flags.append(element("span", "muted", text["flag.none"])); }
      else { flags.textContent = "—"; }
    }
    var outbox = s.outbox_depth === null || s.outbox_depth === undefined ? "—" : String(s.outbox_depth);
    tr.append(
      th, level, element("td", "n", number(s.wbgt, 1)), element("td", "n", number(s.temp_c, 1)),
      element("td", "n", number(s.rh, 0)), age, state, flags, element("td", "n", outbox)
    );
    return tr;
  }

  function emptyRow() {
    var tr = element("tr");
    var td = element("td", "empty", text["fleet.empty"]);
    td.colSpan = 9;
    tr.append(td);
    return tr;
  }

  function summary(views, matching, shown) {
    var counts = R.counts(views);
    document.querySelectorAll("#fleet-summary [data-count]").forEach(function (el) {
      el.textContent = String(counts[el.getAttribute("data-count")] || 0);
    });
    var total = document.getElementById("fleet-total");
    if (total) { total.textContent = text["fleet.total"].replace("{n}", views.length); }
    var first = document.getElementById("fleet-first-rows");
    if (first) {
      first.hidden = matching <= shown;
      first.firstElementChild.textContent = text["fleet.first_rows"]
        .replace("{shown}", shown).replace("{n}", matching);
    }
  }

  function markers(chosen) {  // what fleet.js draws: only stations with coordinates
    var list = [];
    chosen.forEach(function (v) {
      var s = v.s;
      if (s.latitude === null || s.longitude === null) { return; }
      list.push({ id: s.id, name: s.name, lat: s.latitude, lon: s.longitude,
        level: s.level, online: s.online });
    });
    document.dispatchEvent(new CustomEvent("kyusui:markers", { detail: list }));
  }

  function render() {
    pending = null;
    var now = Date.now();
    var views = [];
    stations.forEach(function (s) { views.push(R.view(s, now, cfg.stale_after_ms, cfg.ranks)); });
    var chosen = R.select(views, cfg.query);
    var shown = cfg.query.all ? chosen : chosen.slice(0, cfg.table_rows);
    var keep = new Map();
    var rows = shown.map(function (v) {
      var key = JSON.stringify(v.s) + v.flags.join(",");
      var known = drawn.get(v.s.id);
      var tr = known && known.key === key ? known.tr : build(v);
      keep.set(v.s.id, { key: key, tr: tr });
      return tr;
    });
    drawn = keep;
    if (!rows.length) { rows.push(emptyRow()); }
    var same = body.children.length === rows.length && rows.every(function (tr, i) {
      return body.children[i] === tr;
    });
    if (!same) { body.replaceChildren.apply(body, rows); }
    summary(views, chosen.length, shown.length);
    markers(chosen);
    document.dispatchEvent(new CustomEvent("kyusui:drawn", { detail: body }));
    if (!rendered) {
      rendered = true;
      if (window.performance && performance.mark) { performance.mark("kyusui-live"); }
      document.body.setAttribute("data-live", "1");  // bench/console.py waits for it
    }
  }

  function schedule() { if (pending === null) { pending = window.setTimeout(render, 0); } }

  function apply(values) {
    var s = R.station(fields, values);
    if (s.state === "retired") { stations.delete(s.id); } else { stations.set(s.id, s); }
  }

  function load() {
    fetch(cfg.fleet_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) {
        if (!answer.ok) { throw new Error(String(answer.status)); }
        return answer.json();
      })
      .then(function (fleet) {
        fields = fleet.fields;
        fleet.rows.forEach(apply);
        render();
        document.dispatchEvent(new CustomEvent("kyusui:fleet-cursor", { detail: fleet.cursor }));
      })
      .catch(function () { window.setTimeout(load, 5000); });
  }

  document.addEventListener("kyusui:fleet-changes", function (e) {
    if (!fields) { return; }
    e.detail.rows.forEach(apply);
    schedule();
  });
  window.setInterval(schedule, 5000);  // a reading turns stale with time alone
  load();
})();
