"""Labels of organisation fields for the breakdowns of every register's measures."""

import collections

from registers import l10n
from registers.display import distinct_labels


def country_name(code):
    """The country's name in the active language, from CLDR (the code when unknown)."""
    return l10n.country_name(code)


def region_labels(ids):
    """``{id: "code name"}`` of the NUTS regions ``ids``: the labels of a breakdown by region, one query."""
    from .models import Region

    return {pk: f"{code} {name}" for pk, code, name in Region.objects.filter(
        pk__in=[i for i in ids if i is not None]).values_list("pk", "code", "name")}


def country_choices():
    """Every country as ``(code, name)`` in the active language, CLDR's names sorted (``l10n.country_choices``)."""
    return l10n.country_choices()


def blank_country_choices():
    return [("", "---------"), *country_choices()]


def organisation_names(ids):
    """``{id: name}`` of the organisations ``ids``: the labels of a breakdown by organisation, one query."""
    from .models import Organisation

    wanted = {i for i in ids if i is not None}
    rows = list(Organisation.objects.filter(pk__in=wanted).order_by().values_list("pk", "name", "country"))
    # Two organisations of one name (in two countries) are told apart by their country's name: against every
    # organisation of that name, so that a key's label does not depend on which others a breakdown holds.
    rows += Organisation.objects.filter(name__in={name for _pk, name, _country in rows}).exclude(
        pk__in=wanted).order_by().values_list("pk", "name", "country")
    shared = collections.Counter(name for _pk, name, _country in rows)
    labels = distinct_labels({pk: [name, country_name(country) if country and shared[name] > 1 else ""]
                              for pk, name, country in rows})
    return {pk: label for pk, label in labels.items() if pk in wanted}


RESPONSIBLE_ORGANISATION = "organisation"
# The breakdown by responsible organisation stores the largest parts only (the rest summed as "Others"):
# LCAMP's some 30 responsible organisations all fit; a synthetic million has 78,000 of them.
MAX_ORGANISATION_PARTS = 200
