// The fleet map: stations drawn as level-coloured markers on a plain background, with the
// ward's base map only when console_tile_url is set. Markers follow the table's rows.
(function () {
  "use strict";
  var el = document.getElementById("fleet-map");
  if (!el || !window.L) { return; }
  var colours = {
    danger: "#FF2800", severe_warning: "#FF9600", warning: "#FAF500",
    caution: "#A0D2FF", safe: "#218CFF"
  };
  var map = L.map(el, { attributionControl: true, zoomSnap: 0.25, preferCanvas: true });
  var tiles = el.getAttribute("data-tile-url");
  if (tiles) {
    L.tileLayer(tiles, { attribution: el.getAttribute("data-tile-attribution") || "" }).addTo(map);
  } else {
    el.classList.add("plain");
  }
  var layer = L.layerGroup().addTo(map);
  var drawn = {};  // station id → [marker, "level|online"]
  var fitted = false;
  var lastBounds = [];

  function style(m) {
    return {
      radius: 9, weight: m.online ? 2 : 3, color: m.online ? "#1b2733" : "#6b7280",
      dashArray: m.online ? null : "3 3", fillColor: m.level ? colours[m.level] : "#9aa3ad",
      fillOpacity: m.online ? 0.95 : 0.4
    };
  }

  function draw(markers) {  // only what changed is touched: 1,000 stations stay smooth
    var seen = {};
    var bounds = [];
    markers.forEach(function (m) {
      var key = m.level + "|" + m.online;
      var known = drawn[m.id];
      seen[m.id] = true;
      bounds.push([m.lat, m.lon]);
      if (known) {
        if (known[1] !== key) { known[0].setStyle(style(m)); known[1] = key; }
        known[0].setLatLng([m.lat, m.lon]);
        return;
      }
      var marker = L.circleMarker([m.lat, m.lon], style(m));
      var link = document.createElement("a");
      link.href = "/stations/" + encodeURIComponent(m.id);
      link.textContent = m.name;
      marker.bindTooltip(m.name).bindPopup(link);
      marker.addTo(layer);
      drawn[m.id] = [marker, key];
    });
    Object.keys(drawn).forEach(function (id) {
      if (!seen[id]) { layer.removeLayer(drawn[id][0]); delete drawn[id]; }
    });
    lastBounds = bounds;
    // What the map shows, for tests and assistive tools: "id:level:online" per station.
    el.setAttribute("data-stations", Object.keys(drawn).sort().map(function (id) {
      return id + ":" + drawn[id][1].replace("|", ":");
    }).join(" "));
    if (!fitted && bounds.length) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
      fitted = true;
    }
    if (!bounds.length && !fitted) { map.setView([35.44, 139.64], 11); }
  }

  draw([]);  // fleet-table.js sends the markers once it has the fleet
  document.addEventListener("kyusui:markers", function (e) { draw(e.detail); });
  var resized = null;
  window.addEventListener("resize", function () {  // a phone turned, a window narrowed
    window.clearTimeout(resized);
    resized = window.setTimeout(function () {
      map.invalidateSize();
      if (lastBounds.length) { map.fitBounds(lastBounds, { padding: [24, 24], maxZoom: 15 }); }
    }, 100);
  });
})();
