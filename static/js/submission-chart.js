// A submission page's chart: each run's quality over training time, from the embedded JSON.
(function () {
  "use strict";
  var node = document.getElementById("quality-data");
  if (!node || typeof Plotly === "undefined") return;
  var plain = window.ChartText.plain;
  var data = JSON.parse(node.textContent);
  var traces = data.runs.map(function (run) {
    return {
      name: plain(run.name), mode: "lines+markers", type: "scatter",
      x: run.curve.map(function (p) { return p.time_s / 60; }),
      y: run.curve.map(function (p) { return p.quality; }),
      text: run.curve.map(function (p) { return "epoch " + plain(p.epoch); })
    };
  });
  var shapes = [];
  if (data.target !== null) {
    shapes.push({type: "line", xref: "paper", x0: 0, x1: 1, y0: data.target, y1: data.target,
                 line: {dash: "dash", color: "#b3261e"}});
  }
  Plotly.newPlot("quality-chart", traces, {
    margin: {t: 20, r: 10, b: 50, l: 60},
    xaxis: {title: {text: "Training time (min)"}},
    yaxis: {title: {text: plain(data.metric)}},
    shapes: shapes,
    legend: {orientation: "h", y: -0.25}
  }, {responsive: true, displaylogo: false});
})();
