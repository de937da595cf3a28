"""Template filters for dates and names in the reader's language (``registers.l10n``, CLDR).

A builtin library (``TEMPLATES["OPTIONS"]["builtins"]``): every template may write
``{{ member.joined_on|short_date }}``, ``{{ report.at|long_datetime }}`` or ``{{ code|country_name }}``
without loading it.
"""

from django import template

from registers import l10n

register = template.Library()

for _name in ("short_date", "long_date", "short_datetime", "long_datetime", "month_year", "short_month_year",
              "country_name", "language_name", "autonym"):
    register.filter(_name, getattr(l10n, _name), is_safe=False)


@register.filter
def ldecimal(value, places=None):
    """A number as the language writes it: ``{{ value|ldecimal:1 }}``."""
    return l10n.decimal(value, places=places)


@register.filter
def lpercent(value, places=0):
    """A fraction as a percentage in the language: ``{{ 0.5|lpercent }}`` → '50 %' in French."""
    return l10n.percent(value, places=places)
