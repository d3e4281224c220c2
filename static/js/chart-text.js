// Plotly reads a subset of HTML in every label (names, hover text, tick labels, titles): a
// system named '<a href="...">' would become a live link. Every label a chart shows goes
// through plain(), which escapes it; plotly shows the escaped text as typed.
(function () {
  "use strict";
  function plain(value) {
    return String(value === null || value === undefined ? "" : value)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  window.ChartText = { plain: plain };
})();
