/* Strategische vestigingsplaatsen: the map's own code (inlined into kaart.html by pipeline/export/paginas.py).
   svpMaakKaart(id, data): the Leaflet map, one FeatureGroup per layer, the optional background and the layer
   control. svpInit(map, groups, data): draws every layer into its FeatureGroup, adds legends, search, links,
   fullscreen, measure and scale controls. Column labels, units and decimals come from data.config.kolommen
   (the catalogue). No external resources and no $() helpers. */
(function () {
  "use strict";

  var esc = window.svpOpmaak.esc, fmt = window.svpOpmaak.fmt, fmtUnit = window.svpOpmaak.fmtUnit,
    label = window.svpOpmaak.label;

  // rows 'label | value unit' for the columns present in props; kolommen: column -> {label, unit, decimals}
  function table(props, cols, kolommen) {
    var rows = "";
    cols.forEach(function (c) {
      if (!(c in props)) return;
      rows += "<tr><th>" + label(c, kolommen[c]) + "</th><td>" + fmtUnit(props[c], kolommen[c]) + "</td></tr>";
    });
    return rows ? "<table class='svp-tabel'>" + rows + "</table>" : "";
  }

  // per criterion: raw, normalised, weight, contribution, sterk and the raw value's rank in regio and province
  function criteriaTable(props, criteria, critLabels, kolommen) {
    var head = "<tr><th>Criterium</th><th>ruw</th><th>genorm.</th><th>gewicht</th><th>bijdrage</th><th>sterk</th>" +
      "<th>rang regio</th><th>rang prov.</th></tr>";
    var rows = "";
    criteria.forEach(function (c) {
      if (!((c + "_norm") in props)) return;
      rows += "<tr><th>" + esc(critLabels[c] || c) + "</th>" +
        ["_ruw", "_norm", "_gewicht", "_bijdrage", "_sterk", "_rang_regio", "_rang_provincie"]
        .map(function (s) { return "<td>" + fmtUnit(props[c + s], kolommen[c + s]) + "</td>"; }).join("") + "</tr>";
    });
    return rows ? "<table class='svp-tabel svp-criteria'>" + head + rows + "</table>" : "";
  }

  function terreinPopup(p, cfg) {
    var k = cfg.kolommen.terreinen;
    var h = "<div class='svp-popup'><h3>" + esc(p.naam || p.rin_nummer) + "</h3>";
    h += "<p class='svp-klasse svp-" + esc((p.vlag_klasse || "").replace(/ /g, "-")) + "'>" +
      esc(p.vlag_klasse || "") + (p.rang ? " · rang " + fmt(p.rang, k.rang) : "") +
      (p.score !== undefined ? " · score " + fmt(p.score, k.score) : "") + "</p>";
    h += "<p class='svp-waarom'><b>Waarom:</b> " + fmt(p.waarom) + "</p>";
    if (p.typologie) h += "<p class='svp-typologie'><b>Typologie: " + esc(p.typologie) + "</b> – " +
      esc(p.typologie_actie || "") + "</p>";
    if (p._detail) h += "<p><a href='" + esc(p._detail) + "'>Kavels en kades van dit terrein &raquo;</a></p>";
    cfg.sections.forEach(function (s) {
      var body = s[0] === "Criteria" ? criteriaTable(p, cfg.criteria, cfg.criteriumLabels, k) : table(p, s[1], k);
      if (body) h += "<details" + (s[2] ? " open" : "") + "><summary>" + esc(s[0]) + "</summary>" + body + "</details>";
    });
    return h + "</div>";
  }

  function simplePopup(title, p, kolommen) {
    return "<div class='svp-popup'><h3>" + esc(title) + "</h3>" + table(p, Object.keys(p), kolommen) + "</div>";
  }

  function scoreColor(v, classes) {
    if (v === null || v === undefined) return "#ffffff";
    for (var i = 0; i < classes.length; i++) if (v <= classes[i][1]) return classes[i][2];
    return classes[classes.length - 1][2];
  }

  // one legend entry [label, colour, "line"?]: a swatch and the label
  function legendItem(it) {
    return "<i class='" + (it[2] === "line" ? "svp-lijn" : "svp-vlak") + "' style='background:" + it[1] + "'></i>" +
      esc(it[0]);
  }

  function legendControl(title, items, extra) {
    var ctl = L.control({position: "bottomright"});
    ctl.onAdd = function () {
      var div = L.DomUtil.create("div", "info legend svp-legend");
      var h = "<b>" + esc(title) + "</b>" + (extra || "");
      items.forEach(function (it) { h += "<div>" + legendItem(it) + "</div>"; });
      div.innerHTML = h;
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    return ctl;
  }

  function linkControl(links) {
    var ctl = L.control({position: "topleft"});
    ctl.onAdd = function () {
      var div = L.DomUtil.create("div", "leaflet-bar svp-links");
      div.innerHTML = links.map(function (l) { return "<a href='" + esc(l[1]) + "'>" + esc(l[0]) + "</a>"; }).join("");
      return div;
    };
    return ctl;
  }

  function searchControl(map, layer, onFound) {
    var ctl = L.control({position: "topright"});
    ctl.onAdd = function () {
      var div = L.DomUtil.create("div", "svp-zoek");
      var names = [];
      layer.eachLayer(function (l) { names.push(l.feature.properties.naam || l.feature.properties.rin_nummer); });
      names.sort();
      div.innerHTML = "<input id='svp-zoekveld' type='search' list='svp-namen' placeholder='Zoek terrein op naam…' " +
        "aria-label='Zoek terrein op naam'><datalist id='svp-namen'>" +
        names.map(function (n) { return "<option value='" + esc(n) + "'>"; }).join("") +
        "</datalist><div id='svp-zoekmelding'></div>";
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      var input = div.querySelector("input"), msg = div.querySelector("#svp-zoekmelding");
      function find() {
        var q = input.value.trim().toLowerCase();
        if (!q) { msg.textContent = ""; return; }
        var exact = null, partial = null;
        layer.eachLayer(function (l) {
          var p = l.feature.properties, n = String(p.naam || "").toLowerCase(), r = String(p.rin_nummer || "").toLowerCase();
          if (n === q || r === q) exact = exact || l;
          else if (n.indexOf(q) >= 0 || r.indexOf(q) >= 0) partial = partial || l;
        });
        var hit = exact || partial;
        if (!hit) { msg.textContent = "Geen terrein gevonden"; return; }
        msg.textContent = "";
        onFound(hit);
      }
      input.addEventListener("change", find);
      input.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); find(); } });
      return div;
    };
    return ctl;
  }

  // a top-left button: `html` is its <a> (plus extras); setup(map, div) wires the click
  function buttonControl(className, html, setup) {
    var ctl = L.control({position: "topleft"});
    ctl.onAdd = function (map) {
      var div = L.DomUtil.create("div", "leaflet-bar svp-knop" + className);
      div.innerHTML = html;
      setup(map, div);
      return div;
    };
    return ctl;
  }

  function fullscreenControl() {
    return buttonControl("", "<a href='#' title='Volledig scherm' role='button' aria-label='Volledig scherm'>&#x25A1;</a>",
      function (map, div) {
        L.DomEvent.on(div.firstChild, "click", function (e) {
          L.DomEvent.preventDefault(e);
          var el = map.getContainer();
          if (document.fullscreenElement) { document.exitFullscreen(); }
          else if (el.requestFullscreen) { el.requestFullscreen(); }
        });
      });
  }

  function measureControl() {
    return buttonControl(" svp-meet",
      "<a href='#' title='Afstand meten (klik punten, dubbelklik of klik opnieuw op de knop om te stoppen)' " +
      "role='button' aria-label='Afstand meten'>&#x2194;</a><span class='svp-meetwaarde'></span>", function (map, div) {
      var active = false, pts = [], line = null, out = div.querySelector(".svp-meetwaarde");
      function total() {
        var d = 0;
        for (var i = 1; i < pts.length; i++) d += map.distance(pts[i - 1], pts[i]);
        return d >= 1000 ? (d / 1000).toLocaleString("nl-NL", {maximumFractionDigits: 2}) + " km"
                         : Math.round(d).toLocaleString("nl-NL") + " m";
      }
      function click(e) {
        pts.push(e.latlng);
        if (!line) line = L.polyline(pts, {color: "#000", weight: 2, dashArray: "4 4", interactive: false}).addTo(map);
        else line.setLatLngs(pts);
        out.textContent = total();
      }
      function stop() {
        active = false; map.off("click", click); map.doubleClickZoom.enable();
        L.DomUtil.removeClass(div, "svp-actief");
      }
      L.DomEvent.on(div.firstChild, "click", function (e) {
        L.DomEvent.preventDefault(e); L.DomEvent.stopPropagation(e);
        if (active) { stop(); return; }
        if (line) { map.removeLayer(line); line = null; }
        pts = []; out.textContent = "klik op de kaart";
        active = true; map.on("click", click); map.doubleClickZoom.disable();
        map.once("dblclick", stop);
        L.DomUtil.addClass(div, "svp-actief");
      });
    });
  }

  // Each layer builder turns its FeatureCollection into {layer, legend}; `kol` are its column descriptions.

  // terreinen, coloured by vlag_klasse (default), score or typologie; `colourBy(mode)` switches and returns the
  // legend items
  function terreinLayer(fc, cfg) {
    var kol = cfg.kolommen.terreinen, mode = "vlag";
    function style(f) {
      var p = f.properties;
      var fill = mode === "vlag" ? (cfg.vlagKleuren[p.vlag_klasse] || "#ffffff") :
        mode === "typologie" ? (cfg.typologieKleuren[p.typologie] || "#ffffff") : scoreColor(p.score, cfg.scoreKlassen);
      return {color: "#333333", weight: 1, fillColor: fill, fillOpacity: 0.75};
    }
    var layer = L.geoJSON(fc, {
      style: style,
      onEachFeature: function (f, l) {
        var p = f.properties;
        l.bindTooltip(esc(p.naam || p.rin_nummer) + " – " + esc(p.vlag_klasse || "") +
          (p.score !== undefined ? " (score " + fmt(p.score, kol.score) + ")" : ""), {sticky: true});
        l.bindPopup(function () { return terreinPopup(p, cfg); }, {maxWidth: 420, maxHeight: 420});
      }
    });
    var items = {
      vlag: Object.keys(cfg.vlagKleuren).map(function (k) { return [k, cfg.vlagKleuren[k]]; }),
      score: cfg.scoreKlassen.map(function (c) { return ["score " + fmt(c[0]) + " – " + fmt(c[1]), c[2]]; }),
      typologie: Object.keys(cfg.typologieKleuren).map(function (k) { return [k, cfg.typologieKleuren[k]]; })
    };
    var keuze = "<div class='svp-keuze'>Kleur op: <select id='svp-kleurkeuze' aria-label='Kleur terreinen op'>" +
      "<option value='vlag'>strategische vlag</option><option value='score'>score</option>" +
      "<option value='typologie'>typologie (strategisch × benutting)</option></select></div>";
    return {layer: layer, legend: legendControl("Bedrijventerreinen", items.vlag, keuze),
            colourBy: function (m) { mode = m; layer.setStyle(style); return items[m]; }};
  }

  function kadeLayer(fc, cfg) {
    var kol = cfg.kolommen.kades;
    var layer = L.geoJSON(fc, {
      style: function (f) { return {color: cfg.kadeKleuren[f.properties.status] || "#8c8c8c", weight: 4, opacity: 0.9}; },
      onEachFeature: function (f, l) {
        var p = f.properties;
        l.bindTooltip("Kade " + esc(p.status || "onbekend") + ", " + fmtUnit(p.lengte_m, kol.lengte_m), {sticky: true});
        l.bindPopup(simplePopup("Kade " + (p.kade_id || ""), p, kol));
      }
    });
    return {layer: layer, legend: legendControl("Kades (status)", Object.keys(cfg.kadeKleuren).map(function (k) {
      return [k, cfg.kadeKleuren[k], "line"]; }))};
  }

  function vaarwegLayer(fc, cfg) {
    var cemt = cfg.cemtKlassen;
    function klasse(p) {  // first group whose lowest class the section reaches
      var r = cemt.indexOf(p.cemt_klasse);
      return cfg.vaarwegKlassen.filter(function (k) { return r >= cemt.indexOf(k[1]); })[0] ||
        cfg.vaarwegKlassen[cfg.vaarwegKlassen.length - 1];
    }
    var layer = L.geoJSON(fc, {
      style: function (f) { var k = klasse(f.properties); return {color: k[2], weight: k[3], opacity: 0.8}; },
      onEachFeature: function (f, l) {
        var p = f.properties;
        l.bindTooltip(esc(p.naam || "vaarweg") + " (CEMT " + esc(p.cemt_klasse || "onbekend") + ")", {sticky: true});
      }
    });
    return {layer: layer, legend: legendControl("Vaarwegen", cfg.vaarwegKlassen.map(function (k) {
      return [k[0], k[2], "line"]; }))};
  }

  function contourLayer(fc, cfg) {
    var layer = L.geoJSON(fc, {
      style: function (f) {
        var c = cfg.contourKleuren[f.properties.categorie] || "#fc4e2a";
        return {color: c, weight: 1, fillColor: c, fillOpacity: 0.35};
      },
      onEachFeature: function (f, l) {
        l.bindTooltip("Milieucategorie " + esc(f.properties.categorie) + " past hier", {sticky: true});
      }
    });
    return {layer: layer, legend: legendControl("Milieuruimte: categorie past", cfg.contourCategorieen.map(function (k) {
      return ["categorie " + k, cfg.contourKleuren[k] || "#fc4e2a"]; }))};
  }

  // the same areas twice: coloured by the status for afname or for invoeding
  function netLayer(richting) {
    return function (fc, cfg) {
      var veld = richting + "_status", kol = cfg.kolommen.netcapaciteit;
      var layer = L.geoJSON(fc, {
        style: function (f) {
          var c = cfg.netKleuren[f.properties[veld]] || cfg.netKleuren.onbekend;
          return {color: "#666666", weight: 1, fillColor: c, fillOpacity: 0.45};
        },
        onEachFeature: function (f, l) {
          var p = f.properties;
          l.bindTooltip("Netcapaciteit " + richting + ": " + esc(p[veld] || "onbekend") +
            (p.gebied_naam ? " (" + esc(p.gebied_naam) + ")" : ""), {sticky: true});
          l.bindPopup(simplePopup("Netcapaciteit " + (p.gebied_naam || p.gebied_id || ""), p, kol));
        }
      });
      return {layer: layer, legend: legendControl("Netcapaciteit " + richting, Object.keys(cfg.netKleuren).map(
        function (k) { return [k, cfg.netKleuren[k]]; }))};
    };
  }

  function clusterLayer(fc, cfg) {
    var kol = cfg.kolommen.clusters;
    var layer = L.geoJSON(fc, {
      style: function () { return {color: cfg.clusterKleur, weight: 2, dashArray: "6 4", fill: true, fillOpacity: 0.05}; },
      onEachFeature: function (f, l) {
        var p = f.properties;
        l.bindTooltip("Cluster " + esc(p.cluster_id) + ": " + fmt(p.cluster_aantal, kol.cluster_aantal) +
          " terreinen, " + fmtUnit(p.cluster_ha, kol.cluster_ha), {sticky: true});
        l.bindPopup(simplePopup("Cluster " + p.cluster_id, p, kol));
      }
    });
    return {layer: layer, legend: legendControl("Clusters van terreinen", [["cluster (omtrek)", cfg.clusterKleur, "line"]])};
  }

  // the offline base layer (achtergrond.js): borders and names on panes of their own, no legend
  function basisLayer(map) {
    return function (data) { return {layer: window.svpAchtergrond(map, data), legend: null}; };
  }

  // group key -> [data source, builder], in drawing order
  var BUILDERS = [["terreinen", "terreinen", terreinLayer], ["kades", "kades", kadeLayer],
                  ["vaarwegen", "vaarwegen", vaarwegLayer], ["contouren", "contouren", contourLayer],
                  ["afname", "netcapaciteit", netLayer("afname")], ["invoeding", "netcapaciteit", netLayer("invoeding")],
                  ["clusters", "clusters", clusterLayer], ["basis", "basis", null]];

  // legends follow their layer in the layer control
  function followLayers(map, groups, legends) {
    Object.keys(legends).forEach(function (k) { if (!legends[k]) delete legends[k]; });
    Object.keys(legends).forEach(function (k) { if (map.hasLayer(groups[k])) legends[k].addTo(map); });
    map.on("overlayadd", function (e) {
      Object.keys(groups).forEach(function (k) { if (groups[k] === e.layer && legends[k]) legends[k].addTo(map); });
    });
    map.on("overlayremove", function (e) {
      Object.keys(groups).forEach(function (k) { if (groups[k] === e.layer && legends[k]) legends[k].remove(); });
    });
  }

  // the colour choice in the terreinen legend restyles the layer and swaps the legend items
  function colourChoice(colourBy) {
    document.addEventListener("change", function (e) {
      if (!e.target || e.target.id !== "svp-kleurkeuze") return;
      var div = e.target.closest(".svp-legend");
      var items = colourBy(e.target.value);
      div.querySelectorAll("div:not(.svp-keuze)").forEach(function (d) { d.remove(); });
      items.forEach(function (it) {
        var d = document.createElement("div");
        d.innerHTML = legendItem(it);
        div.appendChild(d);
      });
    });
  }

  window.svpInit = function (map, groups, data) {
    var cfg = data.config, lagen = {}, legends = {}, made = {};
    map.setMinZoom(cfg.minZoom);
    map.setMaxZoom(cfg.maxZoom);  // no tile layer needs to be present for zoom limits
    L.control.scale({imperial: false, position: "bottomleft"}).addTo(map);
    fullscreenControl().addTo(map);
    measureControl().addTo(map);
    linkControl(cfg.links).addTo(map);
    BUILDERS.forEach(function (b) {
      if (!data[b[1]] || !groups[b[0]]) return;
      made[b[0]] = (b[2] || basisLayer(map))(data[b[1]], cfg);
      lagen[b[0]] = made[b[0]].layer.addTo(groups[b[0]]);
      legends[b[0]] = made[b[0]].legend;
    });
    if (lagen.vaarwegen) lagen.vaarwegen.bringToBack();  // fairways under the terreinen and their quays
    var terreinen = lagen.terreinen;
    window.svpTerreinen = terreinen;
    followLayers(map, groups, legends);
    colourChoice(made.terreinen.colourBy);
    searchControl(map, terreinen, function (hit) {
      if (!map.hasLayer(groups.terreinen)) groups.terreinen.addTo(map);
      map.fitBounds(hit.getBounds(), {maxZoom: 15});
      hit.openPopup(hit.getBounds().getCenter());
    }).addTo(map);
    var b = terreinen.getBounds();
    if (b.isValid()) map.fitBounds(b, {padding: [20, 20], animate: false});
    window.svpLagen = lagen;
  };

  // the page's map: zoom limits without any tile layer, one FeatureGroup per layer (on when its flag says so),
  // the background as an overlay that is off (no tile request until ticked); the layer control comes last
  window.svpMaakKaart = function (id, data) {
    var cfg = data.config, groups = {}, overlays = {};
    Object.keys(data).forEach(function (k) { window.svpOpmaak.uitpakken(data[k]); });  // layers written by columns
    var map = L.map(id, {center: cfg.centrum, zoom: cfg.zoom, minZoom: cfg.minZoom, maxZoom: cfg.maxZoom});
    var bg = cfg.achtergrond;
    if (bg) overlays[bg.naam] = L.tileLayer(bg.url, {maxZoom: bg.maxZoom, attribution: bg.attributie});
    // the offline base layer right under the optional OpenStreetMap entry, then the data layers
    cfg.lagen.filter(function (l) { return l[0] === "basis"; }).concat(
      cfg.lagen.filter(function (l) { return l[0] !== "basis"; })).forEach(function (l) {
      groups[l[0]] = L.featureGroup();
      if (l[2]) groups[l[0]].addTo(map);
      overlays[l[1]] = groups[l[0]];
    });
    window.svpInit(map, groups, data);
    L.control.layers({}, overlays, {collapsed: false, position: "topright"}).addTo(map);
    return map;
  };
})();
