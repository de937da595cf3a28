"""The emblem of the European Union, drawn from its official geometry.

The EU's graphic specifications: a blue rectangle one and a half times as wide as it
is high; twelve gold five-pointed stars, upright (one point straight up), standing
on an invisible circle centred on the rectangle, of radius one third of the height,
at the positions of the hours on a clock face; each star's points on a circle of
radius one eighteenth of the height. Colours: Reflex Blue (#003399) and Yellow (#FFCC00).

``static/reporting/eu-emblem.svg`` is this drawing (a test keeps the two equal); the
report embeds the SVG itself so that building a PDF reads no file.
"""

import base64
import math

BLUE = "#003399"
GOLD = "#FFCC00"
HEIGHT = 540  # any height draws the same emblem; 540 keeps the coordinates short (radius 180, star 30)


def star_points(cx: float, cy: float, outer: float) -> list[tuple[float, float]]:
    """The ten corners of an upright five-pointed star centred on (cx, cy), its points at ``outer``.

    The inner corners lie where the star's lines cross: at outer × cos 72° / cos 36°.
    """
    inner = outer * math.cos(math.radians(72)) / math.cos(math.radians(36))
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.radians(-90 + 36 * i)  # the first point straight up (SVG's y axis points down)
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def star_centres(height: float = HEIGHT) -> list[tuple[float, float]]:
    """The twelve stars' centres, at the hours of a clock face on a circle of radius height / 3."""
    width = height * 3 / 2
    radius = height / 3
    return [(width / 2 + radius * math.sin(math.radians(30 * hour)),
             height / 2 - radius * math.cos(math.radians(30 * hour))) for hour in range(12)]


def _number(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def emblem_svg(height: float = HEIGHT, title: str = "Emblem of the European Union") -> str:
    """The emblem as a standalone SVG document."""
    width = height * 3 / 2
    stars = "\n".join(
        '  <polygon points="{}"/>'.format(" ".join(f"{_number(x)},{_number(y)}" for x, y in star_points(cx, cy, height / 18)))
        for cx, cy in star_centres(height))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_number(width)}" height="{_number(height)}" '
            f'viewBox="0 0 {_number(width)} {_number(height)}" role="img">\n'
            f"  <title>{title}</title>\n"
            f'  <rect width="{_number(width)}" height="{_number(height)}" fill="{BLUE}"/>\n'
            f'  <g fill="{GOLD}">\n{stars}\n  </g>\n'
            "</svg>\n")


def emblem_data_uri() -> str:
    """The emblem as a ``data:`` URI, for an <img> in a document built without reading files."""
    return "data:image/svg+xml;base64," + base64.b64encode(emblem_svg().encode()).decode()
