"""The indicator table for EU reports, as CSV and XLSX: one row per indicator."""

import csv
import io
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

HEADER = ["code", "title", "pillar", "unit", "baseline", "target", "value", "expected", "progress %", "status",
          "forecast", "as of"]
# Columns by kind, for the XLSX formats (1-based column numbers).
NUMBER_COLUMNS = (5, 6, 7, 8, 11)
PERCENT_COLUMN = 9
DATETIME_COLUMN = 12


def rows(card_list):
    """One row per indicator, Python values (Decimal, datetime, None), in HEADER's order.

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
            snapshot.expected if snapshot else None,
            snapshot.progress if snapshot else None,
            snapshot.get_status_display() if snapshot else "",
            snapshot.forecast if snapshot else None,
            timezone.localtime(snapshot.computed_at) if snapshot else None,
        ])
    return table


def file_name(extension, on=None):
    return f"lcamp-indicators-{(on or timezone.localdate()).isoformat()}.{extension}"


def as_csv(table):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for row in table:
        out = list(row)
        if out[PERCENT_COLUMN - 1] is not None:
            out[PERCENT_COLUMN - 1] = (out[PERCENT_COLUMN - 1] * 100).quantize(Decimal("0.1"))
        if out[DATETIME_COLUMN - 1] is not None:
            out[DATETIME_COLUMN - 1] = out[DATETIME_COLUMN - 1].isoformat(timespec="seconds")
        writer.writerow(["" if v is None else _safe_cell(v) for v in out])
    return buffer.getvalue()


def _safe_cell(value):
    """Text that a spreadsheet would run as a formula is prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def as_xlsx(table):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Indicators"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table:
        out = list(row)
        if out[DATETIME_COLUMN - 1] is not None:
            out[DATETIME_COLUMN - 1] = out[DATETIME_COLUMN - 1].replace(tzinfo=None)
        sheet.append([_safe_cell(v) if isinstance(v, str) else v for v in out])
    for row_cells in sheet.iter_rows(min_row=2):
        for column in NUMBER_COLUMNS:
            row_cells[column - 1].number_format = "#,##0.00"
        row_cells[PERCENT_COLUMN - 1].number_format = "0.0%"
        row_cells[DATETIME_COLUMN - 1].number_format = "yyyy-mm-dd hh:mm"
    sheet.freeze_panes = "A2"
    widths = [24, 48, 20, 12, 10, 10, 10, 10, 11, 11, 10, 18]
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
