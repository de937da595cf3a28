"""Italian dates and numbers as CLDR writes them (it_IT): "31 ago 2025", 1.234,5.

Django's full Italian month names are capitalised ("Agosto"), CLDR's are not ("agosto"), so every
date uses the lower-case abbreviation (``b``), CLDR's medium date. Input formats are Django's own.
"""

DATE_FORMAT = "j b Y"
DATETIME_FORMAT = "j b Y, H:i"
SHORT_DATE_FORMAT = "j b Y"
SHORT_DATETIME_FORMAT = "j b Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j b"
YEAR_MONTH_FORMAT = "b Y"
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
