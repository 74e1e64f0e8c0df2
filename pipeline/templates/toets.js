/* Transformatie-toets page: the terrein, the transformed kavels, the dwellings' reach and the kavels it lowers, the
   replacement candidates of the tables (no external resources). A table row with data-laag/data-id zooms to it. */
(function () {
  "use strict";
  var d = SVP_TOETS, k = d.kleuren, esc = window.svpOpmaak.esc, fmt = window.svpOpmaak.fmt;
  var map = L.map("toets-kaart", {maxZoom: 19, minZoom: 6});
  L.control.scale({imperial: false}).addTo(map);
  var names = {terrein: "Terrein", omgezet: "Omgezette kavels", overig: "Overige kavels van het terrein",
               kades_weg: "Kades die verdwijnen", zone: "Reikwijdte woningen (grootste richtafstand)",
               buren: "Kavels met lagere categorie door woningen", terreinen: "Vervangende ruimte: terreinen",
               hmc: "Vervangende HMC-ruimte (kavels)", kade: "Vervangende kade"};
  var lines = {kades_weg: true, kade: true};
  function style(key) {
    if (lines[key]) return {color: k[key], weight: 5, opacity: 0.9};
    if (key === "terrein") return {color: k.terrein, weight: 3, fill: false};
    if (key === "zone") return {color: k.zone, weight: 2, dashArray: "6 4", fill: false};
    if (key === "terreinen") return {color: k.terreinen, weight: 2, dashArray: "4 3", fillOpacity: 0.05};
    return {color: "#444", weight: 1, fillColor: k[key], fillOpacity: key === "overig" ? 0.4 : 0.7};
  }
  function tip(key, p) {
    var rang = p.rang ? "#" + p.rang + " " : "";
    if (key === "hmc") return rang + "kavel " + esc(p.kavel_id) + ": " + fmt(p.ha, {decimals: 2}) + " ha, categorie " + esc(p.categorie);
    if (key === "kade" || key === "kades_weg") return rang + "kade " + esc(p.kavel_id || p.kade_id) + " (" +
      esc(p.klasse || p.cemt_bereikbaar || "klasse onbekend") + ", " + esc(p.status) + ")";
    if (key === "buren") return "kavel " + esc(p.kavel_id) + ": categorie " + esc(p.cat_voor || "–") + " → " + esc(p.cat_potentie || "–");
    if (key === "terreinen" || key === "terrein") return rang + esc(p.naam || p.rin_nummer);
    if (key === "zone") return esc(p.naam);
    return "kavel " + esc(p.kavel_id) + (p.cat_potentie ? ", categorie " + esc(p.cat_potentie) : "");
  }
  var order = ["zone", "terreinen", "terrein", "overig", "omgezet", "buren", "hmc", "kades_weg", "kade"];
  var layers = {}, overlays = {}, legend = "";
  order.forEach(function (key) {
    var fc = d.lagen[key];
    if (!fc || !fc.features.length) return;
    layers[key] = L.geoJSON(fc, {style: function () { return style(key); },
      onEachFeature: function (f, l) { l.bindTooltip(tip(key, f.properties), {sticky: true}); }}).addTo(map);
    overlays[names[key]] = layers[key];
    legend += "<div><i class='" + (lines[key] ? "lijn" : "") + "' style='background:" + (key === "terrein" ||
      key === "zone" ? "#fff;border-color:" + k[key] : k[key]) + "'></i>" + esc(names[key]) + "</div>";
  });
  L.control.layers(null, overlays, {collapsed: true}).addTo(map);
  var ctl = L.control({position: "bottomright"});
  ctl.onAdd = function () { var div = L.DomUtil.create("div", "legend"); div.innerHTML = legend; return div; };
  ctl.addTo(map);
  var focus = L.featureGroup([layers.terrein, layers.zone].filter(Boolean));
  var b = focus.getLayers().length ? focus.getBounds() : L.featureGroup(Object.values(layers)).getBounds();
  if (b.isValid()) map.fitBounds(b, {padding: [20, 20], animate: false});
  else map.setView([51.6, 5.0], 9);
  window.svpToets = {map: map, lagen: layers};
  // a row of a candidate table zooms to its feature(s) on the map
  document.querySelectorAll("tr[data-laag]").forEach(function (row) {
    row.addEventListener("click", function () {
      var lg = layers[row.dataset.laag], hit = [];
      if (!lg) return;
      lg.eachLayer(function (l) {
        var p = l.feature.properties;
        if (String(p.kavel_id) === row.dataset.id || String(p.rin_nummer) === row.dataset.id) hit.push(l);
      });
      if (!hit.length) return;
      var g = L.featureGroup(hit);
      map.fitBounds(g.getBounds(), {maxZoom: 16, animate: false});
      hit[0].openTooltip(g.getBounds().getCenter());
      document.getElementById("toets-kaart").scrollIntoView();
    });
  });
})();
