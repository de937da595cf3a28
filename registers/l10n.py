"""Dates, numbers, country and language names in the reader's language, from CLDR (Babel).

One place for what a page, a chart, an export, the PDF report and an e-mail show: the active
language (Django's ``get_language()``; the default language outside a request, e.g. in a task that
has not activated the recipient's) chooses the CLDR locale. English is written as in Europe
(``en_IE``: "31 Aug 2025"), the other six languages as CLDR writes them.

- ``short_date``: CLDR's *medium* date ("31 ago 2025", "31 aug. 2025", "31.8.2025"). CLDR's own
  short pattern is numeric and, in Swedish, ISO ("2025-08-31"), which reads as a code on a page.
- ``long_date``: CLDR's long date ("31 de agosto de 2025", "2025(e)ko abuztuaren 31(a)").
- ``short_datetime`` / ``long_datetime``: those dates with the short time, joined as the locale joins them.
- ``month_year``: the month and year ("agosto de 2025", "elokuu 2025").
- ``excel_date_format`` / ``excel_datetime_format``: the medium date (and time) as an Excel number format
  for a real date cell of a workbook ("[$-C0A]d mmm yyyy"; "[$-40B]d.m.yyyy" in Finnish).
- ``country_name`` / ``language_name``: CLDR's names ("Espainia" in Basque; Basque is "Euskara" in itself).
- ``country_choices``: every country a ``CountryField`` accepts, as ``(code, CLDR name)``, sorted by ``sort_key``.
"""

import datetime
import functools
import locale as system_locale
import unicodedata
from decimal import Decimal

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from django.conf import settings
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import get_language

# The CLDR locale of each of the interface's languages.
LOCALES = {"en": "en_IE", "es": "es_ES", "eu": "eu_ES", "fr": "fr_FR", "it": "it_IT", "sv": "sv_SE", "fi": "fi_FI"}


def locale_name(language=None):
    """The CLDR locale (``es_ES``) of ``language`` or of the active language."""
    language = (language or get_language() or settings.LANGUAGE_CODE).lower()
    return LOCALES.get(language) or LOCALES.get(language.split("-")[0]) or LOCALES["en"]


@functools.lru_cache(maxsize=32)
def _locale(name):
    return Locale.parse(name)


def _as_date(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _as_datetime(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value) if timezone.is_aware(value) else value
    return datetime.datetime.combine(value, datetime.time())


def short_date(value, language=None) -> str:
    """``value`` (a date or datetime) as CLDR's medium date in the language: '31 ago 2025'."""
    if value in (None, ""):
        return ""
    return babel_dates.format_date(_as_date(value), "medium", locale=_locale(locale_name(language)))


def long_date(value, language=None) -> str:
    """``value`` as CLDR's long date in the language: '31 de agosto de 2025'."""
    if value in (None, ""):
        return ""
    return babel_dates.format_date(_as_date(value), "long", locale=_locale(locale_name(language)))


def _datetime(value, length, language) -> str:
    if value in (None, ""):
        return ""
    locale = _locale(locale_name(language))
    moment = _as_datetime(value)
    date_part = babel_dates.format_date(moment.date(), length, locale=locale)
    time_part = babel_dates.format_time(moment.time(), "short", locale=locale)
    return babel_dates.get_datetime_format(length, locale=locale).replace("{1}", date_part).replace("{0}", time_part)


def short_datetime(value, language=None) -> str:
    """``value`` as the medium date and short time: '31 ago 2025, 14:05'."""
    return _datetime(value, "medium", language)


def long_datetime(value, language=None) -> str:
    """``value`` as the long date and short time."""
    return _datetime(value, "long", language)


def month_year(value, language=None) -> str:
    """The month and year of ``value``: 'agosto de 2025'."""
    if value in (None, ""):
        return ""
    return babel_dates.format_skeleton("yMMMM", _as_date(value), locale=_locale(locale_name(language)))


def short_month_year(value, language=None) -> str:
    """The abbreviated month and year of ``value``: 'ago 2025'."""
    if value in (None, ""):
        return ""
    return babel_dates.format_skeleton("yMMM", _as_date(value), locale=_locale(locale_name(language)))


# CLDR date and time fields (https://unicode.org/reports/tr35/tr35-dates.html) as Excel's codes.
_EXCEL_FIELDS = {"d": "d", "dd": "dd", "M": "m", "MM": "mm", "MMM": "mmm", "MMMM": "mmmm", "L": "m", "LL": "mm",
                 "LLL": "mmm", "LLLL": "mmmm", "y": "yyyy", "yy": "yy", "yyyy": "yyyy", "E": "ddd", "EE": "ddd",
                 "EEE": "ddd", "EEEE": "dddd", "H": "h", "HH": "hh", "h": "h", "hh": "hh", "m": "mm", "mm": "mm",
                 "s": "ss", "ss": "ss", "a": "AM/PM"}
# Windows locale ids ("[$-C0A]" before a format): Excel and LibreOffice then name the months in the
# workbook's language, whatever the language of the reader's spreadsheet program.
_WINDOWS_LOCALE_IDS = {name: number for number, name in system_locale.windows_locale.items()}


def _excel_pattern(pattern):
    """A CLDR date or time pattern ("y('e')'ko' MMM d('a')") as an Excel number format
    ('yyyy"(e)ko "mmm d"(a)"'): fields as Excel's codes, literal text quoted unless only spaces and . / - :"""
    pieces = []  # (is_field, text), neighbouring literals joined
    position = 0
    while position < len(pattern):
        char = pattern[position]
        if char.isalpha():
            end = position
            while end < len(pattern) and pattern[end] == char:
                end += 1
            pieces.append((True, _EXCEL_FIELDS.get(pattern[position:end], "")))
        else:
            end = position + 1
            text = char
            if char == "'":  # 'quoted text'; '' is an apostrophe, inside quotes or out
                text = ""
                while end < len(pattern) and (pattern[end] != "'" or pattern[end + 1:end + 2] == "'"):
                    text += pattern[end]
                    end += 2 if pattern[end] == "'" else 1
                text = text or "'"
                end += 1
            if pieces and not pieces[-1][0]:
                text = pieces.pop()[1] + text
            pieces.append((False, text))
        position = end
    return "".join(text if is_field or set(text) <= set(" ./-:") else '"' + text.replace('"', "") + '"'
                   for is_field, text in pieces)


def _excel_prefix(name):
    number = _WINDOWS_LOCALE_IDS.get(name)
    return f"[$-{number:X}]" if number else ""


def excel_date_format(language=None):
    """CLDR's medium date in the language as an Excel number format: a real date cell the reader's
    spreadsheet shows as the page does ("[$-C0A]d mmm yyyy" in Spanish, "[$-40B]d.m.yyyy" in Finnish)."""
    name = locale_name(language)
    return _excel_prefix(name) + _excel_pattern(babel_dates.get_date_format("medium", locale=_locale(name)).pattern)


def excel_datetime_format(language=None):
    """The medium date and the short time, joined as the language joins them, as an Excel number format."""
    name = locale_name(language)
    locale = _locale(name)
    pattern = babel_dates.get_datetime_format("medium", locale=locale) \
        .replace("{1}", babel_dates.get_date_format("medium", locale=locale).pattern) \
        .replace("{0}", babel_dates.get_time_format("short", locale=locale).pattern)
    return _excel_prefix(name) + _excel_pattern(pattern)


def decimal(value, language=None, places=None):
    """A number as the language writes it ('1.234,5' in Spanish; '1 234,5' in Swedish)."""
    if value in (None, ""):
        return ""
    if places is not None:
        value = round(Decimal(str(value)), places)
    return babel_numbers.format_decimal(value, locale=_locale(locale_name(language)), group_separator=True)


def percent(value, language=None, places=0):
    """``value`` (a fraction: 0.5) as a percentage in the language ('50 %' in French and Swedish)."""
    if value in (None, ""):
        return ""
    pattern = "#,##0" + ("." + "0" * places if places else "") + "%"
    return babel_numbers.format_percent(value, pattern, locale=_locale(locale_name(language)))


def decimal_symbol(language=None):
    """The language's decimal separator: ',' in es, eu, fr, it, sv, fi; '.' in English."""
    return babel_numbers.get_decimal_symbol(_locale(locale_name(language)))


def country_name(code, language=None) -> str:
    """The ISO 3166 country ``code`` named by CLDR in the language ('Espainia' in Basque); the code if unknown."""
    if not code:
        return ""
    return _country_name(str(code).upper(), locale_name(language))


@functools.lru_cache(maxsize=8192)
def _country_name(code, locale):
    names = _locale(locale).territories
    if code == "XK":  # Kosovo: a user-assigned code CLDR also names
        return names.get("XK", code)
    return names.get(code, code)


def language_name(code, language=None) -> str:
    """The language ``code`` named in the reader's language (``language_name('eu', 'es')``: 'Euskera')."""
    if not code:
        return ""
    name = _locale(locale_name(language)).languages.get(str(code).lower().split("-")[0], code)
    return name[:1].upper() + name[1:]


def autonym(code) -> str:
    """The language ``code`` named in itself, capitalised as a menu item: 'Euskara', 'Suomi', 'Svenska'."""
    return language_name(code, code)


def sort_key(text):
    """``text``'s place in a list of names, accents and case aside ("Österreich" with the O's).

    ``locale.strxfrm`` would sort as each language does, but it reads the process's locale, which a
    threaded server cannot switch per request.
    """
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)), str(text)


def country_choices(language=None):
    """Every country a ``CountryField`` accepts, as ``(code, name)`` with CLDR's names in the language,
    sorted by name (``sort_key``): made once per language."""
    return _country_choices(locale_name(language))


@functools.lru_cache(maxsize=16)
def _country_choices(locale):
    from django_countries import countries

    names = [(code, _country_name(code, locale)) for code in countries.countries]
    return tuple(sorted(names, key=lambda pair: sort_key(pair[1])))


# The same, formatted when the text is read (a validation message's parameter, shown in the reader's language).
short_date_lazy = lazy(short_date, str)
decimal_lazy = lazy(decimal, str)
