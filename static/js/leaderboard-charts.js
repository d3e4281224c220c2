// Draws a leaderboard page's charts from the JSON the server embedded (json_script).
// The table works without this script; the charts are an addition. Legends never sit over an
// axis: the scaling chart's is above the plot, and the quality curves have none: a result's
// curves share its colour and are shown or hidden from its row in the table.
(function () {
  "use strict";
  var node = document.getElementById("chart-data");
  if (!node || typeof Plotly === "undefined") return;
  var data = JSON.parse(node.textContent);
  // Every label below goes through plain() (chart-text.js): plotly reads HTML in labels.
  var plain = window.ChartText.plain;
  var config = { responsive: true, displaylogo: false };
  var palette = ["#0b5cad", "#b3261e", "#1f7a3a", "#9a6200", "#6a3d9a", "#00838f", "#c2185b",
                 "#5d4037", "#455a64", "#827717"];

  function shorten(text, length) {
    return text.length <= length ? text : text.slice(0, length - 1) + "…";
  }

  function trim(value) {
    return String(Number(value.toPrecision(3)));
  }

  // Ticks 1, 2, 5, 10, 20, 50 ... over a narrow range; 1, 10, 100 ... over a wide one, and a
  // range padded by a fifth of a decade so that no point sits on an axis.
  function logAxis(values, title) {
    var low = Math.min.apply(null, values), high = Math.max.apply(null, values);
    var from = Math.floor(Math.log10(low)), to = Math.ceil(Math.log10(high));
    var steps = to - from > 3 ? [1] : [1, 2, 5];
    var ticks = [];
    for (var e = from; e <= to; e++) {
      steps.forEach(function (s) {
        var v = s * Math.pow(10, e);
        if (v >= low / 2.5 && v <= high * 2.5) ticks.push(v);
      });
    }
    var pad = 0.2;
    return {
      type: "log", title: { text: plain(title), standoff: 8 }, automargin: true,
      range: [Math.log10(low) - pad, Math.log10(high) + pad],
      tickvals: ticks, ticktext: ticks.map(trim),
    };
  }

  function scalingChart() {
    var target = document.getElementById("chart-scaling");
    if (!target) return;
    var points = data.points.filter(function (p) { return p.accelerators > 0 && p.score > 0; });
    var groups = {};
    points.forEach(function (p) { (groups[p.accelerator] = groups[p.accelerator] || []).push(p); });
    var traces = Object.keys(groups).map(function (name) {
      var pts = groups[name];
      return {
        type: "scatter", mode: "markers", name: plain(name || "unknown"), marker: { size: 10 },
        x: pts.map(function (p) { return p.accelerators; }),
        y: pts.map(function (p) { return p.score; }),
        text: pts.map(function (p) { return plain(p.label); }),
        customdata: pts.map(function (p) { return p.url; }),
        hovertemplate: "%{text}<br>%{x} accelerators<br>%{y:.4g} " + plain(data.unit) + "<extra></extra>",
      };
    });
    Plotly.newPlot(target, traces, {
      margin: { l: 10, r: 10, t: 10, b: 10 },
      xaxis: logAxis(points.map(function (p) { return p.accelerators; }), "Accelerators (log scale)"),
      yaxis: logAxis(points.map(function (p) { return p.score; }), (data.score_label || data.unit) + ", log scale"),
      legend: { orientation: "h", x: 0, y: 1, yanchor: "bottom" },
    }, config);
    target.on("plotly_click", function (ev) {
      var url = ev.points && ev.points[0] && ev.points[0].customdata;
      if (url) window.location.href = url;
    });
  }

  function efficiencyChart() {
    var target = document.getElementById("chart-efficiency");
    if (!target) return;
    var eff = data.points.filter(function (p) { return p.efficiency !== null; }).reverse();
    // Horizontal bars: the results' names read as written, beside their bars.
    Plotly.newPlot(target, [{
      type: "bar", orientation: "h",
      y: eff.map(function (p, i) { return i; }),
      x: eff.map(function (p) { return p.efficiency; }),
      text: eff.map(function (p) { return plain(p.label); }), textposition: "none",
      marker: { color: "#0b5cad" },
      hovertemplate: "%{text}<br>%{x:.4g}<extra></extra>",
    }], {
      height: Math.max(320, 100 + 32 * eff.length),
      margin: { l: 10, r: 10, t: 10, b: 10 },
      xaxis: { title: { text: plain(data.efficiency_unit), standoff: 8 }, automargin: true },
      // Names shortened beside the bars (in full on hover), so the bars keep their width.
      yaxis: { automargin: true, tickvals: eff.map(function (p, i) { return i; }),
               ticktext: eff.map(function (p) { return plain(shorten(p.label, 26)); }) },
    }, config);
  }

  function curvesChart() {
    var target = document.getElementById("chart-curves");
    if (!target) return;
    var colours = {}, order = [];
    data.curves.forEach(function (c) {
      if (!(c.result in colours)) {
        colours[c.result] = palette[order.length % palette.length];
        order.push(c.result);
      }
    });
    var traces = data.curves.map(function (c) {
      return {
        type: "scatter", mode: "lines+markers", name: plain(c.label), legendgroup: c.result,
        showlegend: false, x: c.minutes, y: c.quality,
        line: { color: colours[c.result], width: 1.5 }, marker: { size: 4 },
        hovertemplate: plain(c.label) + "<br>%{x:.1f} min<br>%{y:.4g}<extra></extra>",
      };
    });
    var maxMinutes = 0;
    data.curves.forEach(function (c) { c.minutes.forEach(function (m) { if (m > maxMinutes) maxMinutes = m; }); });
    Plotly.newPlot(target, traces, {
      margin: { l: 10, r: 10, t: 10, b: 10 }, showlegend: false,
      xaxis: { title: { text: "Minutes since run start", standoff: 8 }, automargin: true },
      yaxis: { title: { text: plain(data.quality_label), standoff: 8 }, automargin: true },
      shapes: [{ type: "line", x0: 0, x1: maxMinutes || 1, y0: data.target, y1: data.target,
                 line: { dash: "dot", color: "#b3261e" } }],
    }, config);
    order.forEach(function (result) { addToggle(target, traces, result, colours[result]); });
  }

  // A checkbox in the result's row of the table shows or hides its curves.
  function addToggle(target, traces, result, colour) {
    var cell = document.querySelector('#leaderboard tr[data-submission="' + result + '"] td.c-system');
    if (!cell) return;
    var label = document.createElement("label");
    label.className = "curve-toggle";
    var box = document.createElement("input");
    box.type = "checkbox";
    box.checked = true;
    box.setAttribute("data-result", result);
    var swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.setAttribute("data-colour", colour);
    swatch.style.setProperty("background", colour);
    label.appendChild(box);
    label.appendChild(swatch);
    label.appendChild(document.createTextNode("curves"));
    cell.appendChild(label);
    box.addEventListener("change", function () {
      var indices = [];
      traces.forEach(function (t, i) { if (t.legendgroup === result) indices.push(i); });
      Plotly.restyle(target, { visible: box.checked }, indices);
    });
  }

  scalingChart();
  efficiencyChart();
  curvesChart();
})();
