"""Finnish dates and numbers as CLDR writes them (fi_FI): "31.8.2025", "31. elokuuta 2025", 1 234,5.

CLDR's medium Finnish date is numeric, and Django's three-letter abbreviations ("Elo") are not
Finnish usage. ``E`` gives the month's partitive ("elokuuta") CLDR's long date uses. Input
formats are Django's own for Finnish.
"""

DATE_FORMAT = "j. E Y"
DATETIME_FORMAT = "j. E Y G.i"
SHORT_DATE_FORMAT = "j.n.Y"
SHORT_DATETIME_FORMAT = "j.n.Y G.i"
TIME_FORMAT = "G.i"
MONTH_DAY_FORMAT = "j. E"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
