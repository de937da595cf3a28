"""Spanish dates and numbers as CLDR writes them (es_ES): "31 ago 2025", "31 de agosto de 2025", 1.234,5.

Django's ``b`` gives CLDR's lower-case abbreviations ("ago"); its ``M`` would capitalise them
("Ago"). Input formats are Django's own for Spanish.
"""

DATE_FORMAT = r"j \d\e F \d\e Y"
DATETIME_FORMAT = r"j \d\e F \d\e Y, G:i"
SHORT_DATE_FORMAT = "j b Y"
SHORT_DATETIME_FORMAT = "j b Y, G:i"
TIME_FORMAT = "G:i"
MONTH_DAY_FORMAT = r"j \d\e F"
YEAR_MONTH_FORMAT = r"F \d\e Y"
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
