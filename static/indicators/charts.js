/* Draws the Plotly figures the page embeds as JSON (json_script), and switches
   the breakdown between its dimensions without a reload. Without JavaScript the
   switch is a plain link (?dimension=...) and the tables give the numbers. */
(function () {
  "use strict";

  var config = { responsive: true, displayModeBar: false };

  function figureData(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function draw(container) {
    if (!window.Plotly || container.getAttribute("data-drawn") === "true") {
      return;
    }
    var figure = figureData(container.getAttribute("data-figure"));
    if (!figure) {
      return;
    }
    window.Plotly.newPlot(container, figure.data, figure.layout, config);
    container.setAttribute("data-drawn", "true");
  }

  document.querySelectorAll(".chart[data-figure]").forEach(function (container) {
    if (!container.closest("[hidden]")) {
      draw(container);
    }
  });

  var options = document.querySelectorAll(".switch-option[data-dimension]");
  var panels = document.querySelectorAll(".breakdown[data-dimension]");
  options.forEach(function (option) {
    option.addEventListener("click", function (event) {
      event.preventDefault();
      var name = option.getAttribute("data-dimension");
      panels.forEach(function (panel) {
        var shown = panel.getAttribute("data-dimension") === name;
        panel.hidden = !shown;
        if (shown) {
          var chart = panel.querySelector(".chart[data-figure]");
          if (chart) {
            draw(chart);
            if (window.Plotly) {
              window.Plotly.Plots.resize(chart);
            }
          }
        }
      });
      options.forEach(function (other) {
        if (other === option) {
          other.setAttribute("aria-current", "true");
        } else {
          other.removeAttribute("aria-current");
        }
      });
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", option.getAttribute("href"));
      }
    });
  });
})();
