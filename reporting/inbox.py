"""The review inbox: everything waiting for a coordinator, across the registers, in one list.

The apps register what their coordinators approve (``registers.review_queues.inbox``: the
partners' submissions, MoUs, reported values); this module pages through all of them at once,
oldest first, and decides each through its own app's review service, so that this app imports
none of them. A partner finds here its own organisation's submissions and what is asked of it.

One page costs a fixed number of queries, whatever the number waiting: one count and one page of
keys over every source at once (a UNION), then one query per source (and per register) on the page.
"""

import datetime
import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import CharField, F, IntegerField, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import roles
from registers import generations, pagecache, reviews
from registers.models import Reviewable
from registers.review_queues import InboxItem, InboxSource, inbox

PAGE_SIZE = 50
MAX_DAYS = 3650
KEY = re.compile(r"^(?P<source>[a-z_]+):(?P<pk>[0-9]{1,18})$")
SUBMITTED = Reviewable.Status.SUBMITTED
COUNT_SECONDS = 10 * 60


def register_choices() -> list[tuple[str, str]]:
    """Every register the inbox may hold, for its filter: a source's own registers, else the source."""
    return [choice for source in inbox.sources() for choice in source.register_choices()]


class FilterForm(forms.Form):
    """The inbox's filters, from the query string (the page's and the API's)."""

    register = forms.ChoiceField(label=_("Register"), required=False)
    organisation = forms.IntegerField(label=_("Organisation (id)"), required=False, min_value=1,
                                      max_value=2**63 - 1)
    older_than = forms.IntegerField(label=_("Waiting for more than (days)"), required=False, min_value=0,
                                    max_value=MAX_DAYS)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["register"].choices = [("", gettext("All registers")), *register_choices()]
        if organisations:
            self.fields["organisation"] = forms.TypedChoiceField(
                label=_("Organisation"), required=False, coerce=int, empty_value=None,
                choices=[("", gettext("All organisations")), *[(pk, name) for pk, name in organisations]])


@dataclass
class Filters:
    register: str = ""
    organisation: int | None = None
    older_than: int | None = None

    @classmethod
    def from_form(cls, form: FilterForm) -> "Filters":
        data = form.cleaned_data
        return cls(register=data.get("register") or "", organisation=data.get("organisation"),
                   older_than=data.get("older_than"))


def _source_rows(source: InboxSource, filters: Filters, *, status: str | None,
                 organisation: int | None) -> QuerySet | None:
    """The source's (source, pk, time) rows that the filters select, or None when they exclude it."""
    qs = source.queryset().order_by()
    if filters.register:
        choices = {key for key, _label in source.register_choices()}
        if filters.register not in choices:
            return None
        if source.register_field:
            qs = qs.filter(**{source.register_field: filters.register})
    if status:
        qs = qs.filter(status=status)
    for org in (organisation, filters.organisation):
        if org is not None:
            qs = qs.filter(**{f"{source.organisation_field}_id": org})
    if filters.older_than is not None:
        before = timezone.now() - datetime.timedelta(days=filters.older_than)
        qs = qs.filter(**{f"{source.time_field}__lt": before})
    return qs.annotate(inbox_source=Value(source.name, output_field=CharField()),
                       inbox_pk=F("pk"), inbox_time=F(source.time_field)).values_list(
        "inbox_source", "inbox_pk", "inbox_time")


def rows(filters: Filters, *, status: str | None = SUBMITTED, organisation: int | None = None,
         partners: bool = False, newest_first: bool = False):
    """Every source's selected rows as one query of (source, pk, time), ordered by time."""
    parts = [qs for source in inbox.sources() if not partners or source.partners
             if (qs := _source_rows(source, filters, status=status, organisation=organisation)) is not None]
    if not parts:
        return inbox.sources()[0].queryset().none().annotate(
            inbox_pk=Value(0, output_field=IntegerField())).values_list("inbox_pk")
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    order = ("-inbox_time", "-inbox_pk") if newest_first else ("inbox_time", "inbox_pk")
    return combined.order_by(*order)


def items_for(keys: list[tuple[str, int]]) -> list[InboxItem]:
    """The inbox items of ``keys`` [(source, pk)], in that order: one query per source; missing ones left out."""
    by_source: dict[str, list[int]] = {}
    for name, pk in keys:
        by_source.setdefault(name, []).append(pk)
    found: dict[tuple[str, int], InboxItem] = {}
    for name, pks in by_source.items():
        source = inbox.get(name)
        if source is None:
            continue
        records = list(source.queryset().select_related(*source.select_related).filter(pk__in=pks))
        for item in source.items(records):
            found[(name, item.obj.pk)] = item
    return [found[key] for key in keys if key in found]


def page_of(queryset, number) -> tuple[Page, list[InboxItem]]:
    """The page ``number`` (any input: a bad one gives the first or last page) and its items."""
    page = Paginator(queryset, PAGE_SIZE).get_page(number)
    return page, items_for([(row[0], row[1]) for row in page.object_list])


def shown_models() -> list[str]:
    """The labels of the models the inbox shows (every source's and what its rows reach): its cache key."""
    return sorted({label for source in inbox.sources() for label in generations.shown_with(source.queryset().model)})


def waiting_count() -> int:
    """How many records wait for a coordinator: one COUNT over every source, cached under their
    generations (with the page cache on; otherwise counted on every page)."""
    def count() -> int:
        return rows(Filters()).count()

    labels = [source.queryset().model for source in inbox.sources()]
    generation = generations.current(*labels)
    if generation is None:
        return count()
    return pagecache.get_or_build(f"reporting:inbox:count:{generation}", count, COUNT_SECONDS)


# --- Deciding --------------------------------------------------------------------------------


def parse_key(key: str) -> tuple[str, int]:
    """``("mou", 12)`` of ``"mou:12"``; ValidationError for anything else."""
    match = KEY.match(key or "")
    if not match or inbox.get(match["source"]) is None:
        raise ValidationError(gettext("%(key)s is not an item of the inbox.") % {"key": (key or "")[:40]})
    return match["source"], int(match["pk"])


@dataclass
class Outcome:
    decided: list[InboxItem]
    refused: list[tuple[str, str]]  # (title or key, why)


def decide(*, keys: list[str], reviewer, decision: str, note: str) -> Outcome:
    """Approve or reject each waiting item of ``keys``, each through its app's service in its own
    transaction: those refused (own submission, not waiting any more, not approvable) are listed with
    the reason and the others still go through. A rejection without a note writes nothing."""
    decision = reviews.Decision(decision)
    note = (note or "").strip()
    if decision == reviews.Decision.REJECT and not note:
        raise ValidationError({"reason": gettext("Give the reason for the rejection: the submitter will read it.")})
    parsed = [parse_key(key) for key in keys]
    items = {(item.source, item.obj.pk): item for item in items_for(parsed)}
    outcome = Outcome([], [])
    for name, pk in dict.fromkeys(parsed):
        item = items.get((name, pk))
        if item is None:
            outcome.refused.append((f"{name}:{pk}", gettext("No such item in the inbox.")))
            continue
        if item.status != SUBMITTED:
            outcome.refused.append((item.title, gettext("It is not waiting any more (%(status)s).")
                                    % {"status": item.status_label.lower()}))
            continue
        try:
            inbox.get(name).decide(item.obj, reviewer, decision, note)
        except (PermissionDenied, ValidationError) as error:
            messages = getattr(error, "messages", None) or [str(getattr(error, "message", error))]
            outcome.refused.append((item.title, " ".join(str(m) for m in messages)))
            continue
        outcome.decided.append(item)
    return outcome


def may_review(user) -> bool:
    return roles.is_coordinator(user)


def may_read_waiting(user) -> bool:
    """Coordinators review; EARLALL staff read the waiting list (no buttons)."""
    return roles.is_coordinator(user) or roles.is_staff_viewer(user)
