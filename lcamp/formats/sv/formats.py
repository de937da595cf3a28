"""Swedish dates and numbers as CLDR writes them (sv_SE): "31 augusti 2025", 1 234,5.

CLDR's short Swedish date is ISO ("2025-08-31"), which reads as a code on a page, and Django's
abbreviations lack CLDR's full stops ("aug" for "aug."), so the short date is the long one.
Input formats are Django's own for Swedish.
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y H:i"
SHORT_DATE_FORMAT = "j F Y"
SHORT_DATETIME_FORMAT = "j F Y H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
