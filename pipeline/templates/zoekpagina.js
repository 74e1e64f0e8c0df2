/* The form, the result list and the map of maps/zoek.html; the search itself is zoek.js (window.svpZoek). */
(function () {
  "use strict";
  var d = SVP_ZOEK, z = window.svpZoek;
  var $ = function (id) { return document.getElementById(id); };
  function esc(v) {
    return String(v).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function option(select, value, text) {
    var o = document.createElement("option"); o.value = value; o.textContent = text; select.appendChild(o);
  }
  d.categorieen.forEach(function (c) { option($("svp-categorie"), c, c); });
  d.cemt.forEach(function (c) { option($("svp-cemt"), c, c); });
  $("svp-cemt").value = d.instellingen.cemtStandaard;
  d.regios.forEach(function (r) { option($("svp-regio"), r, r); });
  $("svp-kademin").textContent = z.tiende(d.instellingen.kadeMinM).replace(/,0$/, "");
  $("svp-afstand").textContent = z.tiende(d.instellingen.spoorM).replace(/,0$/, "") + " / " +
    z.tiende(d.instellingen.opritM).replace(/,0$/, "");
  $("svp-net").textContent = d.instellingen.netPassend.join(" of ");

  function sbiInfo() {
    var code = $("svp-sbi").value.trim(), hit = code ? z.sbiLookup(d, code) : null;
    if (!code) { $("svp-sbi-info").textContent = ""; return null; }
    if (!hit) { $("svp-sbi-info").textContent = "niet in de SBI-tabel: kies een milieucategorie"; return null; }
    var span = hit.catMin === hit.catMax ? hit.catMin : hit.catMin + " – " + hit.catMax;
    $("svp-sbi-info").textContent = "categorie " + span + ": " + hit.omschrijving +
      (z.sbiWatergebonden(d, code) ? " (watergebonden)" : "");
    return hit;
  }
  $("svp-sbi").addEventListener("input", sbiInfo);

  /* the profile as `pipeline zoek` builds it from its arguments (commando.py) */
  function profiel() {
    var hit = sbiInfo(), cat = $("svp-categorie").value || (hit ? hit.catMax : "");
    if (!cat) return {fout: "Geef een SBI-code uit de tabel of kies een milieucategorie."};
    var ha = parseFloat($("svp-ha").value);
    if (!(ha > 0)) return {fout: "Geef de oppervlakte in ha (meer dan 0)."};
    var keuze = $("svp-water").value, code = $("svp-sbi").value.trim();
    var water = keuze === "ja" || (keuze === "sbi" && !!code && z.sbiWatergebonden(d, code));
    var cemt = $("svp-cemt").value;
    return {categorie: cat, catRank: d.categorieen.indexOf(cat), ha: ha, m2: Math.floor(ha * 10000 + 0.5),
            water: water, cemt: water ? cemt : null, cemtRank: d.cemt.indexOf(cemt), spoor: $("svp-spoor").checked,
            snelweg: $("svp-snelweg").checked, mwAfname: parseFloat($("svp-afname").value) || 0,
            mwInvoeding: parseFloat($("svp-invoeding").value) || 0, regio: $("svp-regio").value || null};
  }

  var map = L.map("kaart", {maxZoom: 19});
  L.control.scale({imperial: false}).addTo(map);
  L.geoJSON(d.terreinGeo, {style: {color: "#000", weight: 1.5, fill: false}, interactive: false}).addTo(map);
  var lagen = {};
  var kavels = L.geoJSON(d.kavelGeo, {
    style: {color: "#777", weight: 0.5, fillColor: "#cccccc", fillOpacity: 0.5},
    onEachFeature: function (f, l) {
      var i = f.properties.i;
      lagen[i] = l;
      l.bindTooltip("Kavel " + esc(d.kavels.id[i]) + " – " + z.haTekst(d.kavels.m2[i]) + " – " +
                    esc(d.beschikbaar[d.kavels.besch[i]]), {sticky: true});
    }
  }).addTo(map);
  if (d.grenzen) map.fitBounds([[d.grenzen[1], d.grenzen[0]], [d.grenzen[3], d.grenzen[2]]]);
  else map.setView([51.6, 5.0], 9);

  var SYMBOOL = ["✓", "✗", "?", "–"], KLASSE = ["ja", "nee", "onbekend", "nvt"];
  function toon(lijst) {
    kavels.setStyle({color: "#777", weight: 0.5, fillColor: "#cccccc", fillOpacity: 0.5});
    var body = $("svp-resultaten").querySelector("tbody"), html = "";
    lijst.forEach(function (r) {
      var eisen = z.REGELS.map(function (k) {
        var u = r.uitkomst[k];
        return "<div class='" + KLASSE[u] + "' title='" + esc(z.UITKOMST[u]) + "'>" + SYMBOOL[u] + " " +
          esc(d.regels[k]) + ": " + esc(r.teksten[k]) + "</div>";
      }).join("");
      html += "<tr class='" + (r.voldoet ? "voldoet" : "bijna") + "' data-rang='" + r.rang + "'><td>" + r.rang +
        "</td><td class='svp-kavels'>" + esc(r.kavels) + "</td><td>" + esc(r.terrein) + " (" + esc(r.rin) + ")<br>" +
        esc(r.gemeente) + ", " + esc(r.vlagKlasse) + "<br>" + esc(r.beschikbaar) + "</td><td>" + eisen +
        "</td><td>" + esc(r.reden) + "</td></tr>";
      r.members.forEach(function (m) {
        if (lagen[m]) lagen[m].setStyle({color: "#222", weight: 1.5, fillColor: r.voldoet ? "#1a9641" : "#f4a582",
                                         fillOpacity: 0.8});
      });
    });
    body.innerHTML = html;
    Array.prototype.forEach.call(body.querySelectorAll("tr"), function (tr, n) {
      tr.addEventListener("click", function () {
        Array.prototype.forEach.call(body.querySelectorAll("tr"), function (x) { x.classList.remove("gekozen"); });
        tr.classList.add("gekozen");
        var b = L.latLngBounds([]);
        lijst[n].members.forEach(function (m) { if (lagen[m]) b.extend(lagen[m].getBounds()); });
        if (b.isValid()) map.fitBounds(b, {padding: [40, 40], animate: false});
      });
    });
    var n = lijst.filter(function (r) { return r.voldoet; }).length;
    $("svp-samenvatting").textContent = lijst.length ? n + " van de " + lijst.length +
      " getoonde plekken voldoen aan alle eisen." : "Geen kandidaat gevonden.";
  }

  $("svp-zoekform").addEventListener("submit", function (e) {
    e.preventDefault();
    var p = profiel();
    $("svp-melding").textContent = p.fout || "";
    if (p.fout) { toon([]); return; }
    window.svpResultaat = z.zoek(d, p);
    toon(window.svpResultaat);
  });
})();
