"""Server-side line chart as inline SVG, no browser, no dependencies (for the period report).

    svg = line_chart_svg(years, actual, target_years, target, title="...")
    # Django template: {{ svg|safe }}  (values are numbers; labels escaped)

Draws the measured history (solid) against a target trajectory (dashed).
Output is a plain <svg> string that WeasyPrint renders as vectors.
"""
import datetime
import math
from html import escape

from django.utils.translation import gettext


def _nice_step(span, n=5):
    """1/2/5 x 10^k step giving about n ticks over span."""
    raw = (span or 1) / n
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)


def line_chart_svg(xs, ys, txs, tys, *, title="", unit="", width=560, height=260):
    if not xs and not txs:
        return ""
    pad_l, pad_r, pad_t, pad_b = 52, 16, 28 if title else 12, 30
    allx = [*xs, *txs]
    ally = [y for y in [*ys, *tys] if y is not None]
    x0, x1 = min(allx), max(allx)
    ystep = _nice_step(max(ally) - min(0, min(ally)), 4)
    y0 = math.floor(min(0, min(ally)) / ystep) * ystep
    y1 = math.ceil(max(ally) * 1.05 / ystep) * ystep or ystep
    def sx(x):
        return pad_l + (x - x0) / ((x1 - x0) or 1) * (width - pad_l - pad_r)
    def sy(y):
        return height - pad_b - (y - y0) / ((y1 - y0) or 1) * (height - pad_t - pad_b)
    def pts(a, b):
        return " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(a, b, strict=False) if y is not None)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" font-family="DejaVu Sans, sans-serif" font-size="10">']
    if title:
        out.append(f'<text x="{pad_l}" y="16" font-size="12" font-weight="bold">{escape(title)}</text>')
    for i in range(round((y1 - y0) / ystep) + 1):  # horizontal grid + y labels
        v = y0 + i * ystep
        out.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{sy(v):.1f}" y2="{sy(v):.1f}" stroke="#ddd"/>'
                   f'<text x="{pad_l - 4}" y="{sy(v) + 3:.1f}" text-anchor="end">{v:,.0f}</text>')
    xstep = max(1, int(_nice_step(x1 - x0, 8)))
    for x in range(math.ceil(x0 / xstep) * xstep, int(x1) + 1, xstep):  # x labels (years)
        out.append(f'<text x="{sx(x):.1f}" y="{height - pad_b + 14}" text-anchor="middle">{x}</text>')
    out.append(f'<polyline points="{pts(txs, tys)}" fill="none" stroke="#d62728" '
               f'stroke-width="1.5" stroke-dasharray="5 3"/>')
    out.append(f'<polyline points="{pts(xs, ys)}" fill="none" stroke="#1f77b4" stroke-width="2"/>')
    lx = width - pad_r - 150
    actual = gettext("Actual (%(unit)s)") % {"unit": unit} if unit else gettext("Actual")
    expected = gettext("Expected path")  # not inside the f-string: xgettext would not see it there
    out.append(f'<line x1="{lx}" x2="{lx + 18}" y1="{pad_t}" y2="{pad_t}" stroke="#1f77b4" stroke-width="2"/>'
               f'<text x="{lx + 22}" y="{pad_t + 3}">{escape(actual)}</text>'
               f'<line x1="{lx}" x2="{lx + 18}" y1="{pad_t + 14}" y2="{pad_t + 14}" stroke="#d62728" '
               f'stroke-dasharray="5 3" stroke-width="1.5"/><text x="{lx + 22}" y="{pad_t + 17}">{escape(expected)}</text>')
    out.append("</svg>")
    return "".join(out)



def year_fraction(day):
    """A date as a number of years (2024.5 is about 1 July 2024), for the x axis."""
    start = datetime.date(day.year, 1, 1)
    days = (datetime.date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / days
