// Draws a leaderboard page's charts from the JSON the server embedded (json_script).
// The table works without this script; the charts are an addition.
(function () {
  "use strict";
  var node = document.getElementById("chart-data");
  if (!node || typeof Plotly === "undefined") return;
  var data = JSON.parse(node.textContent);
  var plain = window.ChartText.plain;
  var config = { responsive: true, displaylogo: false };
  var margin = { l: 60, r: 10, t: 40, b: 50 };

  function byAccelerator(points) {
    var groups = {};
    points.forEach(function (p) {
      (groups[p.accelerator] = groups[p.accelerator] || []).push(p);
    });
    return groups;
  }

  var groups = byAccelerator(data.points.filter(function (p) { return p.accelerators > 0 && p.score > 0; }));
  var scaling = Object.keys(groups).map(function (name) {
    var pts = groups[name];
    return {
      type: "scatter", mode: "markers", name: plain(name || "unknown"),
      x: pts.map(function (p) { return p.accelerators; }),
      y: pts.map(function (p) { return p.score; }),
      text: pts.map(function (p) { return plain(p.label); }),
      customdata: pts.map(function (p) { return p.url; }),
      hovertemplate: "%{text}<br>%{x} accelerators<br>%{y:.4g} " + plain(data.unit) + "<extra></extra>",
    };
  });
  Plotly.newPlot("chart-scaling", scaling, {
    title: { text: plain(data.unit) + " vs accelerators" }, margin: margin,
    xaxis: { type: "log", title: { text: "Accelerators" } },
    yaxis: { type: "log", title: { text: plain(data.unit) } },
    legend: { orientation: "h", y: -0.25 },
  }, config);
  document.getElementById("chart-scaling").on("plotly_click", function (ev) {
    var url = ev.points && ev.points[0] && ev.points[0].customdata;
    if (url) window.location.href = url;
  });

  var eff = data.points.filter(function (p) { return p.efficiency !== null; });
  Plotly.newPlot("chart-efficiency", [{
    type: "bar",
    x: eff.map(function (p) { return plain(p.label); }),
    y: eff.map(function (p) { return p.efficiency; }),
    hovertemplate: "%{x}<br>%{y:.4g}<extra></extra>",
  }], {
    title: { text: plain(data.efficiency_unit) }, margin: { l: 60, r: 10, t: 40, b: 120 },
    xaxis: { tickangle: -40, automargin: true }, yaxis: { title: { text: plain(data.efficiency_unit) } },
  }, config);

  var curves = data.curves.map(function (c) {
    return { type: "scatter", mode: "lines+markers", name: plain(c.label), x: c.minutes, y: c.quality };
  });
  var maxMinutes = 0;
  data.curves.forEach(function (c) { c.minutes.forEach(function (m) { if (m > maxMinutes) maxMinutes = m; }); });
  Plotly.newPlot("chart-curves", curves, {
    title: { text: plain(data.quality_label) + " over time" }, margin: margin,
    xaxis: { title: { text: "Minutes since run start" } },
    yaxis: { title: { text: plain(data.quality_label) } },
    shapes: [{ type: "line", x0: 0, x1: maxMinutes || 1, y0: data.target, y1: data.target,
               line: { dash: "dot", color: "#b3261e" } }],
    legend: { orientation: "h", y: -0.25 },
  }, config);
})();
