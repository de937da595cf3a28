"""A coordinator's confirmation that a change is *recorded after closing* a reporting period.

A change dated inside a closed reporting period is refused by the engine
(``indicators.triggers``) unless it runs inside ``recorded_after_closing(reason, user)``:
the closed period's frozen snapshots stay as reported, and the engine keeps a late fact
(the record, its date, who and why) that the period's pages list beside the reported value.
Kept here, on the floor below the engine, so that the register pages may open the block
without importing the engine.
"""

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

# The form field names the register pages use for the confirmation.
CONFIRM_FIELD = "record_after_closing"
REASON_FIELD = "after_closing_reason"


@dataclass(frozen=True)
class Confirmation:
    reason: str
    user: Any  # the coordinator (``accounts.models.User``) or None

    @property
    def history_reason(self) -> str:
        """The reason as the records' history keeps it (the engine sets it on each record saved in the block)."""
        return gettext("Recorded after closing: %(reason)s") % {"reason": self.reason}


_current: contextvars.ContextVar[Confirmation | None] = contextvars.ContextVar("recorded_after_closing",
                                                                               default=None)


@contextlib.contextmanager
def recorded_after_closing(reason: str, user: Any = None) -> Iterator[Confirmation]:
    """Within the block, a change that would alter a closed period is kept as a late fact, not refused."""
    if not (reason or "").strip():
        raise ValueError("recorded after closing needs a reason")
    confirmation = Confirmation(reason=reason.strip(), user=user)
    token = _current.set(confirmation)
    try:
        yield confirmation
    finally:
        _current.reset(token)


def current() -> Confirmation | None:
    """The confirmation of the block being run, or None (a change to a closed period is then refused)."""
    return _current.get()
