// The statistics page (templates/analytics/statistics.html): draws each <canvas data-chart="ID">
// with Chart.js from the JSON the server put in <script id="ID" type="application/json">. The
// tables below the charts hold the same numbers, so without JavaScript nothing is lost.
(function () {
  "use strict";

  var PALETTE = ["#1c4680", "#c26a00", "#1d5b2a", "#8a1414", "#4a1d8a", "#00727a", "#6b4d00",
                 "#b0306a", "#3d6b00", "#334455", "#7a3d00", "#2a5fb0", "#5b1f66", "#607d8b"];

  function datasets(spec) {
    return spec.datasets.map(function (dataset, index) {
      var colour = PALETTE[index % PALETTE.length];
      return {
        label: dataset.label,
        data: dataset.data,
        borderColor: colour,
        backgroundColor: colour,
        tension: 0.2
      };
    });
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof window.Chart === "undefined") return;
    var spec = JSON.parse(source.textContent);
    var valueAxis = { beginAtZero: true, title: { display: true, text: spec.yTitle },
                      ticks: { precision: 0 } };
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets(spec) },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: spec.horizontal ? "y" : "x",
        plugins: { title: { display: true, text: spec.title }, legend: { position: "bottom" } },
        scales: spec.horizontal ? { x: valueAxis } : { y: valueAxis }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();
