// A submission's page: each run's quality over training time, from the JSON the server
// embedded (json_script). The runs table above has the same figures without this script.
(function () {
  "use strict";
  var node = document.getElementById("quality-data");
  if (!node || typeof Plotly === "undefined") return;
  // Labels go through plain() (chart-text.js): plotly reads HTML in labels.
  var plain = window.ChartText.plain;
  var data = JSON.parse(node.textContent);
  var traces = data.runs.map(function (run) {
    return {
      name: plain(run.name), mode: "lines+markers", type: "scatter",
      x: run.curve.map(function (p) { return p.time_s / 60; }),
      y: run.curve.map(function (p) { return p.quality; }),
      text: run.curve.map(function (p) { return "epoch " + plain(p.epoch); }),
    };
  });
  var shapes = [];
  if (data.target !== null) {
    shapes.push({ type: "line", xref: "paper", x0: 0, x1: 1, y0: data.target, y1: data.target,
                  line: { dash: "dash", color: "#b3261e" } });
  }
  // The legend sits above the plot, where it pushes the margin instead of covering an axis.
  Plotly.newPlot("quality-chart", traces, {
    margin: { t: 10, r: 10, b: 10, l: 10 },
    xaxis: { title: { text: "Training time (min)", standoff: 8 }, automargin: true },
    yaxis: { title: { text: plain(data.metric), standoff: 8 }, automargin: true },
    shapes: shapes,
    legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
  }, { responsive: true, displaylogo: false });
})();
