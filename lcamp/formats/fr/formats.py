"""French dates and numbers as CLDR writes them (fr_FR): "31 août 2025", "31/08/2025", 1 234,5.

Django's abbreviated month names are not CLDR's ("fév", "jui" where CLDR writes "févr.", "juil."),
so the short date is CLDR's numeric short date. Digits are grouped with a narrow no-break space
(U+202F) as in CLDR. Input formats are Django's own for French.
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\u202f"
NUMBER_GROUPING = 3
