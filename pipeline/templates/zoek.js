/* "Zoek een plek": the fit rules of `pipeline zoek` in the browser, over the run's kavels embedded in the page.
   The same candidates (pipeline/zoek/groepen.py), rules (regels.py), order and texts (rangorde.py): keep them
   in step. Whole numbers (m², quay metres) and the same rounding, so the sums and ties equal numpy's. */
window.svpZoek = (function () {
  "use strict";
  var JA = 0, NEE = 1, ONBEKEND = 2, NVT = 3, UITKOMST = ["ja", "nee", "onbekend", "n.v.t."];
  var REGELS = ["categorie", "oppervlakte", "kade", "spoor", "weg", "afname", "invoeding"];

  function intTekst(n) { return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, "."); }
  function halfUp(x) { return Math.floor(x + 0.5); }
  function haTekst(m2) { var t = halfUp(m2 / 1000); return intTekst(Math.floor(t / 10)) + "," + (t % 10) + " ha"; }
  function tiende(x) { var t = halfUp(x * 10); return intTekst(Math.floor(t / 10)) + "," + (t % 10); }
  function digits(code) {
    var s = String(code).trim().replace(/^(\d)(\.|$)/, "0$1$2").replace(/[^0-9]/g, "");
    return s === "" ? null : s;
  }

  /* SBI code -> {groep, catMin, catMax, omschrijving, soort} from the first table with a matching group */
  function sbiLookup(d, code) {
    var norm = digits(code);
    if (!norm) return null;
    for (var t = 0; t < d.sbi.tabellen.length; t++) {
      var g = d.sbi.tabellen[t].groepen;
      for (var n = norm.length; n >= 1; n--) {
        var hit = g[norm.slice(0, n)];
        if (hit) return {groep: norm.slice(0, n), catMin: hit[0], catMax: hit[1], omschrijving: hit[2],
                         soort: d.sbi.tabellen[t].soort};
      }
    }
    return null;
  }
  function sbiWatergebonden(d, code) {
    var norm = digits(code);
    return !!norm && d.sbi.watergebonden.some(function (p) { return norm.indexOf(p) === 0; });
  }

  /* groepen.py: grow from a seed by the largest adjacent kavel, ties to the lowest row */
  function grow(k, seed, need, allowed, maxK) {
    var members = [seed], inside = {}, total = k.m2[seed], frontier = {};
    inside[seed] = true;
    k.buren[seed].forEach(function (j) { if (allowed[j]) frontier[j] = true; });
    while (total < need && members.length < maxK) {
      var best = -1;
      Object.keys(frontier).forEach(function (s) {
        var j = +s;
        if (best < 0 || k.m2[j] > k.m2[best] || (k.m2[j] === k.m2[best] && j < best)) best = j;
      });
      if (best < 0) break;
      delete frontier[best];
      members.push(best); inside[best] = true; total += k.m2[best];
      k.buren[best].forEach(function (j) { if (allowed[j] && !inside[j]) frontier[j] = true; });
    }
    if (total < need) return null;
    return members.sort(function (a, b) { return a - b; });
  }

  function candidates(d, p) {
    var k = d.kavels, n = k.id.length, scope = [], allowed = [], out = [], seen = {};
    for (var i = 0; i < n; i++) {
      scope[i] = !p.regio || d.terreinen[k.rin[i]].regio === p.regio;
      allowed[i] = scope[i] && k.cat[i] >= p.catRank && !k.nw[i];
      if (scope[i]) out.push([i]);
    }
    for (i = 0; i < n; i++) {
      if (!(allowed[i] && k.m2[i] < p.m2)) continue;
      var g = grow(k, i, p.m2, allowed, d.instellingen.maxKavels);
      if (g && g.length > 1 && !seen[g.join(",")]) { seen[g.join(",")] = true; out.push(g); }
    }
    return out;
  }

  /* regels.py: aggregate over the members, then the outcome of every rule */
  function aggregate(d, p, members) {
    var k = d.kavels, s = d.instellingen, v = {m2: 0, cat: 99, nw: false, besch: 0, hmc: false, kadeAlle: 0,
      spoor: Infinity, oprit: Infinity, kadeOk: 0, kadeOnb: 0, kadeBest: -1, n: members.length,
      afnameOk: 0, afnameOnb: 0, invoedingOk: 0, invoedingOnb: 0};
    var klasse = p.water ? p.cemtRank : 0;
    members.forEach(function (i) {
      v.m2 += k.m2[i]; v.cat = Math.min(v.cat, k.cat[i]); v.nw = v.nw || !!k.nw[i];
      v.besch = Math.max(v.besch, k.besch[i]); v.hmc = v.hmc || !!k.hmc[i]; v.kadeAlle += k.kadeAlle[i];
      v.spoor = k.spoor[i] === null ? NaN : Math.min(v.spoor, k.spoor[i]);
      v.oprit = k.oprit[i] === null ? NaN : Math.min(v.oprit, k.oprit[i]);
      k.kades[i].forEach(function (q) {
        if (q[0] >= klasse) v.kadeOk += q[1];
        if (q[0] < 0) v.kadeOnb += q[1];
        v.kadeBest = Math.max(v.kadeBest, q[0]);
      });
      ["afname", "invoeding"].forEach(function (r) {
        d.statussen.forEach(function (st, j) {
          if (s.netPassend.indexOf(st) >= 0) v[r + "Ok"] += k[r][i][j];
          else if (st === "onbekend") v[r + "Onb"] += k[r][i][j];
        });
      });
    });
    v.rin = k.rin[members[0]];
    var t = d.terreinen[v.rin];
    v.strategisch = t.strategisch; v.afnameMw = t.afnameMw; v.invoedingMw = t.invoedingMw;
    return v;
  }

  function netOutcome(v, r, mw, s) {
    if (!mw || mw <= 0) return NVT;
    var avail = v[r + "Mw"];
    if (avail !== null && avail < mw) return NEE;
    var need = s.netMinAandeel * v.m2, ok = v[r + "Ok"], unk = v[r + "Onb"];
    return ok >= need ? JA : (ok + unk >= need ? ONBEKEND : NEE);
  }

  function outcomes(d, p, v) {
    var s = d.instellingen, o = {};
    o.categorie = v.cat < 0 ? ONBEKEND : ((v.cat >= p.catRank && !v.nw) ? JA : NEE);
    o.oppervlakte = v.m2 >= p.m2 ? JA : NEE;
    if (p.water) {
      var enough = v.kadeOk >= s.kadeMinM && v.kadeOk > 0;
      o.kade = enough ? JA : ((v.kadeOnb > 0 && v.kadeOk + v.kadeOnb >= s.kadeMinM) ? ONBEKEND : NEE);
    } else { o.kade = NVT; }
    o.spoor = !p.spoor ? NVT : (isNaN(v.spoor) ? ONBEKEND : (v.spoor <= s.spoorM ? JA : NEE));
    o.weg = !p.snelweg ? NVT : (isNaN(v.oprit) ? ONBEKEND : (v.oprit <= s.opritM ? JA : NEE));
    o.afname = netOutcome(v, "afname", p.mwAfname, s);
    o.invoeding = netOutcome(v, "invoeding", p.mwInvoeding, s);
    return o;
  }

  function evaluate(d, p) {
    var s = d.instellingen, hmcNodig = p.catRank >= s.hmcRank, schaarsNodig = hmcNodig || p.water || p.spoor;
    return candidates(d, p).map(function (members, index) {
      var v = aggregate(d, p, members), o = outcomes(d, p, v);
      var c = {index: index, members: members, v: v, o: o, nNee: 0, nOnb: 0};
      REGELS.forEach(function (r) { if (o[r] === NEE) c.nNee++; if (o[r] === ONBEKEND) c.nOnb++; });
      c.schaars = {hmc: v.hmc && !hmcNodig, kade: v.kadeAlle > 0 && !p.water,
                   strategisch: v.strategisch && !schaarsNodig};
      c.nSchaars = (c.schaars.hmc ? 1 : 0) + (c.schaars.kade ? 1 : 0) + (c.schaars.strategisch ? 1 : 0);
      c.teGroot = v.m2 > (1 + s.maxOvermaat) * p.m2 ? 1 : 0;
      return c;
    });
  }

  /* rangorde.py: order, then the disjoint selection */
  function rank(cands, p) {
    var keys = function (c) { return [c.nNee, c.nOnb, c.nSchaars, c.teGroot, c.v.besch, c.v.n,
                                      Math.abs(c.v.m2 - p.m2), c.members[0]]; };
    return cands.slice().sort(function (a, b) {
      var ka = keys(a), kb = keys(b);
      for (var i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
      return a.index - b.index;
    });
  }
  function select(ranked, aantal) {
    var limit = 1, used = {}, out = [];
    if (ranked.length) limit = Math.max(1, Math.min.apply(null, ranked.map(function (c) { return c.nNee; })));
    for (var i = 0; i < ranked.length && out.length < aantal; i++) {
      var c = ranked[i];
      if (c.nNee > limit || c.members.some(function (m) { return used[m]; })) continue;
      c.members.forEach(function (m) { used[m] = true; });
      out.push(c);
    }
    return out;
  }

  function kadeTekst(d, c, p) {
    var v = c.v, text;
    if (v.kadeOk > 0) {
      text = intTekst(v.kadeOk) + " m aan klasse ≥ " + p.cemt;
      return v.kadeOk >= d.instellingen.kadeMinM ? text
        : text + " (minder dan " + intTekst(halfUp(d.instellingen.kadeMinM)) + " m)";
    }
    if (v.kadeBest >= 0) return "kade alleen aan bereikbare klasse " + d.cemt[v.kadeBest];
    return v.kadeOnb > 0 ? "kade, bereikbare klasse onbekend" : "geen bruikbare kade";
  }
  function netTekst(d, c, r) {
    var v = c.v, pct = v.m2 > 0 ? halfUp(100 * v[r + "Ok"] / v.m2) : 0;
    var text = pct + " % " + d.instellingen.netPassend.join(" of ");
    return v[r + "Mw"] === null ? text : text + "; " + tiende(v[r + "Mw"]) + " MW beschikbaar";
  }
  function ruleTexts(d, c, p) {
    var v = c.v, t = {};
    t.categorie = (v.cat < 0 ? "categorie onbekend" : "mogelijk t/m " + d.categorieen[v.cat]) +
      (v.nw ? "; niet waarmaakbaar" : "");
    t.oppervlakte = haTekst(v.m2) + (v.n > 1 ? " (" + v.n + " kavels)" : "");
    t.kade = p.water ? kadeTekst(d, c, p) : "niet gevraagd";
    t.spoor = !p.spoor ? "niet gevraagd" : (isNaN(v.spoor) ? "geen spoorlaag" : "spoor op " + intTekst(halfUp(v.spoor)) + " m");
    t.weg = !p.snelweg ? "niet gevraagd" : (isNaN(v.oprit) ? "geen laag met opritten" : "oprit op " + intTekst(halfUp(v.oprit)) + " m");
    t.afname = p.mwAfname > 0 ? netTekst(d, c, "afname") : "niet gevraagd";
    t.invoeding = p.mwInvoeding > 0 ? netTekst(d, c, "invoeding") : "niet gevraagd";
    return t;
  }
  function notes(d, c, p) {
    var out = [], v = c.v;
    if (p.catRank < d.instellingen.hmcRank) {
      if (v.hmc) out.push("let op: HMC-kavel, het bedrijf heeft geen HMC nodig");
      else if (c.schaars.strategisch) out.push("let op: strategisch terrein, het bedrijf heeft geen schaarse kwaliteit nodig");
      else if (!v.strategisch) out.push("geen HMC nodig: niet-strategische kavel voorgesteld");
      else out.push("geen HMC nodig: kavel zonder HMC-ruimte voorgesteld");
    }
    if (!p.water) out.push(v.kadeAlle > 0 ? "let op: kadekavel, het bedrijf is niet watergebonden"
                                           : "niet watergebonden: kavel zonder kade voorgesteld");
    return out;
  }
  function reden(d, c, p) {
    var nee = [], onb = [];
    REGELS.forEach(function (r) {
      if (c.o[r] === NEE) nee.push(d.regels[r]);
      if (c.o[r] === ONBEKEND) onb.push(d.regels[r]);
    });
    var head = (!nee.length && !onb.length) ? "voldoet aan alle eisen"
      : (nee.length ? "voldoet niet aan: " + nee.join(", ") : "voldoet aan de bekende eisen");
    var parts = [head + (onb.length ? "; onbekend: " + onb.join(", ") : "")];
    if (c.v.n > 1) parts.push(c.v.n + " aangrenzende kavels");
    parts = parts.concat(notes(d, c, p));
    if (c.v.besch === 2) parts.push("in gebruik maar onderbenut: overleg met de eigenaar nodig");
    else if (c.v.besch === 1) parts.push("vacant, maar uitgegeven");
    if (c.teGroot) parts.push("ruim groter dan nodig");
    return parts.join("; ");
  }

  /* the whole search: profile (from the form) -> listed candidates with texts */
  function zoek(d, p) {
    var listed = select(rank(evaluate(d, p), p), p.aantal || d.instellingen.aantal);
    return listed.map(function (c, i) {
      var t = d.terreinen[c.v.rin];
      return {rang: i + 1, members: c.members, kavels: c.members.map(function (m) { return d.kavels.id[m]; }).join(", "),
              rin: c.v.rin, terrein: t.naam, gemeente: t.gemeente, vlagKlasse: t.vlagKlasse,
              beschikbaar: d.beschikbaar[c.v.besch], uitkomst: c.o, teksten: ruleTexts(d, c, p),
              voldoet: REGELS.every(function (r) { return c.o[r] === JA || c.o[r] === NVT; }),
              reden: reden(d, c, p)};
    });
  }

  return {zoek: zoek, sbiLookup: sbiLookup, sbiWatergebonden: sbiWatergebonden, haTekst: haTekst, tiende: tiende,
          REGELS: REGELS, UITKOMST: UITKOMST};
})();
