"""Basque dates and numbers as CLDR writes them (eu_ES): year first, "2025(e)ko abu. 31(a)", 1.234,5.

CLDR's long date declines the month ("abuztuaren"), which Django's month names (nominative:
"abuztua") cannot; both date formats therefore use CLDR's medium pattern, and the month and year
its own ("2025(e)ko abuztua"). Input formats are Django's own for Basque.
"""

DATE_FORMAT = r"Y(\e)\k\o b. j(\a)"
DATETIME_FORMAT = r"Y(\e)\k\o b. j(\a) (H:i)"
SHORT_DATE_FORMAT = r"Y(\e)\k\o b. j(\a)"
SHORT_DATETIME_FORMAT = r"Y(\e)\k\o b. j(\a) (H:i)"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = r"b. j(\a)"
YEAR_MONTH_FORMAT = r"Y(\e)\k\o F"
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
