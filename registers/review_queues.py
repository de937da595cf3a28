"""Records waiting for a review, by queue: each app that reviews records registers its queue.

The reminder e-mails (``reporting.reminders``) remind managers of what has waited too long;
the apps below them register here, as they register their measures, so that the reminders
import none of them.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from django.utils.functional import Promise, lazy


@dataclass
class WaitingItem:
    key: str            # unique across queues, e.g. "mou:12"
    # Its line in the reminder e-mail, read in the recipient's language: a lazy text (``line``), since
    # the queues are read once for every recipient, outside their languages.
    label: str | Promise
    url: str            # a path on the site
    waiting_since: datetime.datetime


def line(function: Callable[..., str], *args: Any) -> Promise:
    """``function(*args)`` called when the text is read (in the e-mail, inside its recipient's
    language), not now: a waiting item's ``label``."""
    return cast(Promise, lazy(function, str)(*args))


# A queue: the records waiting for a review since before the given moment.
Queue = Callable[[datetime.datetime], list[WaitingItem]]


class ReviewQueues:
    """Named functions ``f(older_than) -> [WaitingItem]`` of records waiting for a review, and the
    URL name of the page where managers review, when an app above offers one (``review_page``)."""

    def __init__(self) -> None:
        self._queues: dict[str, Queue] = {}
        self.review_page = ""

    def register(self, name: str, function: Queue, *, review_page: str = "") -> None:
        self._queues[name] = function
        if review_page:
            self.review_page = review_page

    def items(self, older_than: datetime.datetime) -> list[WaitingItem]:
        found: list[WaitingItem] = []
        for name in sorted(self._queues):
            found.extend(self._queues[name](older_than))
        return found


review_queues = ReviewQueues()


# --- The review inbox ----------------------------------------------------------------------------
#
# The coordinators' one list of everything waiting (``reporting.inbox``): each app whose records a
# coordinator approves registers an ``InboxSource`` here (registers its own Submissions, alliance its
# MoUs, indicators its reported values), so that the inbox pages import none of those apps.


@dataclass
class InboxItem:
    """One record in the inbox, as the page, the API and the reminders read it."""

    key: str                      # "<source>:<pk>", e.g. "mou:12"
    source: str                   # the source's name: "submission", "mou", "report"
    register: str                 # a register key ("training:micro-credential") or the source's own
    register_label: str
    organisation_id: int | None
    organisation_name: str
    title: str
    url: str                      # the record's page
    status: str
    status_label: str
    submitted_at: datetime.datetime
    submitted_by_id: int | None
    submitted_by: str
    kind_label: str = ""          # "New record" / "Proposed change" / "MoU"
    changes: list[dict[str, Any]] = field(default_factory=list)  # [{"label", "old", "new"}] of a proposed change
    facts: list[tuple[str, str]] = field(default_factory=list)  # (label, value) of a new record
    evidence: list[tuple[str, str]] = field(default_factory=list)  # (label, url)
    review_note: str = ""
    fix_url: str = ""             # where its submitter fixes and submits it again (rejected)
    obj: Any = None               # the reviewable record itself (decided through the source)


@dataclass
class InboxSource:
    """Records of one reviewable model, as the inbox lists and decides them.

    ``queryset()`` gives every record (each state); the inbox filters ``status``, the organisation
    (``organisation_field``) and the time (``time_field``) itself and pages through all the sources
    at once. ``items(records)`` turns one page's records (fetched with ``select_related``) into
    ``InboxItem``s with a bounded number of queries; ``decide(obj, reviewer, decision, note)`` goes
    through the app's own review service and raises PermissionDenied or ValidationError.
    """

    name: str
    label: Any
    queryset: Callable[[], Any]
    items: Callable[[list[Any]], list[InboxItem]]
    decide: Callable[..., Any]
    organisation_field: str
    time_field: str = "submitted_at"
    # The register key of each row: a field of the model (Submission.register), else ``name``.
    register_field: str = ""
    # [(register key, label)] that this source's rows may carry, for the inbox's filter.
    registers: Callable[[], list[tuple[str, str]]] | None = None
    select_related: tuple[str, ...] = ()
    # Whether a partner finds its organisation's records of this source in its inbox.
    partners: bool = True

    def register_choices(self) -> list[tuple[str, str]]:
        return self.registers() if self.registers else [(self.name, str(self.label))]


class Inbox:
    """The registered ``InboxSource``s by name, in the order registered."""

    def __init__(self) -> None:
        self._sources: dict[str, InboxSource] = {}

    def register(self, source: InboxSource) -> None:
        self._sources[source.name] = source

    def sources(self) -> list[InboxSource]:
        return list(self._sources.values())

    def get(self, name: str) -> InboxSource | None:
        return self._sources.get(name)


inbox = Inbox()
