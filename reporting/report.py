"""The funder-ready report of a reporting period: PDF (WeasyPrint), XLSX (openpyxl) and DOCX (python-docx).

Both are built from the same figures (``report_data``): the summary of every
indicator at the period's end, each indicator's month-end history, breakdowns (by
responsible organisation among them) and narrative, an annex of the records counted
at the period's end and an annex of the partners' notes by organisation. A built report
is cached under the period's version (state, snapshots, narratives, day), so a
second download costs nothing and any change gives a new report.

The PDF follows the EU's visibility rules for funded projects: its cover carries the EU
emblem (``reporting.emblem``) with "Co-funded by the European Union" beside it, the
grant agreement number and project reference (the project's fields); it is a tagged
PDF (PDF/UA-1), with a table of contents whose page numbers WeasyPrint fills in. The
DOCX holds the narratives only, to be pasted into the funder's own report template.
"""

import base64
import contextlib
import io
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from indicators.exports import _safe_cell
from indicators.models import Indicator, Report
from indicators.registry import registry
from registers import l10n
from registers.counting import fast_count
from registers.records import field_label
from registers.validators import without_control_characters

from . import chart, emblem, narratives, partner_narratives, periods

logger = logging.getLogger(__name__)

# The PDF lists this many counted records per indicator (the XLSX lists them all, up to XLSX_ANNEX_ROWS).
PDF_ANNEX_ROWS = 100
XLSX_ANNEX_ROWS = 200_000
REPORT_CACHE_SECONDS = 24 * 60 * 60
CONTENT_TYPES = {"pdf": "application/pdf",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
# Formats without the annex of records: always small enough to build while the reader waits.
SMALL_FORMATS = {"docx"}
# A fraction shown as a percentage in every workbook (the dashboard's writes the same).
PERCENT_FORMAT = "0.0%"


def expected_at_end(indicator, period):
    """What the indicator was expected to reach at the period's end (``periods.expected_at``)."""
    return periods.expected_at(indicator, period.end_on)


def funding_statement():
    """The EU's funding statement, written out in full beside the emblem (its visibility rules)."""
    return gettext("Co-funded by the European Union")


@dataclass
class Section:
    row: periods.PeriodRow
    history: list
    chart_svg: str
    narrative_parts: list
    annex: list = field(default_factory=list)
    annex_total: int = 0

    @property
    def chart_uri(self):
        """The chart as an image (a figure with its alternative text in the tagged PDF, where an inline
        SVG would be a figure without one)."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.chart_svg.encode()).decode()

    @property
    def chart_alt(self):
        return gettext("%(indicator)s: the value at each month's end (solid line) against the expected path "
                       "(dashed line)") % {"indicator": self.row.indicator.title}


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
        row.period_end = period.end_on
        history = periods.history(row.indicator, period)
        # No annex asked (the DOCX of the narratives): its records are not even counted.
        annex, total = annex_rows(row.indicator, on, annex_limit) if annex_limit else ([], 0)
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
        "emblem": emblem.emblem_data_uri(), "funding_statement": funding_statement(),
        "status": status, "status_label": periods.STATUS_LABELS[status],
        "state_text": state_text, "generated_at": generated_at, "annex_limit": annex_limit,
        # The running header and footer of every page, as CSS strings.
        "css": {"header": css_string(f"{period.project} · {period.name}"), "state": css_string(state_text),
                "footer": css_string(gettext("Generated %(generated)s · figures as of %(as_of)s") % {
                    "generated": l10n.long_datetime(generated_at), "as_of": l10n.long_date(on)}),
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
    # PDF/UA-1: tagged (headings, tables, lists, the emblem as a figure with its text), its title and language
    # declared, so that a screen reader and the funder's accessibility checks read it.
    return HTML(string=html, base_url=None).write_pdf(pdf_variant="pdf/ua-1")


def _yes(value):
    return gettext("yes") if value else gettext("no")


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


def _sheet(workbook, title, widths, *, header_rows=1, frozen_columns=1):
    """A sheet with its columns' widths (in characters) and its header rows (and first columns) frozen.

    Both are set before the first row: a write-only workbook writes them at the sheet's start."""
    ws = workbook.create_sheet(str(title)[:31])  # the longest name a sheet may have
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = f"{get_column_letter(frozen_columns + 1)}{header_rows + 1}"
    return ws


def _formatted(ws, value, number_format):
    cell = WriteOnlyCell(ws, value=value)
    if value is not None:
        cell.number_format = number_format
    return cell


def _fraction(value):
    return float(value) if value is not None else None


def render_xlsx(period, progress=None):
    """The same figures as sheets: summary, history, breakdowns, narratives, counted records.

    Every sheet has its columns' widths and its header rows frozen; a progress is a fraction
    (1.0 for the target reached) formatted as a percentage, as in the dashboard's workbook."""
    data = report_data(period, annex_limit=XLSX_ANNEX_ROWS, progress=progress)
    workbook = Workbook(write_only=True)
    # Real date cells, shown as the reader's language writes the date ("31 ago 2025", "31.8.2025").
    date_format, datetime_format = l10n.excel_date_format(), l10n.excel_datetime_format()

    ws = _sheet(workbook, gettext("Summary"), [18, 48, 12, 14, 12, 12, 14, 16, 10, 14, 14, 10], header_rows=3,
                frozen_columns=2)
    _header(ws, [f"{data['project']} — {data['period'].name}"])
    project = data["project"]
    _append(ws, [gettext("Figures as of %(date)s") % {"date": l10n.short_date(data["as_of"])}, data["state_text"],
               gettext("Generated %(moment)s") % {"moment": l10n.short_datetime(data["generated_at"])},
               gettext("Grant agreement %(number)s") % {"number": project.grant_agreement_number}
               if project.grant_agreement_number else None,
               _text(project.project_reference) or None])
    _header(ws, [pgettext("export column", "code"), pgettext("export column", "indicator"),
                 pgettext("export column", "unit"), pgettext("export column", "value at the period end"),
                 pgettext("export column", "change in the period"), pgettext("export column", "milestone due"),
                 pgettext("export column", "milestone date"),
                 pgettext("export column", "expected at the period end"), pgettext("export column", "target"),
                 pgettext("export column", "target date"), pgettext("export column", "status"),
                 pgettext("export column", "progress")])
    for row in data["rows"]:
        _append(ws, [row.indicator.code, _text(row.indicator.title), row.indicator.unit, row.value, row.change,
                   row.milestone.value if row.milestone else None,
                   _formatted(ws, row.milestone.date if row.milestone else None, date_format),
                   row.expected_at_end, row.indicator.target, _formatted(ws, row.indicator.target_date, date_format),
                   row.status_label,
                   _formatted(ws, _fraction(row.snapshot.progress if row.snapshot else None), PERCENT_FORMAT)])

    ws = _sheet(workbook, gettext("History"), [18, 12, 10, 10, 10, 12, 10])
    _header(ws, [pgettext("export column", "code"), pgettext("export column", "date"),
                 pgettext("export column", "value"), pgettext("export column", "expected"),
                 pgettext("export column", "target"), pgettext("export column", "status"),
                 pgettext("export column", "progress")])
    for section in data["sections"]:
        for snapshot in section.history:
            _append(ws, [section.row.indicator.code, _formatted(ws, snapshot.date, date_format), snapshot.value,
                       snapshot.expected, snapshot.target, snapshot.get_status_display(),
                       _formatted(ws, _fraction(snapshot.progress), PERCENT_FORMAT)])

    ws = _sheet(workbook, gettext("Breakdowns"), [18, 20, 24, 40, 10])
    _header(ws, [pgettext("export column", "code"), pgettext("export column", "dimension"),
                 pgettext("export column", "key"), pgettext("export column", "label"),
                 pgettext("export column", "value")])
    for section in data["sections"]:
        for dimension in section.row.dimensions:
            for part in dimension.parts:
                _append(ws, [section.row.indicator.code, dimension.label, _text(part.key), _text(part.label),
                           part.value])

    ws = _sheet(workbook, gettext("Narratives"), [18, 40, 60, 60, 60, 60, 10, 10])
    _header(ws, [pgettext("export column", "code"), pgettext("export column", "indicator"),
                 pgettext("export column", "what happened"), pgettext("export column", "why ahead or behind"),
                 pgettext("export column", "corrective actions"), pgettext("export column", "next steps"),
                 pgettext("export column", "reviewed"), pgettext("export column", "public")])
    for section in data["sections"]:
        narrative = section.row.narrative
        if narrative is None:
            continue
        _append(ws, [section.row.indicator.code, _text(section.row.indicator.title),
                   *[_text(getattr(narrative, name)) for name in narrative.PARTS],
                   _yes(narrative.reviewed_at), _yes(narrative.is_public)])

    ws = _sheet(workbook, gettext("Partner narratives"), [32, 18, 40, 80, 24, 18])
    _header(ws, [pgettext("export column", "organisation"), pgettext("export column", "code"),
                 pgettext("export column", "indicator"), pgettext("export column", "note"),
                 pgettext("export column", "author"), pgettext("export column", "updated at")])
    for organisation, notes in data["partner_notes"]:
        for note, _html in notes:
            _append(ws, [_text(organisation.name), note.indicator.code, _text(note.indicator.title), _text(note.text),
                       _text(str(note.author or "")),
                       _formatted(ws, timezone.localtime(note.updated_at).replace(tzinfo=None), datetime_format)])

    ws = _sheet(workbook, gettext("Counted records"), [18, 60, 12, 10])
    _header(ws, [pgettext("export column", "code"), pgettext("export column", "record"),
                 pgettext("export column", "date"), pgettext("export column", "value")])
    for section in data["sections"]:
        for label, date, detail in section.annex:
            _append(ws, [section.row.indicator.code, _text(label), _formatted(ws, date, date_format), detail])

    ws = _sheet(workbook, gettext("Recorded after closing"), [18, 40, 40, 12, 24, 18, 40])
    _header(ws, [pgettext("export column", "code"), pgettext("export column", "indicator"),
                 pgettext("export column", "record"), pgettext("export column", "date"),
                 pgettext("export column", "recorded by"), pgettext("export column", "recorded at"),
                 pgettext("export column", "reason")])
    for row in data["rows"]:
        for fact in row.late_facts:
            _append(ws, [row.indicator.code, _text(row.indicator.title), _text(fact.title),
                       _formatted(ws, fact.event_date, date_format), _text(str(fact.recorded_by or "")),
                       _formatted(ws, timezone.localtime(fact.created_at).replace(tzinfo=None), datetime_format),
                       _text(fact.reason)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_docx(period, progress=None):
    """The period's narratives as a Word document, to paste into the funder's own report template.

    One heading per indicator (its figures in a line below it), each part of its narrative under
    a heading of its own, as plain paragraphs: the funder's template brings its own styles."""
    from docx import Document  # imported here: only this download needs it

    data = report_data(period, annex_limit=0, progress=progress)
    project = data["project"]
    document = Document()
    document.core_properties.title = f"{project} — {data['period'].name}"
    document.core_properties.language = get_language() or ""
    document.add_heading(f"{project} — {data['period'].name}", level=0)
    details = [gettext("Narratives of the reporting period %(start)s to %(end)s") % {
        "start": l10n.long_date(period.start_on), "end": l10n.long_date(period.end_on)}]
    if project.grant_agreement_number:
        details.append(gettext("Grant agreement %(number)s") % {"number": project.grant_agreement_number})
    if project.project_reference:
        details.append(project.project_reference)
    document.add_paragraph(" · ".join(without_control_characters(d) for d in details))
    for number, section in enumerate(data["sections"], start=1):
        row = section.row
        document.add_heading(f"{number}. {without_control_characters(row.indicator.title)}", level=1)
        figures = gettext("Value %(value)s at the period's end; expected %(expected)s; target %(target)s by "
                          "%(date)s; %(status)s.") % {
            "value": _number(row.value) if row.value is not None else "—", "expected": _number(row.expected_at_end),
            "target": _number(row.indicator.target), "date": l10n.month_year(row.indicator.target_date),
            "status": row.status_label}
        document.add_paragraph(figures)
        narrative = row.narrative
        if narrative is None or narrative.is_empty:
            document.add_paragraph(gettext("No narrative was written for this period."))
            continue
        for name in narrative.PARTS:
            text = (getattr(narrative, name) or "").strip()
            if not text:
                continue
            document.add_heading(field_label(type(narrative), name).capitalize(), level=2)
            for paragraph in re.split(r"\n\s*\n", text):
                document.add_paragraph(without_control_characters(paragraph.strip()))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _number(value):
    """A figure as people write it: 3, not 3.00; 2.5 with the reader's decimal separator."""
    value = Decimal(value)
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return number_format(value, use_l10n=True, force_grouping=True)


RENDERERS = {"pdf": render_pdf, "xlsx": render_xlsx, "docx": render_docx}


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
