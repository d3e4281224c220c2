// The review page's chart: every run's quality over wall-clock minutes.
(function () {
  "use strict";
  var node = document.getElementById("curve-data");
  var target = document.getElementById("curves");
  if (!node || !target || typeof Plotly === "undefined") return;
  var plain = window.ChartText.plain;
  var traces = JSON.parse(node.textContent).map(function (trace) {
    return { name: plain(trace.name), x: trace.x, y: trace.y, mode: trace.mode, type: trace.type };
  });
  if (!traces.length) return;
  Plotly.newPlot("curves", traces, {
    margin: {t: 10}, xaxis: {title: {text: "wall clock (min)"}},
    yaxis: {title: {text: plain(target.dataset.metric || "quality")}}
  }, {responsive: true, displaylogo: false});
})();
