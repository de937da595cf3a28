"""English dates as CLDR writes them for Europe (en_IE: "31 Aug 2025", 24-hour clock), not US order.

Pages, exports and e-mails format dates with ``registers.l10n`` (Babel); these formats serve what
Django formats itself (the admin, allauth's pages, a ``{{ date }}`` left unfiltered) and follow
the same CLDR patterns as far as Django's format characters can.
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
