"""The EU emblem is drawn from its official geometry, and the repository's SVG file is that drawing."""

import math
from pathlib import Path

import pytest
from defusedxml import ElementTree

from reporting import emblem

SVG = "{http://www.w3.org/2000/svg}"


def test_the_static_file_is_the_drawing():
    path = Path(__file__).resolve().parents[2] / "static" / "reporting" / "eu-emblem.svg"
    assert path.read_text() == emblem.emblem_svg()


def test_the_rectangle_is_blue_and_one_and_a_half_times_as_wide_as_high():
    root = ElementTree.fromstring(emblem.emblem_svg())
    rect = root.find(f"{SVG}rect")
    assert float(rect.get("width")) / float(rect.get("height")) == 1.5
    assert rect.get("fill") == "#003399"
    assert root.find(f"{SVG}g").get("fill") == "#FFCC00"


@pytest.mark.parametrize("height", [540, 100])
def test_twelve_upright_stars_on_a_circle_of_a_third_of_the_height(height):
    root = ElementTree.fromstring(emblem.emblem_svg(height))
    stars = root.findall(f"{SVG}g/{SVG}polygon")
    assert len(stars) == 12
    cx, cy = height * 3 / 4, height / 2
    for hour, star in enumerate(stars):
        points = [tuple(map(float, pair.split(","))) for pair in star.get("points").split()]
        assert len(points) == 10  # five points, five inner corners
        centre = (sum(x for x, _ in points) / 10, sum(y for _, y in points) / 10)
        assert math.dist(centre, (cx, cy)) == pytest.approx(height / 3, abs=0.01)
        # At the hours of a clock face, the first at twelve o'clock.
        angle = math.degrees(math.atan2(centre[0] - cx, cy - centre[1]))
        assert (angle - 30 * hour + 180) % 360 - 180 == pytest.approx(0, abs=0.01)
        # Each star's points on a circle of a eighteenth of the height; upright: its first point straight up.
        assert all(math.dist(p, centre) == pytest.approx(height / 18, abs=0.01) for p in points[::2])
        assert points[0][0] == pytest.approx(centre[0], abs=0.001) and points[0][1] < centre[1]
        # A regular star: its inner corners all at the same distance, inside.
        inner = {round(math.dist(p, centre), 2) for p in points[1::2]}
        assert len(inner) == 1 and inner.pop() < height / 18
