/* Detail page of one terrein: kavels coloured by GSI, kades by status (no external resources).
   Column labels, units and decimals come from SVP_DETAIL.kolommen (the catalogue). */
(function () {
  "use strict";
  var d = SVP_DETAIL;
  var o = window.svpOpmaak, esc = o.esc, fmt = o.fmt;
  function popup(title, p, kolommen) {
    var rows = Object.keys(p).map(function (k) {
      return "<tr><th>" + o.label(k, kolommen[k]) + "</th><td>" + o.fmtUnit(p[k], kolommen[k]) + "</td></tr>";
    }).join("");
    return "<b>" + esc(title) + "</b><table class='svp-tabel'>" + rows + "</table>";
  }
  function gsiColor(v) {
    if (v === null || v === undefined) return "#ffffff";
    for (var i = 0; i < d.gsiKlassen.length; i++) if (v <= d.gsiKlassen[i][1]) return d.gsiKlassen[i][2];
    return d.gsiKlassen[d.gsiKlassen.length - 1][2];
  }
  var map = L.map("kaart", {maxZoom: 19});
  L.control.scale({imperial: false}).addTo(map);
  var terrein = L.geoJSON(d.terrein, {style: {color: "#000", weight: 3, fill: false}, interactive: false}).addTo(map);
  var kavels = L.geoJSON(d.kavels, {
    style: function (f) { return {color: "#555", weight: 1, fillColor: gsiColor(f.properties.gsi), fillOpacity: 0.75}; },
    onEachFeature: function (f, l) {
      l.bindTooltip("Kavel " + esc(f.properties.kavel_id) + " – GSI " + fmt(f.properties.gsi, d.kolommen.kavels.gsi),
        {sticky: true});
      l.bindPopup(popup("Kavel " + f.properties.kavel_id, f.properties, d.kolommen.kavels), {maxHeight: 380});
    }
  }).addTo(map);
  var overlays = {"Kavels (GSI)": kavels};
  if (d.kades) {
    overlays["Kades (status)"] = L.geoJSON(d.kades, {
      style: function (f) { return {color: d.kadeKleuren[f.properties.status] || "#8c8c8c", weight: 5}; },
      onEachFeature: function (f, l) { l.bindPopup(popup("Kade " + f.properties.kade_id, f.properties, d.kolommen.kades)); }
    }).addTo(map);
  }
  L.control.layers(null, overlays, {collapsed: false}).addTo(map);
  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "legend");
    var h = "<b>Bebouwingsgraad (GSI)</b>";
    d.gsiKlassen.forEach(function (k, i) {
      var lab = i === 0 ? "< " + fmt(k[1]) + " (onderbenut)" : (i === d.gsiKlassen.length - 1 ? "≥ " + fmt(k[0]) : fmt(k[0]) + " – " + fmt(k[1]));
      h += "<div><i style='background:" + k[2] + "'></i>" + esc(lab) + "</div>";
    });
    if (d.kades) {
      h += "<b>Kades</b>";
      Object.keys(d.kadeKleuren).forEach(function (k) {
        h += "<div><i class='lijn' style='background:" + d.kadeKleuren[k] + "'></i>" + esc(k) + "</div>";
      });
    }
    div.innerHTML = h;
    return div;
  };
  legend.addTo(map);
  var b = terrein.getBounds();
  map.fitBounds(b.isValid() ? b : kavels.getBounds(), {padding: [20, 20]});
})();
