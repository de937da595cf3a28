"""The indicator table for EU reports, as CSV and XLSX: one row per indicator, and the
month-end history (a second XLSX sheet; ``export.csv?history=1``).

The CSV is in the variant the request asks for (``registers.csvformat``): headers in the reader's
language (``LABELS``) and its separators by default, or the stable column codes of ``CODES`` and
``HISTORY_CODES`` (``?variant=machine``, for scripts; ``docs/csv.md``).
"""

import datetime
import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.styles import Font

from registers import csvformat, l10n
from registers.exports import neutralise

from .models import Breakdown, Snapshot, month_ends

# The CSV's column codes (``?variant=machine``): stable, whatever the language; a script reads them.
CODES = ["code", "title", "pillar", "unit", "baseline", "target", "value", "expected", "progress_percent",
         "status", "forecast", "as_of"]


def labels():
    """The CSV's headers for people, in the active language, in ``CODES``' order."""
    return [gettext("Code"), gettext("Title"), gettext("Pillar"), gettext("Unit"), gettext("Baseline"),
            gettext("Target"), gettext("Value"), gettext("Expected"), gettext("Progress %"), gettext("Status"),
            gettext("Forecast"), gettext("As of")]


# Columns by kind, for the XLSX formats (1-based column numbers).
NUMBER_COLUMNS = (5, 6, 7, 8, 11)
PERCENT_COLUMN = 9
DATETIME_COLUMN = 12


def rows(card_list):
    """One row per indicator, Python values (Decimal, datetime, None), in ``CODES``' order.

    "progress %" is the fraction (0.15 for 15 %): XLSX formats it as a percent,
    CSV writes it as a percentage number.
    """
    table = []
    for card in card_list:
        indicator, snapshot = card.indicator, card.snapshot
        table.append([
            indicator.code,
            indicator.title,
            indicator.pillar.name if indicator.pillar else "",
            indicator.unit,
            indicator.baseline,
            snapshot.target if snapshot else indicator.target,
            snapshot.value if snapshot else None,
            # A country's part (``card.country``) has no expected value, status or forecast of its own.
            snapshot.expected if snapshot and not card.country else None,
            snapshot.progress if snapshot else None,
            snapshot.get_status_display() if snapshot and not card.country else "",
            snapshot.forecast if snapshot and not card.country else None,
            timezone.localtime(snapshot.computed_at) if snapshot else None,
        ])
    return table


HISTORY_CODES = ["code", "date", "value", "target", "expected", "progress_percent", "status", "frozen"]
HISTORY_NUMBER_COLUMNS = (3, 4, 5)


def history_labels():
    """The history CSV's headers for people, in the active language, in ``HISTORY_CODES``' order."""
    return [gettext("Code"), gettext("Date"), gettext("Value"), gettext("Target"), gettext("Expected"),
            gettext("Progress %"), gettext("Status"), gettext("Frozen")]

HISTORY_PERCENT_COLUMN = 6


def history_rows(card_list, today=None):
    """The month-end snapshots of every indicator up to today: one query, in the cards' order, then by date.

    A month end is the history's point (the roll-up keeps one per month); a past month's figure
    never moves, and a closed period's are frozen.
    """
    today = today or timezone.localdate()
    dates = {card.indicator.pk: [d for d in month_ends(card.indicator.project.start_on, today)
                                 if (d + datetime.timedelta(days=1)).day == 1]
             for card in card_list}
    wanted = {date for ends in dates.values() for date in ends}
    snapshots = {}
    for snapshot in Snapshot.objects.filter(indicator_id__in=list(dates), date__in=wanted).order_by("date"):
        snapshots.setdefault(snapshot.indicator_id, []).append(snapshot)
    country = next((card.country for card in card_list if card.country), "")
    dimension = next((card.place_dimension for card in card_list if card.country), "country")
    parts = {}
    if country:
        # The cards show a country's part: so does the history (one more query), without expected or status.
        parts = dict(Breakdown.objects.filter(snapshot__indicator_id__in=list(dates), snapshot__date__in=wanted,
                                              dimension=dimension, key=country).values_list("snapshot_id", "value"))
    table = []
    for card in card_list:
        ends = set(dates[card.indicator.pk])
        for snapshot in snapshots.get(card.indicator.pk, []):
            if snapshot.date not in ends:
                continue
            if country:
                value = parts.get(snapshot.pk, Decimal(0))
                progress = (value / snapshot.target).quantize(Decimal("0.0001")) if snapshot.target else Decimal(0)
                table.append([card.indicator.code, snapshot.date, value, snapshot.target, None, progress, "",
                              snapshot.is_frozen])
            else:
                table.append([card.indicator.code, snapshot.date, snapshot.value, snapshot.target,
                              snapshot.expected, snapshot.progress, snapshot.get_status_display(),
                              snapshot.is_frozen])
    return table


def file_name(extension, on=None, *, history=False):
    return f"lcamp-indicators{'-history' if history else ''}-{(on or timezone.localdate()).isoformat()}.{extension}"


def _headings(codes, names):
    return [csvformat.Heading(code, name) for code, name in zip(codes, names, strict=True)]


def as_csv(table, dialect=None):
    """The indicators as CSV text in ``dialect`` (``registers.csvformat``; default: the active language's)."""
    out_rows = []
    for row in table:
        out = list(row)
        if out[PERCENT_COLUMN - 1] is not None:
            out[PERCENT_COLUMN - 1] = (out[PERCENT_COLUMN - 1] * 100).quantize(Decimal("0.1"))
        if out[DATETIME_COLUMN - 1] is not None:
            out[DATETIME_COLUMN - 1] = out[DATETIME_COLUMN - 1].isoformat(timespec="seconds")
        out_rows.append(["" if v is None else _safe_cell(v) for v in out])
    return csvformat.text(headers=_headings(CODES, labels()), rows=out_rows,
                          dialect=dialect or csvformat.dialect())


def _safe_cell(value):
    """Text without control characters, and prefixed with a quote if a spreadsheet would run it as a formula."""
    return neutralise(value)


def history_as_csv(table, dialect=None):
    """The month-end history as CSV text in ``dialect`` (default: the active language's): "frozen" is yes or no,
    in the reader's language but in the machine variant."""
    dialect = dialect or csvformat.dialect()
    yes, no = (gettext("yes"), gettext("no")) if dialect.labels else ("yes", "no")
    out_rows = []
    for row in table:
        out = list(row)
        out[1] = out[1].isoformat()
        out[HISTORY_PERCENT_COLUMN - 1] = (out[HISTORY_PERCENT_COLUMN - 1] * 100).quantize(Decimal("0.1"))
        out[-1] = yes if out[-1] else no
        out_rows.append(["" if v is None else _safe_cell(v) for v in out])
    return csvformat.text(headers=_headings(HISTORY_CODES, history_labels()), rows=out_rows, dialect=dialect)


def _history_sheet(workbook, history):
    sheet = workbook.create_sheet(gettext("History"))
    sheet.append(history_labels())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in history:
        sheet.append([_safe_cell(v) if isinstance(v, str) else v for v in row])
    date_format = l10n.excel_date_format()
    for row_cells in sheet.iter_rows(min_row=2):
        row_cells[1].number_format = date_format
        for column in HISTORY_NUMBER_COLUMNS:
            row_cells[column - 1].number_format = "#,##0.00"
        row_cells[HISTORY_PERCENT_COLUMN - 1].number_format = "0.0%"
    sheet.freeze_panes = "A2"
    for index, width in enumerate([24, 12, 10, 10, 10, 11, 11, 8]):
        sheet.column_dimensions[chr(ord("A") + index)].width = width


def as_xlsx(table, history=None):
    """The indicators sheet, and the month-end history as a second sheet when given."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = gettext("Indicators")
    sheet.append(labels())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table:
        out = list(row)
        if out[DATETIME_COLUMN - 1] is not None:
            out[DATETIME_COLUMN - 1] = out[DATETIME_COLUMN - 1].replace(tzinfo=None)
        sheet.append([_safe_cell(v) if isinstance(v, str) else v for v in out])
    datetime_format = l10n.excel_datetime_format()
    for row_cells in sheet.iter_rows(min_row=2):
        for column in NUMBER_COLUMNS:
            row_cells[column - 1].number_format = "#,##0.00"
        row_cells[PERCENT_COLUMN - 1].number_format = "0.0%"
        row_cells[DATETIME_COLUMN - 1].number_format = datetime_format
    sheet.freeze_panes = "A2"
    widths = [24, 48, 20, 12, 10, 10, 10, 10, 11, 11, 10, 18]
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    if history is not None:
        _history_sheet(workbook, history)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
