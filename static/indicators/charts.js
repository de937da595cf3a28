/* Draws the Plotly figures the page embeds as JSON (json_script), and switches
   the breakdown between its dimensions without a reload. Without JavaScript the
   switch is a plain link (?dimension=...) and the tables give the numbers. */
(function () {
  "use strict";

  // Django's JavaScript catalogue (/jsi18n/, loaded by base.html) translates; without it, English.
  var gettext = window.gettext || function (text) { return text; };
  // Plotly's own locale file for the page's language (static/indicators/plotly-locales, included by
  // _plotly_scripts.html) gives its words, dates and numbers. The PNG button is named like the SVG one, from
  // the catalogue, wherever the catalogue has the words (Plotly's Basque file names no button); else Plotly's.
  var language = document.documentElement.lang || "en";
  var pngName = gettext("Download the chart as PNG");
  var locales = {};
  if (language === "en" || pngName !== "Download the chart as PNG") {
    locales[language] = { dictionary: { "Download plot as a PNG": pngName } };
  }

  // The toolbar offers the chart as PNG (Plotly's camera button) and as SVG; nothing else.
  var svgButton = {
    name: gettext("Download the chart as SVG"),
    icon: { width: 1000, height: 1000, path: "M500 50 L500 650 M300 450 L500 650 L700 450 M150 800 L850 800 L850 950 L150 950 Z",
            transform: "matrix(1 0 0 1 0 0)" },
    click: function (gd) {
      window.Plotly.downloadImage(gd, { format: "svg", filename: gd.id || "lcamp-chart" });
    }
  };
  var config = {
    responsive: true,
    displaylogo: false,
    locale: language,
    locales: locales,
    modeBarButtons: [["toImage", svgButton]],
    toImageButtonOptions: { format: "png", filename: "lcamp-chart", scale: 2 }
  };

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
    var options = config;
    var topojsonURL = container.getAttribute("data-topojson-url");
    if (topojsonURL) {
      // plotly.js loads a base map for every geo plot, from its CDN unless told otherwise: the app serves it.
      options = Object.assign({}, config, { topojsonURL: topojsonURL });
    }
    window.Plotly.newPlot(container, figure.data, figure.layout, options).then(function () {
      // Plotly's toolbar links carry their name in data-title only: give them an accessible one.
      container.querySelectorAll(".modebar-btn").forEach(function (button) {
        button.setAttribute("aria-label", button.getAttribute("data-title") || gettext("Download"));
        button.setAttribute("role", "button");
      });
    });
    container.setAttribute("data-drawn", "true");
  }

  function drawAll() {
    document.querySelectorAll(".chart[data-figure]").forEach(function (container) {
      if (!container.closest("[hidden]")) {
        draw(container);
      }
    });
  }
  drawAll();
  // The live dashboard swaps its cards and charts in place (updating.js): it draws the new charts with this.
  window.lcampDrawCharts = drawAll;

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
