/* Shared by the overview and the detail pages: HTML escaping, Dutch number formatting, layers written by columns.
   A column description `col` is the catalogue's {label, unit, decimals} for that column (kaartdata.py),
   so a value shows with the same decimals as in the report. */
window.svpOpmaak = (function () {
  "use strict";
  function esc(v) {
    return String(v).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  // a value as HTML: a number in nl-NL with the column's decimals, ja/nee, escaped text, '–' when missing
  function fmt(v, col) {
    if (v === null || v === undefined || v === "") return "–";
    if (v === true) return "ja";
    if (v === false) return "nee";
    if (typeof v === "number") {
      var d = col && typeof col.decimals === "number" ? col.decimals : null;
      return d === null ? v.toLocaleString("nl-NL")
                        : v.toLocaleString("nl-NL", {minimumFractionDigits: d, maximumFractionDigits: d});
    }
    return esc(v);
  }
  // the same with the column's unit after a number: '12,5 ha', '80%'
  function fmtUnit(v, col) {
    var text = fmt(v, col);
    if (typeof v !== "number" || !col || !col.unit) return text;
    return text + (col.unit === "%" ? "" : "\u00a0") + esc(col.unit);
  }
  // the column's Dutch label as HTML (the name itself when the page has no description)
  function label(name, col) {
    return esc(col ? col.label : name);
  }
  // a FeatureCollection written by columns (kaartdata.features with by_column: the names once in `velden`, per
  // feature its `waarden`) made plain GeoJSON in place: each feature's properties, missing values left out
  function uitpakken(fc) {
    if (!fc || fc.type !== "FeatureCollection" || !fc.velden) return fc;
    fc.features.forEach(function (f) {
      var p = {};
      f.waarden.forEach(function (v, j) { if (v !== null) p[fc.velden[j]] = v; });
      f.properties = p;
      delete f.waarden;
    });
    delete fc.velden;
    return fc;
  }
  return {esc: esc, fmt: fmt, fmtUnit: fmtUnit, label: label, uitpakken: uitpakken};
})();
