"""The funder-ready report of a reporting period: PDF (WeasyPrint) and XLSX (openpyxl).

Both are built from the same figures (``report_data``): the summary of every
indicator at the period's end, each indicator's month-end history, breakdowns (by
responsible organisation among them) and narrative, an annex of the records counted
at the period's end and an annex of the partners' notes by organisation. A built report
is cached under the period's version (state, snapshots, narratives, day), so a
second download costs nothing and any change gives a new report.
"""

import contextlib
import io
import logging
import re
from dataclasses import dataclass, field

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from indicators.exports import _safe_cell
from indicators.models import Indicator, Report
from indicators.registry import registry
from registers.counting import fast_count
from registers.validators import without_control_characters

from . import chart, narratives, partner_narratives, periods

logger = logging.getLogger(__name__)

# The PDF lists this many counted records per indicator (the XLSX lists them all, up to XLSX_ANNEX_ROWS).
PDF_ANNEX_ROWS = 100
XLSX_ANNEX_ROWS = 200_000
REPORT_CACHE_SECONDS = 24 * 60 * 60
CONTENT_TYPES = {"pdf": "application/pdf",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass
class Section:
    row: periods.PeriodRow
    history: list
    chart_svg: str
    narrative_parts: list
    annex: list = field(default_factory=list)
    annex_total: int = 0


def annex_rows(indicator, on, limit):
    """The records counted for ``indicator`` on ``on``: [(label, date, detail)], oldest first, at most ``limit``.

    Returns (rows, total). Counted indicators list their register's records,
    reported ones their approved reports.
    """
    measure = registry.for_indicator(indicator)
    if measure is not None:
        records = measure.records(on)
        total = records.count()
        ordering = [measure.date_field, "pk"] if measure.date_field else ["pk"]
        rows = []
        for record in records.select_related().order_by(*ordering)[:limit].iterator(chunk_size=2000):
            rows.append((str(record), getattr(record, measure.date_field, None) if measure.date_field else None,
                         ""))
        return rows, total
    if indicator.is_reported:
        reports = Report.objects.approved().filter(indicator=indicator, as_of__lte=on).select_related(
            "organisation").order_by("as_of", "pk")
        total = reports.count()
        return [(str(r.organisation), r.as_of, f"{r.value:g}") for r in reports[:limit]], total
    return [], 0


def chart_for(indicator, history):
    points = [(chart.year_fraction(s.date), float(s.value)) for s in history]
    trajectory = [(chart.year_fraction(d), float(v)) for d, v in indicator.trajectory()]
    return chart.line_chart_svg([x for x, _ in points], [y for _, y in points],
                                    [x for x, _ in trajectory], [y for _, y in trajectory],
                                    title=gettext("%(indicator)s: history") % {"indicator": indicator.title}, unit=indicator.unit)


def annex_exceeds(period, limit):
    """Whether the report's annex lists more than ``limit`` records at the period's end.

    Counted from the registers, as the annex is (a value such as distinct organisations or
    summed students is not a number of records): the planner's estimate on PostgreSQL where a
    measure's records are many, so deciding scans no big table; an exact count below that.
    """
    on = periods.as_of(period)
    total = 0
    for indicator in Indicator.objects.filter(project_id=period.project_id):
        measure = registry.for_indicator(indicator)
        if measure is not None:
            total += fast_count(measure.records(on), threshold=limit)[0]
        elif indicator.is_reported:
            total += Report.objects.approved().filter(indicator=indicator, as_of__lte=on).count()
        if total > limit:
            return True
    return False


def report_data(period, *, annex_limit=PDF_ANNEX_ROWS, progress=None):
    """Everything the report shows, as a dict for the templates and the spreadsheet."""
    on = periods.as_of(period)
    rows = periods.period_rows(period)
    sections = []
    for number, row in enumerate(rows, start=1):
        history = periods.history(row.indicator, period)
        annex, total = annex_rows(row.indicator, on, annex_limit)
        sections.append(Section(row=row, history=history, chart_svg=chart_for(row.indicator, history),
                                narrative_parts=narratives.parts(row.narrative), annex=annex, annex_total=total))
        if progress:
            progress(number, len(rows))
    status = period.state
    generated_at = timezone.localtime()
    state_text = (gettext("Closed — figures frozen") if status == periods.CLOSED else
                  gettext("%(status)s — figures may still change") % {"status": periods.STATUS_LABELS[status]})
    # The annex of the partners' notes, by organisation: [(organisation, [(note, rendered html)])].
    partner_notes = [(organisation, [(note, narratives.render(note.text)) for note in notes])
                     for organisation, notes in partner_narratives.by_organisation(period)]
    return {
        "period": period, "project": period.project, "as_of": on, "rows": rows, "sections": sections,
        "partner_notes": partner_notes,
        "status": status, "status_label": periods.STATUS_LABELS[status],
        "state_text": state_text, "generated_at": generated_at, "annex_limit": annex_limit,
        # The running header and footer of every page, as CSS strings.
        "css": {"header": css_string(f"{period.project} · {period.name}"), "state": css_string(state_text),
                "footer": css_string(gettext("Generated %(generated)s · figures as of %(as_of)s") % {
                    "generated": date_format(generated_at, "DATETIME_FORMAT"), "as_of": date_format(on)}),
                "pages": css_counters(gettext("Page %(page)s of %(pages)s"))},
    }


def css_string(text):
    """``text`` as a quoted CSS string, safe inside a <style> element."""
    escaped = "".join(c if c.isalnum() or c in " ·—-,.:()/" else f"\\{ord(c):x} " for c in str(text))
    return mark_safe(f'"{escaped}"')  # noqa: S308 - every other character is escaped above


def css_counters(text):
    """``text`` with ``%(page)s`` and ``%(pages)s`` as a CSS ``content`` value with the page counters."""
    parts = []
    for piece in re.split(r"(%\((?:page|pages)\)s)", text):
        if piece in ("%(page)s", "%(pages)s"):
            parts.append(f"counter({piece[2:-2]})")
        elif piece:
            parts.append(css_string(piece))
    return mark_safe(" ".join(parts))  # noqa: S308 - the strings are escaped by css_string


def render_pdf(period, progress=None):
    from weasyprint import HTML  # imported here: loading pango takes most of a second

    html = render_to_string("reporting/report_pdf.html", report_data(period, progress=progress))
    return HTML(string=html, base_url=None).write_pdf()


def _header(ws, values):
    cells = []
    for value in values:
        cell = WriteOnlyCell(ws, value=without_control_characters(value))
        cell.font = Font(bold=True)
        cells.append(cell)
    _append(ws, cells)


def _append(ws, row):
    """A row of the workbook, its text without control characters (which XLSX cannot hold) whatever is stored."""
    ws.append([without_control_characters(value) for value in row])


def _text(value):
    return _safe_cell(value) if isinstance(value, str) else value


def render_xlsx(period, progress=None):
    """The same figures as sheets: summary, history, breakdowns, narratives, counted records."""
    data = report_data(period, annex_limit=XLSX_ANNEX_ROWS, progress=progress)
    workbook = Workbook(write_only=True)

    ws = workbook.create_sheet("Summary")
    _header(ws, [f"{data['project']} — {data['period'].name}"])
    _append(ws, [f"Figures as of {data['as_of']:%d %b %Y}", data["state_text"],
               f"Generated {data['generated_at']:%d %b %Y %H:%M}"])
    _header(ws, ["code", "indicator", "unit", "value at the period end", "change in the period", "milestone due",
                 "milestone date", "target", "target date", "status", "progress %"])
    for row in data["rows"]:
        _append(ws, [row.indicator.code, _text(row.indicator.title), row.indicator.unit, row.value, row.change,
                   row.milestone.value if row.milestone else None, row.milestone.date if row.milestone else None,
                   row.indicator.target, row.indicator.target_date, row.status_label,
                   float(row.progress_percent) if row.progress_percent is not None else None])

    ws = workbook.create_sheet("History")
    _header(ws, ["code", "date", "value", "expected", "target", "status"])
    for section in data["sections"]:
        for snapshot in section.history:
            _append(ws, [section.row.indicator.code, snapshot.date, snapshot.value, snapshot.expected, snapshot.target,
                       snapshot.get_status_display()])

    ws = workbook.create_sheet("Breakdowns")
    _header(ws, ["code", "dimension", "key", "label", "value"])
    for section in data["sections"]:
        for dimension in section.row.dimensions:
            for part in dimension.parts:
                _append(ws, [section.row.indicator.code, dimension.label, _text(part.key), _text(part.label),
                           part.value])

    ws = workbook.create_sheet("Narratives")
    _header(ws, ["code", "indicator", "what happened", "why ahead or behind", "corrective actions", "next steps",
                 "reviewed", "public"])
    for section in data["sections"]:
        narrative = section.row.narrative
        if narrative is None:
            continue
        _append(ws, [section.row.indicator.code, _text(section.row.indicator.title),
                   *[_text(getattr(narrative, name)) for name in narrative.PARTS],
                   "yes" if narrative.reviewed_at else "no", "yes" if narrative.is_public else "no"])

    ws = workbook.create_sheet("Partner narratives")
    _header(ws, ["organisation", "code", "indicator", "note", "author", "updated at"])
    for organisation, notes in data["partner_notes"]:
        for note, _html in notes:
            _append(ws, [_text(organisation.name), note.indicator.code, _text(note.indicator.title), _text(note.text),
                       _text(str(note.author or "")), timezone.localtime(note.updated_at).replace(tzinfo=None)])

    ws = workbook.create_sheet("Counted records")
    _header(ws, ["code", "record", "date", "value"])
    for section in data["sections"]:
        for label, date, detail in section.annex:
            _append(ws, [section.row.indicator.code, _text(label), date, detail])

    ws = workbook.create_sheet("Recorded after closing")
    _header(ws, ["code", "indicator", "record", "date", "recorded by", "recorded at", "reason"])
    for row in data["rows"]:
        for fact in row.late_facts:
            _append(ws, [row.indicator.code, _text(row.indicator.title), _text(fact.title), fact.event_date,
                       _text(str(fact.recorded_by or "")), timezone.localtime(fact.created_at).replace(tzinfo=None),
                       _text(fact.reason)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


RENDERERS = {"pdf": render_pdf, "xlsx": render_xlsx}


def cache_key(period, fmt):
    # The report is in the reader's language: one cached copy per language.
    return f"reporting:period-report:{fmt}:{get_language()}:{periods.period_version(period)}"


def cached_report(period, fmt):
    """The report's bytes if built for the period's current version, else None."""
    try:
        return cache.get(cache_key(period, fmt))
    except Exception:  # noqa: BLE001 - a cache outage: the report is built again
        return None


def build(period, fmt, progress=None):
    """Build the report (PDF or XLSX) and cache it under the period's version; returns the bytes."""
    key = cache_key(period, fmt)
    started = timezone.now()
    content = RENDERERS[fmt](period, progress=progress)
    logger.info("Report %s of period %s built in %.2f s (%d bytes).", fmt, period.pk,
                (timezone.now() - started).total_seconds(), len(content))
    with contextlib.suppress(Exception):
        cache.set(key, content, REPORT_CACHE_SECONDS)
    return content


def file_name(period, fmt):
    return f"lcamp-report-{period.pk}-{period.end_on.isoformat()}.{fmt}"
