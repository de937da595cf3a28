"""Labels of organisation fields for the breakdowns of every register's measures."""

from django.db.models import Value
from django.db.models.functions import Concat
from django_countries import countries


def country_name(code):
    return countries.name(code) or code


def region_label(path):
    """The label of a NUTS region reached by ``path``: its code and name."""
    return Concat(f"{path}__code", Value(" "), f"{path}__name")
