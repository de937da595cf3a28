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

  // Below this width (the chart's own, in CSS pixels) a chart is laid out for a phone.
  var PHONE_WIDTH = 600;

  function isPhone(container) {
    var width = container.getBoundingClientRect().width;
    return width > 0 && width < PHONE_WIDTH;
  }

  /* The figure's layout for a phone: the legend in rows below everything else (Plotly reserves
     the room for it under the axis title), smaller type, axes that make room for their labels,
     narrow margins (a note such as "today" keeps its room above the plot, below the toolbar). */
  function phoneLayout(layout) {
    var phone = JSON.parse(JSON.stringify(layout));
    var margin = phone.margin || {};
    var top = (phone.annotations || []).length ? margin.t : Math.min(margin.t === undefined ? 8 : margin.t, 8);
    phone.margin = Object.assign({}, margin, { l: 8, r: 8, t: top, b: 8 });
    phone.font = Object.assign({}, phone.font, { size: 12 });
    Object.keys(phone).forEach(function (key) {
      if (/^[xy]axis\d*$/.test(key)) {
        var axis = phone[key];
        axis.automargin = true;
        axis.tickfont = Object.assign({}, axis.tickfont, { size: 11 });
        if (axis.title) {
          axis.title = Object.assign({}, axis.title, { standoff: 6, font: Object.assign({}, axis.title.font, { size: 12 }) });
        }
        if (axis.type === "date" && key.charAt(0) === "x") {
          // Few enough dates to stand upright side by side.
          axis.nticks = 4;
          axis.tickangle = 0;
        }
      }
    });
    if (phone.showlegend !== false) {
      phone.legend = Object.assign({}, phone.legend, {
        orientation: "h", x: 0, xanchor: "left", xref: "container", y: 0, yanchor: "bottom", yref: "container",
        font: { size: 11 }
      });
    }
    return phone;
  }

  // A copy each time: Plotly changes the layout it is given (a resize drops its height), the figure stays as sent.
  function layoutFor(container, figure) {
    return isPhone(container) ? phoneLayout(figure.layout) : JSON.parse(JSON.stringify(figure.layout));
  }

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
    if (figure.layout.height) {
      // The box keeps the figure's height: a responsive chart is resized to its box, which would
      // otherwise shrink to the stylesheet's minimum when the window changes width.
      container.style.height = figure.layout.height + "px";
    }
    container.lcampFigure = figure;
    container.lcampOptions = options;
    container.lcampPhone = isPhone(container);
    window.Plotly.newPlot(container, figure.data, layoutFor(container, figure), options).then(function () {
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

  // A chart whose width crosses the phone's (a turned phone, a resized window) is laid out again.
  function relayoutAll() {
    document.querySelectorAll(".chart[data-drawn='true']").forEach(function (container) {
      if (!container.lcampFigure || container.closest("[hidden]") || isPhone(container) === container.lcampPhone) {
        return;
      }
      container.lcampPhone = isPhone(container);
      window.Plotly.react(container, container.lcampFigure.data, layoutFor(container, container.lcampFigure),
                          container.lcampOptions);
    });
  }
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(relayoutAll, 150);
  });
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
              relayoutAll();
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
