/* Shared formatting for the overview and the detail pages: HTML escaping and Dutch number formatting. */
window.svpOpmaak = (function () {
  "use strict";
  function esc(v) {
    return String(v).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function fmt(v) {
    if (v === null || v === undefined || v === "") return "–";
    if (v === true) return "ja";
    if (v === false) return "nee";
    if (typeof v === "number") {
      var digits = Math.abs(v) >= 100 ? 0 : (Math.abs(v) >= 10 ? 1 : 2);
      return v.toLocaleString("nl-NL", {maximumFractionDigits: digits});
    }
    return esc(v);
  }
  return {esc: esc, fmt: fmt};
})();
