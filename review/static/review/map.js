// The household's GPS point on a Leaflet map, with the other households of its village.
// The data comes from the page (a JSON block, not a script); tiles only when configured.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("map");
    var source = document.getElementById("map-data");
    if (!element || !source || typeof L === "undefined") return;
    var data = JSON.parse(source.textContent);
    var here = [data.household.lat, data.household.lon];
    var map = L.map(element, { scrollWheelZoom: false }).setView(here, 16);
    if (data.tiles) {
      L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution }).addTo(map);
    }
    var bounds = L.latLngBounds([here]);
    (data.neighbours || []).forEach(function (point) {
      var at = [point.lat, point.lon];
      bounds.extend(at);
      L.circleMarker(at, { radius: 5, color: "#0b5e8e", weight: 1, fillOpacity: 0.6 }).addTo(map);
    });
    if (data.household.accuracy) {
      L.circle(here, { radius: data.household.accuracy, color: "#b3261e", weight: 1, fillOpacity: 0.1 }).addTo(map);
    }
    L.circleMarker(here, { radius: 8, color: "#b3261e", weight: 2, fillOpacity: 0.9 }).addTo(map);
    if (bounds.isValid() && (data.neighbours || []).length) {
      map.fitBounds(bounds.pad(0.2), { maxZoom: 17 });
    }
    L.control.scale({ imperial: false }).addTo(map);
  });
})();
