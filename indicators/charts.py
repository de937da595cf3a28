"""Figure builders: Plotly figures built in Python, handed to the page as JSON.

Each builder returns a ``plotly.graph_objects.Figure``; ``figure_data`` turns it
into the plain data the template embeds with ``json_script`` and
``static/indicators/charts.js`` draws with the plotly.js the app serves itself.
"""

import functools
import json
import math
import textwrap

import plotly.graph_objects as go
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils.translation import gettext

# The countries of Europe (Natural Earth via the world-atlas npm package, converted once by
# tools/europe-geojson/make_geojson.mjs); served by the app, never from a CDN.
EUROPE_GEOJSON = "indicators/europe.geojson"
# plotly.js fetches its own base map for any geo plot: charts.js points it here (data-topojson-url).
TOPOJSON_DIRECTORY = "indicators/topojson/"
NO_DATA = "#e3e6ea"
MARKER = "#a84300"

# Colours with at least 4.5:1 contrast on white (the same as the status colours in app.css).
ACTUAL = "#0b4f8a"
EXPECTED = "#58606b"
MILESTONE = "#8a5300"
TARGET = "#1d6b34"
TODAY = "#a11d1d"
BAR = "#1f5f99"

FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13, "color": "#1b1f24"}


def _layout(**extra):
    layout = {
        "font": FONT,
        "margin": {"l": 56, "r": 16, "t": 16, "b": 48},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        # In a row at the bottom of the figure, below the x axis' title: Plotly reserves the room for it there,
        # so the two never overlap, however narrow the chart.
        "legend": {"orientation": "h", "x": 0, "xref": "container", "y": 0, "yref": "container", "yanchor": "bottom"},
        "hovermode": "closest",
        "height": 360,
        "autosize": True,
        "template": "none",
    }
    layout.update(extra)
    return layout


def _wrapped(label, width=24):
    """A long category label on several lines, so that the bars keep room on a phone."""
    return "<br>".join(textwrap.wrap(str(label), width)) or str(label)


def _bars_height(labels, base):
    """Room for each bar and its label's lines."""
    return base + sum(12 + 17 * label.count("<br>") + 17 for label in labels)


def _number(value):
    return float(value) if value is not None else None


def history_figure(indicator, snapshots, trajectory, today, today_label=None):
    """Actual value over time, the expected trajectory, the milestones and the target.

    ``snapshots`` are the indicator's snapshots in date order (month-end and daily);
    ``trajectory`` the (date, value) points of the expected trajectory, first and
    last being the baseline at the project start and the target at the target date.
    """
    figure = go.Figure()
    figure.add_trace(go.Scatter(
        name=gettext("Expected"), x=[d.isoformat() for d, _ in trajectory], y=[_number(v) for _, v in trajectory],
        mode="lines", line={"color": EXPECTED, "dash": "dash", "width": 2},
    ))
    milestones = trajectory[1:-1]
    if milestones:
        figure.add_trace(go.Scatter(
            name=gettext("Milestones"), x=[d.isoformat() for d, _ in milestones], y=[_number(v) for _, v in milestones],
            mode="markers", marker={"color": MILESTONE, "symbol": "diamond", "size": 10},
        ))
    figure.add_trace(go.Scatter(
        name=gettext("Target"), x=[indicator.target_date.isoformat()], y=[_number(indicator.target)],
        mode="markers", marker={"color": TARGET, "symbol": "star", "size": 14},
    ))
    figure.add_trace(go.Scatter(
        name=gettext("Actual"), x=[s.date.isoformat() for s in snapshots], y=[_number(s.value) for s in snapshots],
        mode="lines+markers" if len(snapshots) < 120 else "lines",
        line={"color": ACTUAL, "width": 3}, marker={"size": 5},
    ))
    figure.update_layout(**_layout(
        xaxis={"type": "date", "title": {"text": gettext("Date")}, "tickformat": "%Y-%m", "hoverformat": "%Y-%m-%d",
               "gridcolor": "#e6e9ed", "automargin": True},
        yaxis={"title": {"text": indicator.unit}, "rangemode": "tozero", "gridcolor": "#e6e9ed"},
        shapes=[{"type": "line", "xref": "x", "yref": "paper", "x0": today.isoformat(), "x1": today.isoformat(),
                 "y0": 0, "y1": 1, "line": {"color": TODAY, "width": 1, "dash": "dot"}}],
        # "today" inside the plot's top edge, left of its line: the toolbar (top right, above the plot) stays clear.
        annotations=[{"x": today.isoformat(), "y": 1, "xref": "x", "yref": "paper", "text": today_label or gettext("today"),
                      "showarrow": False, "yanchor": "top", "xanchor": "right", "xshift": -3,
                      "bgcolor": "rgba(255,255,255,0.85)", "font": {"color": TODAY, "size": 12}}],
        margin={"l": 56, "r": 16, "t": 34, "b": 48},
    ))
    return figure


def part_history_figure(label, points, unit=""):
    """One part of a breakdown (a country's) over time: ``points`` are (date, value) in date order."""
    figure = go.Figure(go.Scatter(
        name=str(label), x=[d.isoformat() for d, _ in points], y=[_number(v) for _, v in points],
        mode="lines+markers" if len(points) < 120 else "lines", line={"color": ACTUAL, "width": 3},
        marker={"size": 5},
    ))
    figure.update_layout(**_layout(
        xaxis={"type": "date", "title": {"text": gettext("Date")}, "tickformat": "%Y-%m", "hoverformat": "%Y-%m-%d",
               "gridcolor": "#e6e9ed", "automargin": True},
        yaxis={"title": {"text": unit}, "rangemode": "tozero", "gridcolor": "#e6e9ed"},
        showlegend=False,
    ))
    return figure


def breakdown_figure(dimension, unit=""):
    """A horizontal bar chart of one breakdown dimension (a ``dashboard.BreakdownDimension``)."""
    parts = list(reversed(dimension.parts))  # Plotly draws the first bar at the bottom.
    figure = go.Figure(go.Bar(
        name=dimension.label, orientation="h",
        x=[_number(p.value) for p in parts], y=[_wrapped(p.label) for p in parts],
        marker={"color": BAR}, text=[f"{_number(p.value):g}" for p in parts], textposition="auto",
    ))
    figure.update_layout(**_layout(
        height=max(200, _bars_height([_wrapped(p.label) for p in parts], 70)),
        margin={"l": 16, "r": 16, "t": 16, "b": 40},
        xaxis={"title": {"text": unit}, "rangemode": "tozero", "gridcolor": "#e6e9ed"},
        yaxis={"automargin": True},
        showlegend=False,
    ))
    return figure


def progress_figure(card_list):
    """Progress of several indicators as percent of their targets, with the expected-by-now marks."""
    shown = [c for c in card_list if c.snapshot]
    shown.reverse()
    labels = [_wrapped(c.indicator.title) for c in shown]
    figure = go.Figure()
    figure.add_trace(go.Bar(
        name=gettext("Progress"), orientation="h", y=labels, x=[_number(c.snapshot.progress * 100) for c in shown],
        marker={"color": BAR}, text=[f"{c.snapshot.progress_percent}%" for c in shown], textposition="auto",
    ))
    if not any(c.country for c in shown):
        # A country's part has no expected value of its own: the marks are the whole project's.
        figure.add_trace(go.Scatter(
            name=gettext("Expected by now"), mode="markers", y=labels, x=[c.expected_percent for c in shown],
            marker={"color": MILESTONE, "symbol": "line-ns-open", "size": 22, "line": {"width": 3}},
        ))
    figure.update_layout(**_layout(
        height=max(220, _bars_height(labels, 110)),
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        margin={"l": 16, "r": 16, "t": 40, "b": 48},
        xaxis={"title": {"text": gettext("Share of target (%)")}, "range": [0, 105], "gridcolor": "#e6e9ed"},
        yaxis={"automargin": True},
    ))
    return figure


@functools.cache
def europe_countries():
    """The ISO 3166 alpha-2 codes of the countries the Europe GeoJSON draws."""
    with open(finders.find(EUROPE_GEOJSON), encoding="utf-8") as handle:
        return [feature["properties"]["iso_a2"] for feature in json.load(handle)["features"]]


@functools.cache
def country_bounds():
    """{ISO alpha-2: (west, south, east, north)} of the countries the Europe GeoJSON draws."""
    with open(finders.find(EUROPE_GEOJSON), encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    bounds = {}
    for feature in features:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        # A country's main body: the polygon with the most points (France without Guyana, Norway without Svalbard).
        ring = max((polygon[0] for polygon in polygons), key=len)
        lons, lats = [point[0] for point in ring], [point[1] for point in ring]
        bounds[feature["properties"]["iso_a2"]] = (min(lons), min(lats), max(lons), max(lats))
    return bounds


def map_range(map_data, margin=2.0):
    """({"range": [west, east]}, {"range": [south, north]}): the map fitted to the places that have a value."""
    known = country_bounds()
    boxes = [known[p.key] for p in map_data.countries if p.key in known]
    boxes += [(float(lon), float(lat), float(lon), float(lat)) for _, lat, lon in map_data.regions]
    if not boxes:
        return None
    west, south = min(b[0] for b in boxes) - margin, min(b[1] for b in boxes) - margin
    east, north = max(b[2] for b in boxes) + margin, max(b[3] for b in boxes) + margin
    # Not narrower than a few degrees: one small country stays recognisable among its neighbours.
    if east - west < 12:
        middle = (east + west) / 2
        west, east = middle - 6, middle + 6
    if north - south < 8:
        middle = (north + south) / 2
        south, north = middle - 4, middle + 4
    return {"range": [west, east]}, {"range": [south, north]}


def whole_ticks(largest):
    """Colour-bar ticks for counts: whole numbers only, about five of them."""
    step = max(1, math.ceil((largest or 1) / 5))
    return {"tick0": 0, "dtick": step, "tickformat": ",d"}


def map_figure(map_data, unit=""):
    """A map of Europe: countries shaded by their part, and a marker per region (``dashboard.MapData``).

    The GeoJSON is given by its static URL (the browser loads it once, the figure stays small);
    ``geo.visible`` is off, so only these shapes are drawn: no tiles, nothing from outside.
    """
    geojson = static(EUROPE_GEOJSON)
    known = set(europe_countries())
    countries = [p for p in map_data.countries if p.key in known]
    figure = go.Figure()
    figure.add_trace(go.Choropleth(
        name=gettext("Countries"), geojson=geojson, featureidkey="properties.iso_a2",
        locations=europe_countries(), z=[0] * len(known), colorscale=[[0, NO_DATA], [1, NO_DATA]],
        showscale=False, hoverinfo="skip", marker={"line": {"color": "#ffffff", "width": 0.5}},
    ))
    if countries:
        figure.add_trace(go.Choropleth(
            name=gettext("By country"), geojson=geojson, featureidkey="properties.iso_a2",
            locations=[p.key for p in countries], z=[_number(p.value) for p in countries],
            text=[str(p.label) for p in countries], hovertemplate="%{text}: %{z:g}<extra></extra>",
            colorscale=[[0, "#c6dbef"], [1, ACTUAL]], zmin=0,
            marker={"line": {"color": "#ffffff", "width": 0.5}},
            colorbar={"title": {"text": unit}, "thickness": 12, "len": 0.6,
                      **whole_ticks(max(_number(p.value) for p in countries))},
        ))
    if map_data.regions:
        largest = max(_number(p.value) for p, _, _ in map_data.regions) or 1
        figure.add_trace(go.Scattergeo(
            name=gettext("Regions"), lat=[_number(lat) for _, lat, _ in map_data.regions],
            lon=[_number(lon) for _, _, lon in map_data.regions],
            text=[str(p.label) for p, _, _ in map_data.regions],
            customdata=[_number(p.value) for p, _, _ in map_data.regions],
            hovertemplate="%{text}: %{customdata:g}<extra></extra>", mode="markers",
            marker={"color": MARKER, "opacity": 0.85, "line": {"color": "#ffffff", "width": 1},
                    "size": [8 + 16 * math.sqrt(_number(p.value) / largest) for p, _, _ in map_data.regions]},
        ))
    ranges = map_range(map_data)
    geo = {"visible": False, "projection": {"type": "mercator"}, "bgcolor": "#ffffff"}
    if ranges:
        # Fitted to the places with a value, not to the whole of Europe the grey countries draw.
        geo.update(lonaxis=ranges[0], lataxis=ranges[1])
    else:
        geo["fitbounds"] = "locations"
    figure.update_layout(**_layout(
        height=420, margin={"l": 0, "r": 0, "t": 8, "b": 8}, showlegend=bool(map_data.regions),
        legend={"orientation": "h", "x": 0, "y": 0, "yanchor": "top"}, geo=geo,
    ))
    return figure


def figure_data(figure):
    """The figure as plain JSON data (``data`` and ``layout``) for ``json_script``."""
    return json.loads(figure.to_json())
