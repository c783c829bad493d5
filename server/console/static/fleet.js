// The fleet map: stations drawn as level-coloured markers on a plain background, with the
// ward's base map only when console_tile_url is set. Markers follow the live updates.
(function () {
  "use strict";
  var el = document.getElementById("fleet-map");
  if (!el || !window.L) { return; }
  var colours = {
    danger: "#FF2800", severe_warning: "#FF9600", warning: "#FAF500",
    caution: "#A0D2FF", safe: "#218CFF"
  };
  var map = L.map(el, { attributionControl: true, zoomSnap: 0.25 });
  var tiles = el.getAttribute("data-tile-url");
  if (tiles) {
    L.tileLayer(tiles, { attribution: el.getAttribute("data-tile-attribution") || "" }).addTo(map);
  } else {
    el.classList.add("plain");
  }
  var layer = L.layerGroup().addTo(map);
  var fitted = false;
  var lastBounds = [];

  function draw(markers) {
    layer.clearLayers();
    var bounds = [];
    markers.forEach(function (m) {
      var colour = m.level ? colours[m.level] : "#9aa3ad";
      var marker = L.circleMarker([m.lat, m.lon], {
        radius: 9, weight: m.online ? 2 : 3, color: m.online ? "#1b2733" : "#6b7280",
        dashArray: m.online ? null : "3 3", fillColor: colour, fillOpacity: m.online ? 0.95 : 0.4
      });
      var label = document.createElement("a");
      label.href = "/stations/" + encodeURIComponent(m.id);
      label.textContent = m.name + (m.wbgt === null ? "" : " · WBGT " + m.wbgt.toFixed(1));
      marker.bindTooltip(m.name).bindPopup(label);
      marker.addTo(layer);
      bounds.push([m.lat, m.lon]);
    });
    lastBounds = bounds;
    if (!fitted && bounds.length) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
      fitted = true;
    }
    if (!bounds.length && !fitted) { map.setView([35.44, 139.64], 11); }
  }

  var initial = document.getElementById("fleet-markers");
  draw(initial ? JSON.parse(initial.textContent) : []);
  document.addEventListener("kyusui:fleet", function (e) { draw(e.detail.markers); });
  var resized = null;
  window.addEventListener("resize", function () {  // a phone turned, a window narrowed
    window.clearTimeout(resized);
    resized = window.setTimeout(function () {
      map.invalidateSize();
      if (lastBounds.length) { map.fitBounds(lastBounds, { padding: [24, 24], maxZoom: 15 }); }
    }, 100);
  });
})();
