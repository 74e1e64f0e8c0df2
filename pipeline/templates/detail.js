/* Detail page of one terrein: the evidence behind its numbers (maps/assets/detail.js, data in SVP_DETAIL).
   Layers, each on a pane of its own so the drawing order holds when layers are switched: the offline base layer
   (achtergrond.js), grid areas, fairways, the terrein, kavels (colouring switchable: GSI, mogelijke
   milieucategorie, vacant or in use, HMC-ruimte and its use, grid status), zoning, milieuruimte contours, panden
   by use, quays (status or reachable class), the line from each kavel to the gevoelig object that sets its
   distance (with that distance), vestigingen by register class, and the gevoelige objecten. The side panel shows
   every indicator of the terrein with its ranks and type. Labels, units and decimals: SVP_DETAIL.kolommen (the
   catalogue), with the sections, legends and criteria from detail-gedeeld.js (SVP_GEDEELD, the same for every
   page). No external resources. */
(function () {
  "use strict";
  var d = Object.assign(SVP_DETAIL, SVP_GEDEELD), o = window.svpOpmaak, esc = o.esc, fmt = o.fmt, fmtUnit = o.fmtUnit, leg = d.legenda;
  Object.keys(d).forEach(function (k) { o.uitpakken(d[k]); });  // the layers are written by columns
  var K = d.kolommen;

  // ------------------------------------------------------------------ tables and popups
  function rows(p, cols, kol) {
    var h = "";
    cols.forEach(function (c) {
      if (!(c in p)) return;
      h += "<tr><th>" + o.label(c, kol[c]) + "</th><td>" + fmtUnit(p[c], kol[c]) + "</td></tr>";
    });
    return h ? "<table class='svp-tabel'>" + h + "</table>" : "";
  }
  function sections(p, secties, kol, skip) {
    return secties.map(function (s) {
      if (skip && skip(s[0])) return "";
      var body = rows(p, s[1], kol);
      return body ? "<details" + (s[2] ? " open" : "") + "><summary>" + esc(s[0]) + "</summary>" + body +
        "</details>" : "";
    }).join("");
  }
  function popup(title, p, kol, secties) {
    var body = secties ? sections(p, secties, kol) : rows(p, Object.keys(p), kol);
    return "<div class='svp-popup'><h3>" + esc(title) + "</h3>" + body + "</div>";
  }

  // ------------------------------------------------------------------ colourings of the kavels
  // classes [lower, upper, colour]: lower <= v < upper, as their labels say ('< 0,3 (onderbenut)')
  function inClasses(v, classes) {
    if (v === null || v === undefined) return null;
    for (var i = 0; i < classes.length; i++) if (v < classes[i][1]) return classes[i];
    return classes[classes.length - 1];
  }
  function gsiItems() {
    var n = leg.gsiKlassen.length;
    return leg.gsiKlassen.map(function (k, i) {
      return [i === 0 ? "< " + fmt(k[1]) + " (onderbenut)" : i === n - 1 ? "≥ " + fmt(k[0]) : fmt(k[0]) + " – " +
        fmt(k[1]), k[2]];
    }).concat([["onbekend", "#ffffff"]]);
  }
  function hmcKlasse(p) {
    if (!p.hmc_potentie) return "geen";
    if (p.vacant === true) return "vacant";
    if (p.hmc_benut === true) return "benut";
    if (p.hmc_benut === false) return "niet_hmc";
    return "onbekend";
  }
  function gebruikKlasse(p) { return p.vacant === true ? "vacant" : p.vacant === false ? "in gebruik" : "onbekend"; }
  function dominant(p, richting) {
    var best = null, share = -1;
    Object.keys(leg.netKleuren).forEach(function (s) {
      var v = p[richting + "_aandeel_" + s];
      if (typeof v === "number" && v > share) { best = s; share = v; }
    });
    return best;
  }
  function listed(klassen) { return klassen.map(function (k) { return [k[1], k[2]]; }); }
  var KLEURING = {
    gsi: {naam: "Bebouwingsgraad (GSI)", items: gsiItems,
          kleur: function (p) { var k = inClasses(p.gsi, leg.gsiKlassen); return k ? k[2] : "#ffffff"; }},
    categorie: {naam: "Mogelijke milieucategorie", kleur: function (p) {
      return leg.categorieKleuren[p.cat_potentie] || "#ffffff"; }, items: function () {
      return Object.keys(leg.categorieKleuren).map(function (c) { return ["categorie " + c, leg.categorieKleuren[c]]; })
        .concat([["onbekend", "#ffffff"]]); }},
    gebruik: {naam: "Vacant of in gebruik", items: function () { return listed(leg.gebruikKlassen); },
              kleur: function (p) { return klasseKleur(leg.gebruikKlassen, gebruikKlasse(p)); }},
    hmc: {naam: "HMC-ruimte en gebruik", items: function () { return listed(leg.hmcKlassen); },
          kleur: function (p) { return klasseKleur(leg.hmcKlassen, hmcKlasse(p)); }},
    net: {naam: "Netcapaciteit afname (grootste aandeel)", items: function () {
      return Object.keys(leg.netKleuren).map(function (s) { return [s, leg.netKleuren[s]]; }); },
          kleur: function (p) { return leg.netKleuren[dominant(p, "afname")] || "#ffffff"; }}
  };
  function klasseKleur(klassen, key) {
    for (var i = 0; i < klassen.length; i++) if (klassen[i][0] === key) return klassen[i][2];
    return "#ffffff";
  }
  function kadeKlasse(p) {  // the fairway group the quay's reachable class falls in
    var cemt = d.cemtKlassen, r = cemt.indexOf(p.cemt_bereikbaar);
    if (r < 0) return null;
    return leg.vaarwegKlassen.filter(function (k) { return r >= cemt.indexOf(k[1]); })[0] || null;
  }
  var KADE = {
    status: {naam: "Kades: status", kleur: function (p) { return leg.kadeKleuren[p.status] || leg.onbekendKleur; },
             items: function () { return Object.keys(leg.kadeKleuren).map(function (k) { return [k, leg.kadeKleuren[k]]; }); }},
    bereikbaar: {naam: "Kades: bereikbare klasse", kleur: function (p) {
      var k = kadeKlasse(p); return k ? k[2] : leg.onbekendKleur; }, items: function () {
      return leg.vaarwegKlassen.map(function (k) { return [k[0], k[2]]; }).concat([["onbekend / niet bereikbaar",
        leg.onbekendKleur]]); }}
  };
  var keuze = {kavels: "gsi", kades: "status"};

  // ------------------------------------------------------------------ the map and its layers
  var map = L.map("kaart", {maxZoom: 19, minZoom: 6});
  L.control.scale({imperial: false}).addTo(map);
  var order = 400;
  function pane(name) {
    order += 5;
    var p = map.createPane(name);
    p.style.zIndex = order;
    return name;
  }
  var lagen = {}, overlays = {}, namen = {};
  var bg = d.achtergrond;  // OpenStreetMap: offered, off until ticked (no request before)
  if (bg) overlays[bg.naam] = L.tileLayer(bg.url, {maxZoom: bg.maxZoom, attribution: bg.attributie});
  var basis = window.svpAchtergrond(map, d.basis).addTo(map);
  function add(key, naam, layer, aan) {
    lagen[key] = layer; namen[key] = naam;
    overlays[naam] = layer;
    if (aan) layer.addTo(map);
  }
  if (d.basis) { overlays["Gemeente- en provinciegrenzen (offline)"] = basis; lagen.basis = basis; }

  function geo(key, opts) { return L.geoJSON(d[key], L.extend({pane: pane("svp" + key)}, opts)); }

  if (d.netcapaciteit) add("netcapaciteit", "Netcapaciteit afname (voedingsgebieden)", geo("netcapaciteit", {
    style: function (f) { return {color: "#666", weight: 1, fillColor: leg.netKleuren[f.properties.afname_status] ||
      leg.netKleuren.onbekend, fillOpacity: 0.35}; },
    onEachFeature: function (f, l) {
      l.bindTooltip("Netcapaciteit afname: " + esc(f.properties.afname_status || "onbekend") + ", invoeding: " +
        esc(f.properties.invoeding_status || "onbekend"), {sticky: true});
      l.bindPopup(popup("Voedingsgebied " + (f.properties.gebied_naam || f.properties.gebied_id || ""),
        f.properties, K.netcapaciteit));
    }}), false);
  if (d.vaarwegen) add("vaarwegen", "Vaarwegen (CEMT-klasse)", geo("vaarwegen", {
    style: function (f) {
      var r = d.cemtKlassen.indexOf(f.properties.cemt_klasse);
      var k = leg.vaarwegKlassen.filter(function (k) { return r >= d.cemtKlassen.indexOf(k[1]); })[0] ||
        leg.vaarwegKlassen[leg.vaarwegKlassen.length - 1];
      return {color: k[2], weight: k[3], opacity: 0.8};
    },
    onEachFeature: function (f, l) {
      l.bindTooltip(esc(f.properties.naam || "vaarweg") + " (CEMT " + esc(f.properties.cemt_klasse || "onbekend") +
        ")", {sticky: true});
    }}), true);
  var terrein = geo("terrein", {interactive: false, style: {color: "#000", weight: 3, fill: false}}).addTo(map);
  add("kavels", "Kavels", geo("kavels", {
    style: function (f) { return {color: "#444", weight: 1, fillColor: KLEURING[keuze.kavels].kleur(f.properties),
                                  fillOpacity: 0.8}; },
    onEachFeature: function (f, l) {
      var p = f.properties;
      l.bindTooltip("Kavel " + esc(p.kavel_id) + " – GSI " + fmt(p.gsi, K.kavels.gsi) + ", mogelijke categorie " +
        fmt(p.cat_potentie), {sticky: true});
      l.bindPopup(popup("Kavel " + p.kavel_id, p, K.kavels, d.secties.kavels), {maxHeight: 380, maxWidth: 380});
    }}), true);
  if (d.zonering) add("zonering", "Bestemmingsvlakken (milieucategorie)", geo("zonering", {
    style: function (f) {
      var c = leg.categorieKleuren[f.properties.max_milieucategorie], zone = f.properties.soort === "geluidzone";
      return {color: zone ? "#6a3d9a" : c || "#7f7f7f", weight: 2, dashArray: zone ? "6 4" : null,
              fill: !zone, fillColor: c || "#cccccc", fillOpacity: 0.35};
    },
    onEachFeature: function (f, l) {
      var p = f.properties;
      l.bindTooltip(esc(p.omschrijving || p.soort || "zone") + (p.max_milieucategorie ? " (tot en met categorie " +
        esc(p.max_milieucategorie) + ")" : ""), {sticky: true});
      l.bindPopup(popup("Zone " + (p.zone_id || ""), p, K.zonering));
    }}), false);
  if (d.contouren) add("contouren", "Milieuruimte: waar een categorie past", geo("contouren", {
    style: function (f) { var c = leg.categorieKleuren[f.properties.categorie] || "#fc4e2a";
                          return {color: c, weight: 1.5, fillColor: c, fillOpacity: 0.3}; },
    onEachFeature: function (f, l) {
      l.bindTooltip("Milieucategorie " + esc(f.properties.categorie) + " past hier (" +
        esc(f.properties.omgevingstype || "") + ")", {sticky: true});
    }}), false);
  if (d.panden) add("panden", "Panden (BAG, gebruik)", geo("panden", {
    style: function (f) { return {color: "#555", weight: 0.6, fillColor: leg.pandKleuren[f.properties.gebruik] ||
      "#cfcfcf", fillOpacity: 0.85}; },
    onEachFeature: function (f, l) {
      l.bindTooltip("Pand (" + esc(f.properties.gebruik || "gebruik onbekend") + ")", {sticky: true});
      l.bindPopup(popup("Pand " + (f.properties.pand_id || ""), f.properties, K.panden));
    }}), true);
  if (d.kades) add("kades", "Kades (status of bereikbare klasse)", geo("kades", {
    style: function (f) { return {color: KADE[keuze.kades].kleur(f.properties), weight: 6, opacity: 0.95}; },
    onEachFeature: function (f, l) {
      var p = f.properties;
      l.bindTooltip("Kade " + esc(p.status || "onbekend") + ", " + fmtUnit(p.lengte_m, K.kades.lengte_m) +
        ", bereikbaar " + esc(p.cemt_bereikbaar || "onbekend"), {sticky: true});
      l.bindPopup(popup("Kade " + (p.kade_id || ""), p, K.kades));
    }}), true);
  if (d.afstanden) {
    var afstandLabels = [];
    var lijnen = geo("afstanden", {
      style: {color: "#b2182b", weight: 1.2, dashArray: "5 4", opacity: 0.75},
      onEachFeature: function (f, l) {
        var p = f.properties, tekst = fmtUnit(p.afstand_gevoelig_m, K.afstanden.afstand_gevoelig_m);
        l.bindTooltip("Kavel " + esc(p.kavel_id) + " → gevoelig object " + esc(p.gevoelig_vbo_id) + ": " + tekst +
          " (categorie volgens afstand " + fmt(p.cat_afstand) + ")", {sticky: true});
        l.bindPopup(popup("Afstand kavel " + p.kavel_id, p, K.afstanden));
        afstandLabels.push(labelNearKavel(l, tekst));
      }});
    add("afstanden", "Afstand kavel – gevoelig object", L.featureGroup([lijnen].concat(afstandLabels)), true);
  }
  if (d.vestigingen) add("vestigingen", "Vestigingen (klasse in het register)", geo("vestigingen", {
    pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, {pane: "svpvestigingen", radius: 5, color: "#fff", weight: 1.2, fillOpacity: 1,
        fillColor: leg.registerKleuren[f.properties.klasse] || "#8c8c8c"});
    },
    onEachFeature: function (f, l) {
      var p = f.properties;
      l.bindTooltip(esc(p.naam || p.vestiging_id) + " – " + esc(p.klasse || ""), {sticky: true});
      l.bindPopup(popup(p.naam || "Vestiging " + p.vestiging_id, p, K.vestigingen, d.secties.vestigingen),
        {maxHeight: 380, maxWidth: 380});
    }}), true);
  if (d.gevoelig) add("gevoelig", "Gevoelige objecten", geo("gevoelig", {
    pointToLayer: function (f, latlng) {
      var telt = f.properties.gevoelig === true;
      return L.circleMarker(latlng, {pane: "svpgevoelig", radius: telt ? 6 : 5, color: "#222", weight: 1,
        fillColor: telt ? "#b2182b" : "#bababa", fillOpacity: 1});
    },
    onEachFeature: function (f, l) {
      var p = f.properties;
      l.bindTooltip((p.gevoelig ? "Gevoelig object " : "Bedrijfswoning (telt niet mee) ") + esc(p.vbo_id) + " – " +
        esc(p.gebruiksdoel || ""), {sticky: true});
      l.bindPopup(popup("Verblijfsobject " + p.vbo_id, p, K.gevoelig));
    }}), true);

  // a permanent label with the distance where the line leaves its kavel (a line starts on the kavel's edge);
  // shown from zoom 15 (class on the map container), so a zoomed-out view is not covered by numbers
  function labelNearKavel(line, tekst) {
    return L.tooltip({permanent: true, direction: "center", className: "svp-afstand", interactive: false})
      .setLatLng(line.getLatLngs()[0]).setContent(tekst);
  }
  function zoomLabels() { map.getContainer().classList.toggle("svp-afstanden-zichtbaar", map.getZoom() >= 15); }
  map.on("zoomend", zoomLabels);

  // ------------------------------------------------------------------ legend (follows the visible layers)
  function item(it, lijn) {
    return "<div><i class='" + (lijn ? "lijn" : "") + "' style='background:" + it[1] + "'></i>" + esc(it[0]) + "</div>";
  }
  function select(id, opties, gekozen) {
    return "<select id='" + id + "'>" + Object.keys(opties).map(function (k) {
      return "<option value='" + k + "'" + (k === gekozen ? " selected" : "") + ">" + esc(opties[k].naam) + "</option>";
    }).join("") + "</select>";
  }
  // the values of a property present in a layer, in the order of the category colours
  function present(key, prop) {
    var seen = {};
    d[key].features.forEach(function (f) { if (f.properties[prop]) seen[f.properties[prop]] = true; });
    return Object.keys(leg.categorieKleuren).filter(function (c) { return seen[c]; });
  }
  function legendHtml() {
    var h = "";
    if (map.hasLayer(lagen.kavels)) {
      h += "<b>Kavels</b> " + select("svp-kavelkleur", KLEURING, keuze.kavels);
      h += KLEURING[keuze.kavels].items().map(function (it) { return item(it); }).join("");
    }
    if (lagen.kades && map.hasLayer(lagen.kades)) {
      h += "<b>Kades</b> " + select("svp-kadekleur", KADE, keuze.kades);
      h += KADE[keuze.kades].items().map(function (it) { return item(it, true); }).join("");
    }
    if (lagen.vestigingen && map.hasLayer(lagen.vestigingen)) {
      h += "<b>Vestigingen (register)</b>" + Object.keys(leg.registerKleuren).map(function (k) {
        return item([k, leg.registerKleuren[k]]); }).join("");
    }
    if (lagen.gevoelig && map.hasLayer(lagen.gevoelig)) {
      h += "<b>Gevoelige objecten</b>" + item(["telt mee voor de afstand", "#b2182b"]) +
        item(["bedrijfswoning (telt niet mee)", "#bababa"]);
    }
    if (lagen.panden && map.hasLayer(lagen.panden)) {
      h += "<b>Panden (gebruik)</b>" + Object.keys(leg.pandKleuren).map(function (k) {
        return item([k, leg.pandKleuren[k]]); }).join("");
    }
    if (lagen.afstanden && map.hasLayer(lagen.afstanden)) {
      h += "<b>Afstand kavel – gevoelig object</b>" + item(["lijn met de afstand die de categorie bepaalt", "#b2182b"],
                                                             true);
    }
    if (lagen.zonering && map.hasLayer(lagen.zonering)) {
      h += "<b>Bestemmingsvlakken</b>" + present("zonering", "max_milieucategorie").map(function (c) {
        return item(["tot en met categorie " + c, leg.categorieKleuren[c] || "#7f7f7f"]); }).join("") +
        (d.zonering.features.some(function (f) { return f.properties.soort === "geluidzone"; }) ?
          item(["geluidzone (omtrek)", "#6a3d9a"], true) : "");
    }
    if (lagen.contouren && map.hasLayer(lagen.contouren)) {
      h += "<b>Milieuruimte: categorie past</b>" + present("contouren", "categorie").map(function (c) {
        return item(["categorie " + c, leg.categorieKleuren[c] || "#fc4e2a"]); }).join("");
    }
    if (lagen.vaarwegen && map.hasLayer(lagen.vaarwegen)) {
      h += "<b>Vaarwegen</b>" + leg.vaarwegKlassen.map(function (k) { return item([k[0], k[2]], true); }).join("");
    }
    if (lagen.netcapaciteit && map.hasLayer(lagen.netcapaciteit)) {
      h += "<b>Netcapaciteit afname</b>" + Object.keys(leg.netKleuren).map(function (k) {
        return item([k, leg.netKleuren[k]]); }).join("");
    }
    return h;
  }
  // the legend lives in the side panel (it does not cover the map); its selects switch the colourings
  var legenda = document.getElementById("svp-legenda");
  function refreshLegend() { legenda.innerHTML = "<h2>Legenda</h2>" + legendHtml(); }
  legenda.addEventListener("change", function (e) {
    if (e.target.id === "svp-kavelkleur") { keuze.kavels = e.target.value; lagen.kavels.setStyle(lagen.kavels.options.style); }
    if (e.target.id === "svp-kadekleur") { keuze.kades = e.target.value; lagen.kades.setStyle(lagen.kades.options.style); }
    refreshLegend();
  });
  map.on("overlayadd overlayremove", refreshLegend);
  refreshLegend();
  L.control.layers(null, overlays, {collapsed: false}).addTo(map);

  // ------------------------------------------------------------------ side panel: every indicator of the terrein
  function count(key) { return d[key] ? d[key].features.length : 0; }
  function criteria(p) {
    var ranks = d.criteria.some(function (c) { return (c + "_rang_regio") in p; });
    var head = "<tr><th>Criterium</th><th>ruw</th><th>genorm.</th><th>gewicht</th><th>bijdrage</th><th>sterk</th>" +
      (ranks ? "<th>rang regio</th><th>rang prov.</th>" : "") + "</tr>";
    var suffixes = ["_ruw", "_norm", "_gewicht", "_bijdrage", "_sterk"].concat(ranks ? ["_rang_regio",
      "_rang_provincie"] : []);
    var body = d.criteria.filter(function (c) { return (c + "_norm") in p; }).map(function (c) {
      return "<tr><th>" + esc(d.criteriumLabels[c] || c) + "</th>" + suffixes.map(function (s) {
        return "<td>" + fmtUnit(p[c + s], K.terrein[c + s]) + "</td>"; }).join("") + "</tr>";
    }).join("");
    return body ? "<details open><summary>Criteria</summary><table class='svp-tabel svp-criteria'>" + head + body +
      "</table></details>" : "";
  }
  function panel() {
    var f = d.terrein.features[0];
    if (!f) return;
    var p = f.properties, k = K.terrein, h = "";
    h += "<p class='svp-klasse' style='border-color:" + (leg.vlagKleuren[p.vlag_klasse] || "#999") + "'>" +
      esc(p.vlag_klasse || "") + (p.rang !== undefined ? " · rang " + fmt(p.rang, k.rang) : "") +
      (p.rangband ? " (" + esc(p.rangband) + ")" : "") + (p.score !== undefined ? " · score " + fmt(p.score, k.score) : "") +
      "</p>";
    if (p.typologie) h += "<p id='svp-typologie'><b>Typologie:</b> " + esc(p.typologie) +
      (p.typologie_actie ? " – " + esc(p.typologie_actie) : "") + "</p>";
    if (p.rang_kwaliteiten) h += "<p><b>Rang per kwaliteit:</b> " + esc(p.rang_kwaliteiten) + "</p>";
    h += "<p><b>Waarom:</b> " + fmt(p.waarom) + "</p>";
    h += "<p class='svp-telling'>Op de kaart: " + count("kavels") + " kavels, " + count("panden") + " panden, " +
      count("vestigingen") + " vestigingen, " + count("gevoelig") + " gevoelige objecten, " + count("kades") +
      " kadesegmenten." + (count("gevoelig") ? " <a href='#' id='svp-naar-gevoelig'>Zoom uit tot de gevoelige " +
      "objecten</a>" : "") + "</p>";
    h += sections(p, d.secties.terrein.map(function (s, i) { return [s[0], s[1], i < 2]; }), k,
                  function (t) { return t === "Criteria"; });
    h += criteria(p);
    document.getElementById("svp-indicatoren").innerHTML = h;
  }
  panel();

  var b = terrein.getBounds();
  map.fitBounds(b.isValid() ? b : lagen.kavels.getBounds(), {padding: [20, 20], animate: false});
  zoomLabels();
  var naarGevoelig = document.getElementById("svp-naar-gevoelig");
  if (naarGevoelig && lagen.gevoelig) naarGevoelig.addEventListener("click", function (e) {
    e.preventDefault();
    map.fitBounds(b.extend(lagen.gevoelig.getBounds()), {padding: [30, 30]});
  });
  window.svpDetail = {map: map, lagen: lagen, namen: namen, keuze: keuze};
})();
