// The fleet table's rows in the browser: each station's flags, the filters and the orders of
// the fleet page, from the compact view's rows. Pure functions; fleet-table.js draws.
(function () {
  "use strict";

  // A compact row (one array in the view's "fields" order) as an object.
  function station(fields, values) {
    var s = {};
    for (var i = 0; i < fields.length; i++) { s[fields[i]] = values[i]; }
    return s;
  }

  // As server/console/fleet_view.py flags_of: held back, fault, stale, unsynced, extrapolated.
  function flagsOf(s, now, staleAfterMs) {
    var flags = s.held_back ? ["held_back"] : [];
    if (s.reading_ms === null || s.reading_ms === undefined) { return flags; }
    if (s.quality === "fault") { flags.push("fault"); }
    if (now - s.reading_ms > staleAfterMs) { flags.push("stale"); }
    if (s.time_source === "unsynced") { flags.push("unsynced"); }
    if (s.quality === "extrapolated") { flags.push("extrapolated"); }
    return flags;
  }

  // One row of the table: the station, its flags and its level's rank (-1: no level).
  function view(s, now, staleAfterMs, ranks) {
    var rank = s.level && ranks[s.level] !== undefined ? ranks[s.level] : -1;
    return { s: s, flags: flagsOf(s, now, staleAfterMs), rank: rank };
  }

  function compare(a, b) {  // element by element, as Python compares tuples
    for (var i = 0; i < a.length; i++) {
      if (a[i] < b[i]) { return -1; }
      if (a[i] > b[i]) { return 1; }
    }
    return 0;
  }

  // Most dangerous first; among equals, a station that is offline or flagged first.
  function worstKey(v) {
    var wbgt = v.s.reading_ms !== null && v.s.wbgt ? v.s.wbgt : -99;
    var trouble = !v.s.online || v.flags.length ? 0 : 1;
    return [-v.rank, trouble, -wbgt, v.s.id];
  }

  var KEYS = {
    worst: worstKey,
    name: function (v) { return [v.s.name, v.s.id]; },
    area: function (v) { return [v.s.area || "\uffff"].concat(worstKey(v)); },
    wbgt: function (v) { return worstKey(v).slice(2); },
    age: function (v) { return [v.s.reading_ms || 0, v.s.id]; }
  };

  function matches(v, query) {
    if (query.area && (v.s.area || "") !== query.area) { return false; }
    if (query.level && (v.s.level || "none") !== query.level) { return false; }
    if (query.state === "online" && !v.s.online) { return false; }
    if (query.state === "offline" && v.s.online) { return false; }
    return !(query.state === "flagged" && !v.flags.length);
  }

  // The rows the query chooses, in its order (unknown orders: worst first).
  function select(views, query) {
    var key = KEYS[query.sort] || worstKey;
    var keyed = views.filter(function (v) { return matches(v, query); })
      .map(function (v) { return [key(v), v]; });
    keyed.sort(function (a, b) { return compare(a[0], b[0]); });
    return keyed.map(function (k) { return k[1]; });
  }

  function counts(views) {
    var found = { none: 0 };
    views.forEach(function (v) {
      var level = v.s.level || "none";
      found[level] = (found[level] || 0) + 1;
    });
    return found;
  }

  window.KyusuiFleetRows = { station: station, flagsOf: flagsOf, view: view, select: select,
    counts: counts };
})();
