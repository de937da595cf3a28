"""The CSV variants the app writes: the one place that decides separators, decimals, BOM and headers.

A CSV has no way to say which separator and which decimal mark it uses: a spreadsheet reads it
with the computer's regional settings. Excel in Spain, France, Italy, Sweden or Finland reads
``;`` as the list separator and ``,`` as the decimal mark; in English, ``,`` and ``.``. So every
CSV export (``?variant=``, see ``docs/csv.md``) is one of:

- ``auto`` (the default): ``semicolon`` when the reader's language writes decimals with a comma
  (CLDR: ``registers.l10n.decimal_symbol``, every language but English), else ``comma``;
- ``semicolon``: ``;`` between cells, ``,`` in decimals, human headers in the reader's language,
  UTF-8 with a BOM (Excel then reads accents right);
- ``comma``: ``,`` between cells, ``.`` in decimals, human headers, UTF-8 with a BOM;
- ``machine``: for scripts: ``,`` and ``.``, stable snake_case column codes, no BOM.

In every variant numbers are never grouped (``1234.5``, not ``1,234.5``: a grouped number reads
as text or as another number), dates and times stay ISO 8601 (``2025-08-31``: unambiguous, and
Excel reads it as a date in every locale), yes/no cells stay ``yes``/``no`` (the import reads
them), and text that a spreadsheet would run as a formula is still neutralised by the exports
(``registers.exports.neutralise``) before it comes here.
"""

import csv
import dataclasses
import decimal

from django.http import HttpResponse
from django.utils.translation import gettext

from . import l10n

PARAMETER = "variant"
AUTO, SEMICOLON, COMMA, MACHINE = "auto", "semicolon", "comma", "machine"
VARIANTS = (AUTO, SEMICOLON, COMMA, MACHINE)
BOM = "\ufeff"


@dataclasses.dataclass(frozen=True)
class Dialect:
    """How one CSV is written: a concrete variant (never ``auto``)."""

    name: str
    delimiter: str
    decimal: str
    bom: bool
    labels: bool  # human headers in the reader's language (else the stable column codes)

    def number(self, value):
        """An int, float or Decimal as the cell's text: no grouping, the variant's decimal mark."""
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            value = decimal.Decimal(repr(value))
        text = format(value, "f")  # never the exponent notation ('1E+3') of str(Decimal)
        return text.replace(".", self.decimal) if self.decimal != "." else text

    def cell(self, value):
        """A cell's text: numbers as ``number``, None empty, booleans yes/no, anything else as text."""
        if value is None:
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, int | float | decimal.Decimal):
            return self.number(value)
        return value

    def header(self, heading):
        """A column's header: its label (``Heading.label``) in the human variants, else its code."""
        if self.labels:
            return str(getattr(heading, "label", heading))
        return str(heading)

    def writer(self, file):
        return csv.writer(file, delimiter=self.delimiter, lineterminator="\r\n")


DIALECTS = {
    SEMICOLON: Dialect(SEMICOLON, delimiter=";", decimal=",", bom=True, labels=True),
    COMMA: Dialect(COMMA, delimiter=",", decimal=".", bom=True, labels=True),
    MACHINE: Dialect(MACHINE, delimiter=",", decimal=".", bom=False, labels=False),
}


class BadVariant(ValueError):
    """A ``?variant=`` that is none of ``VARIANTS``."""


class Heading(str):
    """A column's stable code (the string itself) carrying its human ``label`` (translated when shown)."""

    label = ""

    def __new__(cls, code, label=None):
        heading = super().__new__(cls, code)
        heading.label = label if label is not None else code
        return heading


def dialect(variant=AUTO, language=None):
    """The ``Dialect`` of ``variant`` (``auto``: by ``language``, or the active language)."""
    variant = (variant or AUTO).strip().lower()
    if variant == AUTO:
        return DIALECTS[SEMICOLON if l10n.decimal_symbol(language) == "," else COMMA]
    if variant not in DIALECTS:
        raise BadVariant(variant)
    return DIALECTS[variant]


def from_request(request):
    """The dialect a request asks for (``?variant=``, else by the reader's language); ``BadVariant``."""
    return dialect(request.GET.get(PARAMETER, AUTO))


def bad_variant_response(error):
    """The 400 of an unknown ``?variant=``, naming the valid ones."""
    message = gettext("Unknown CSV variant “%(variant)s”: use one of %(variants)s.") % {
        "variant": str(error)[:40], "variants": ", ".join(VARIANTS)}
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def lines(*, headers, rows, dialect):
    """The lines of a CSV: the header line (after the BOM when the variant has one), then a line per row.

    ``headers``: codes or ``Heading``; ``rows``: lists of cell values (numbers are written here)."""

    class _Echo:
        def write(self, value):
            return value

    writer = dialect.writer(_Echo())
    yield (BOM if dialect.bom else "") + writer.writerow([dialect.header(h) for h in headers])
    for row in rows:
        yield writer.writerow([dialect.cell(value) for value in row])


def text(*, headers, rows, dialect):
    """The whole CSV as one string (a small table)."""
    return "".join(lines(headers=headers, rows=rows, dialect=dialect))
