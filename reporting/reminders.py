"""Reminder e-mails: what is due today, to whom; each sent once (``SentReminder``).

Three kinds (``accounts.notifications``), each with a per-person opt-out on the profile:

- ``period_due``: a reporting period ends in 30 (or 7) days and indicators lack a
  narrative; to managers. Sent once per period and window.
- ``review_waiting``: MoUs, reported values or partners' records submitted more than
  ``REMINDER_REVIEW_WAITING_DAYS`` days ago and still not reviewed; to managers. Each
  item is reminded once. Domain apps register their queues with
  ``registers.review_queues`` (this app imports none of them); the e-mail links to the review
  inbox (``reporting.inbox``), where every one of them is decided.
- ``status_digest``: on ``REMINDER_DIGEST_WEEKDAY``, the indicators whose status changed
  over the last seven days, with their figures; to staff and managers. Once a week.

``send_due(today)`` is run daily by Celery beat (``reminders-daily``) and by
``manage.py reminders``; ``--dry-run`` prints what ``send_due`` would send.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts import notifications, roles
from indicators.models import Indicator, Report, Snapshot
from registers import l10n
from registers.review_queues import WaitingItem, line, review_queues

from . import periods
from .models import ReportingPeriod, SentReminder

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


def _report_line(report: Report) -> str:
    """"Reported value: <indicator>, <organisation>, <value>, <as of>" in the active language: the
    indicator's title in it, the value and the date as it writes them."""
    parts = [report.indicator.title, str(report.organisation), l10n.decimal(report.value),
             l10n.short_date(report.as_of)]
    label = gettext("Reported value")
    return f"{label}: {', '.join(parts)}"


def _reports_waiting(older_than: datetime.datetime) -> list[WaitingItem]:
    reports = Report.objects.filter(status=Report.Status.SUBMITTED, created_at__lt=older_than).select_related(
        "indicator", "organisation").order_by("created_at", "pk")
    return [WaitingItem(f"report:{r.pk}", line(_report_line, r),
                        reverse("indicators:report-detail", args=[r.pk]), r.created_at) for r in reports]


review_queues.register("reports", _reports_waiting)


@dataclass
class Reminder:
    kind: str
    user: "User"
    keys: list[str]
    # A function of no argument returning the subject in the active language: called inside
    # the recipient's language (``subject_text``), like the templates.
    subject: Callable[[], str] | str
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        url: str = self.context.get("url", "")
        return url

    def subject_text(self) -> str:
        """The subject in the recipient's language."""
        with self.user.language_override():
            return str(self.subject()) if callable(self.subject) else str(self.subject)


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _people(*role_names: str) -> list["User"]:
    """Active people with an e-mail address in these roles (admins count as managers)."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    condition = Q(groups__name__in=role_names)
    if roles.MANAGER in role_names:
        condition |= Q(is_superuser=True)
    return list(users.filter(condition).distinct().order_by("username"))


def _recipients(kind: str, *role_names: str) -> list["User"]:
    opted_out = notifications.opted_out_user_ids(kind)
    return [user for user in _people(*role_names) if user.pk not in opted_out]


def _already_sent(kind: str, keys: list[str]) -> set[tuple[int, str]]:
    """{(user id, key)} already sent of this kind among ``keys``."""
    return set(SentReminder.objects.filter(kind=kind, key__in=keys).values_list("user_id", "key"))


def _period_due_subject(name: str, left: int, missing: int) -> Callable[[], str]:
    def subject() -> str:
        ends = ngettext("%(period)s ends in %(days)d day:", "%(period)s ends in %(days)d days:", left) \
            % {"period": name, "days": left}
        lacking = ngettext("%(count)d indicator without a narrative", "%(count)d indicators without a narrative",
                           missing) % {"count": missing}
        return f"{ends} {lacking}"
    return subject


def _review_waiting_subject(count: int, days: int) -> Callable[[], str]:
    def subject() -> str:
        return ngettext("%(count)d item waiting for review for more than %(days)d days",
                        "%(count)d items waiting for review for more than %(days)d days", count) \
            % {"count": count, "days": days}
    return subject


def _digest_subject(count: int) -> Callable[[], str]:
    def subject() -> str:
        return ngettext("Weekly digest: %(count)d indicator changed status",
                        "Weekly digest: %(count)d indicators changed status", count) % {"count": count}
    return subject


def period_due(today: datetime.date) -> list[Reminder]:
    reminders: list[Reminder] = []
    windows = sorted(settings.REMINDER_PERIOD_DAYS)  # (7, 30)
    for period in ReportingPeriod.objects.not_closed().filter(end_on__gte=today).select_related(
            "project").order_by("end_on"):
        left = periods.days_left(period, today)
        window = next((days for days in windows if left <= days), None)
        if window is None:
            continue
        missing = [row.indicator for row in periods.period_rows(period, with_breakdowns=False, today=today)
                   if row.lacks_narrative]
        if not missing:
            continue
        key = f"period:{period.pk}:{window}"
        sent = _already_sent(notifications.PERIOD_DUE, [key])
        url = _absolute(reverse("reporting:period-detail", args=[period.pk]))
        for user in _recipients(notifications.PERIOD_DUE, roles.MANAGER):
            if (user.pk, key) in sent:
                continue
            reminders.append(Reminder(
                notifications.PERIOD_DUE, user, [key],
                _period_due_subject(period.name, left, len(missing)),
                {"period": period, "days_left": left, "missing": missing, "url": url}))
    return reminders


def review_waiting(today: datetime.date) -> list[Reminder]:
    days = settings.REMINDER_REVIEW_WAITING_DAYS
    older_than = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=days),
                                                               datetime.time.min))
    items = review_queues.items(older_than)
    if not items:
        return []
    sent = _already_sent(notifications.REVIEW_WAITING, [item.key for item in items])
    reminders: list[Reminder] = []
    for user in _recipients(notifications.REVIEW_WAITING, roles.MANAGER):
        new = [item for item in items if (user.pk, item.key) not in sent]
        if not new:
            continue
        reminders.append(Reminder(
            notifications.REVIEW_WAITING, user, [item.key for item in new],
            _review_waiting_subject(len(new), days),
            {"items": [{"label": i.label, "url": _absolute(i.url), "since": i.waiting_since} for i in new],
             "days": days, "url": _absolute(reverse("reporting:inbox"))}))  # the review inbox holds them all
    return reminders


def status_changes(today: datetime.date) -> list[tuple[Indicator, Snapshot, Snapshot]]:
    """[(indicator, snapshot a week ago, snapshot today)] of the indicators whose status changed."""
    week_ago = today - datetime.timedelta(days=7)
    changes: list[tuple[Indicator, Snapshot, Snapshot]] = []
    for indicator in Indicator.objects.order_by("order", "code"):
        now = indicator.snapshots.filter(date__lte=today).order_by("-date").first()
        before = indicator.snapshots.filter(date__lte=week_ago).order_by("-date").first()
        if now and before and now.status != before.status:
            changes.append((indicator, before, now))
    return changes


def status_digest(today: datetime.date) -> list[Reminder]:
    if today.weekday() != settings.REMINDER_DIGEST_WEEKDAY:
        return []
    changes = status_changes(today)
    if not changes:
        return []
    year, week, _ = today.isocalendar()
    key = f"digest:{year}-W{week:02d}"
    sent = _already_sent(notifications.STATUS_DIGEST, [key])
    url = _absolute(reverse("indicators:dashboard"))
    rows = [{"indicator": indicator, "before": before, "now": now,
             "url": _absolute(reverse("indicators:indicator-detail", args=[indicator.code]))}
            for indicator, before, now in changes]
    return [Reminder(notifications.STATUS_DIGEST, user, [key],
                     _digest_subject(len(rows)),
                     {"changes": rows, "url": url})
            for user in _recipients(notifications.STATUS_DIGEST, roles.STAFF, roles.MANAGER)
            if (user.pk, key) not in sent]


def due(today: datetime.date | None = None) -> list[Reminder]:
    """Every reminder due today and not sent yet, in a stable order."""
    today = today or timezone.localdate()
    return [*period_due(today), *review_waiting(today), *status_digest(today)]


def message(reminder: Reminder) -> EmailMultiAlternatives:
    """The e-mail, rendered in the recipient's language (``User.language_override``):
    subject, kind label, dates and templates."""
    with reminder.user.language_override():
        subject = reminder.subject_text()
        context = {**reminder.context, "user": reminder.user, "subject": subject,
                   "kind_label": str(notifications.KINDS[reminder.kind]),
                   "unsubscribe_url": _absolute(reverse("profile")) + "#notifications"}
        text = render_to_string(f"reporting/emails/{reminder.kind}.txt", context)
        html = render_to_string(f"reporting/emails/{reminder.kind}.html", context)
    email = EmailMultiAlternatives(f"[LCAMP Tracker] {subject}", text, to=[reminder.user.email])
    email.attach_alternative(html, "text/html")
    return email


def send_due(today: datetime.date | None = None, *, dry_run: bool = False) -> list[Reminder]:
    """Send what is due today; returns the reminders sent (or, with ``dry_run``, that would be).

    Each reminder's keys are claimed (``SentReminder`` rows, unique) before it is sent, so two
    runs at once send it once; a failed send releases its claim for the next run.
    """
    reminders = due(today)
    if dry_run:
        return reminders
    sent = []
    for reminder in reminders:
        try:
            with transaction.atomic():
                claims = [SentReminder.objects.create(kind=reminder.kind, key=key, user=reminder.user)
                          for key in reminder.keys]
        except IntegrityError:
            continue  # another run claimed it
        try:
            message(reminder).send()
        except Exception:
            logger.exception("Reminder %s to %s could not be sent; it is tried again next run.",
                             reminder.kind, reminder.user)
            SentReminder.objects.filter(pk__in=[c.pk for c in claims]).delete()
            continue
        sent.append(reminder)
    logger.info("Reminders: %d sent.", len(sent))
    return sent
