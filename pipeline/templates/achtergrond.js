/* The offline base layer of every map page: gemeente- and provinciegrenzen (CBS, simplified) with their names.
   svpAchtergrond(map, basis) returns a layer group; basis = {grenzen: lines with soort gemeente|provincie,
   namen: points with soort and naam} (pipeline/export/context.py). Borders and names get panes of their own
   between the optional OpenStreetMap tiles (200) and the data (400), so they never cover the data and keep their
   place when layers are switched. Gemeente names show from zoom 10, provincie names below zoom 11. */
window.svpAchtergrond = (function () {
  "use strict";
  var esc = window.svpOpmaak.esc;
  var STIJL = {gemeente: {color: "#7a7a7a", weight: 1.2, opacity: 0.9},
               provincie: {color: "#3f3f3f", weight: 2.6, opacity: 0.9, dashArray: "8 5"}};

  function pane(map, name, z) {
    if (!map.getPane(name)) {
      var p = map.createPane(name);
      p.style.zIndex = z;
      p.style.pointerEvents = "none";
    }
    return name;
  }

  function zoomClass(map) {
    var el = map.getContainer(), z = map.getZoom();
    el.classList.toggle("svp-gemeentenamen", z >= 10);
    el.classList.toggle("svp-provincienamen", z < 11);
  }

  return function (map, basis) {
    var group = L.layerGroup();
    if (!basis) return group;
    var lines = pane(map, "svpGrenzen", 350), labels = pane(map, "svpNamen", 390);
    L.geoJSON(basis.grenzen, {pane: lines, interactive: false,
      style: function (f) { return STIJL[f.properties.soort] || STIJL.gemeente; }}).addTo(group);
    L.geoJSON(basis.namen, {pane: labels, interactive: false, pointToLayer: function (f, latlng) {
      var p = f.properties;
      return L.marker(latlng, {pane: labels, interactive: false, keyboard: false, icon: L.divIcon({
        className: "svp-naam svp-naam-" + esc(p.soort), html: "<span>" + esc(p.naam) + "</span>", iconSize: null})});
    }}).addTo(group);
    if (map.attributionControl) map.attributionControl.addAttribution("Grenzen: CBS gebiedsindelingen (CC BY 4.0)");
    map.on("zoomend", function () { zoomClass(map); });
    map.whenReady(function () { zoomClass(map); });
    return group;
  };
})();
