"""Records waiting for a review, by queue: each app that reviews records registers its queue.

The reminder e-mails (``reporting.reminders``) remind managers of what has waited too long;
the apps below them register here, as they register their measures, so that the reminders
import none of them.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class WaitingItem:
    key: str            # unique across queues, e.g. "mou:12"
    label: str
    url: str            # a path on the site
    waiting_since: datetime.datetime


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
