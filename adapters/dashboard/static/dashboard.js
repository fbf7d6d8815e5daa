// Draws every figure of the page: each is a <script type="application/json"
// data-figure="ID"> element holding a plotly figure, drawn into the element ID.
// Kept out of the HTML so the pages need no inline script (see the CSP header).
(function () {
  "use strict";
  function draw() {
    document.querySelectorAll("script[data-figure]").forEach(function (source) {
      var target = document.getElementById(source.dataset.figure);
      if (!target) { return; }
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(target, figure.data, figure.layout || {}, {
        responsive: true,
        displaylogo: false,
        modeBarButtonsToRemove: ["select2d", "lasso2d"]
      }).then(function () { target.dataset.drawn = "true"; });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
