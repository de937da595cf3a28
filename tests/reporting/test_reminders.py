"""Reminder e-mails with the locmem back-end and a frozen clock: each kind once, at the right time, to the right people."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from accounts import notifications
from accounts.models import NotificationOptOut
from indicators.models import Snapshot
from reporting import narratives
from reporting.models import ReportingPeriod, SentReminder
from tests.factories import MoUFactory, SnapshotFactory, UserFactory

pytestmark = pytest.mark.django_db

UTC_NOON = datetime.time(12, 0, tzinfo=datetime.UTC)


def _at(day):
    return time_machine.travel(datetime.datetime.combine(day, UTC_NOON), tick=False)


def _run(day, *args):
    out = io.StringIO()
    with _at(day):
        call_command("reminders", *args, stdout=out)
    return out.getvalue()


def _to(kind):
    return sorted(m.to[0] for m in mail.outbox if kind in m.subject)


@pytest.fixture
def open_period(lcamp_indicators, project):
    return ReportingPeriod.objects.create(project=project, name="Interim M1–M18", start_on=datetime.date(2022, 9, 1),
                                          end_on=datetime.date(2024, 2, 29))


@pytest.fixture
def people(admin_user, staff_user, manager_user, partner_user):
    other_manager = UserFactory(username="manager2", role="manager")
    return {"admin": admin_user, "staff": staff_user, "manager": manager_user, "partner": partner_user,
            "manager2": other_manager}


def test_period_due_goes_to_managers_at_30_and_7_days_once_each(open_period, people):
    NotificationOptOut.objects.create(user=people["manager2"], kind=notifications.PERIOD_DUE)
    assert _run(datetime.date(2024, 1, 29)) == "0 reminders sent.\n"          # 31 days left: nothing yet
    _run(datetime.date(2024, 1, 30))                                           # 30 days left
    assert _to("ends in 30 days") == ["admin@example.org", "manager@example.org"]
    _run(datetime.date(2024, 1, 30))
    _run(datetime.date(2024, 2, 10))                                           # same window: nothing new
    assert len(mail.outbox) == 2
    _run(datetime.date(2024, 2, 22))                                           # 7 days left
    assert _to("ends in 7 days") == ["admin@example.org", "manager@example.org"]
    assert len(mail.outbox) == 4
    email = mail.outbox[0]
    assert "8 indicators without a narrative" in email.subject
    assert "alliance-members" in email.body and f"/periods/{open_period.pk}/" in email.body
    html = email.alternatives[0][0]
    assert email.alternatives[0][1] == "text/html" and f"/periods/{open_period.pk}/" in html
    assert "/accounts/profile/#notifications" in email.body and "/accounts/profile/#notifications" in html


def test_period_due_is_not_sent_when_every_narrative_is_written(open_period, people, lcamp_indicators):
    for indicator in lcamp_indicators.values():
        narratives.narrative_save(indicator=indicator, period=open_period, user=people["manager"],
                                  data={"why": "On plan."})
    _run(datetime.date(2024, 2, 22))
    assert mail.outbox == []


def test_review_waiting_goes_to_managers_once_per_item(people, lcamp_indicators):
    with _at(datetime.date(2024, 1, 2)):
        mou = MoUFactory(title="MoU with Mondragon")
    assert "0 reminders" in _run(datetime.date(2024, 1, 8))                   # 6 days: not yet
    _run(datetime.date(2024, 1, 10))                                           # 8 days
    assert _to("waiting for review") == ["admin@example.org", "manager2@example.org", "manager@example.org"]
    assert "MoU with Mondragon" in mail.outbox[0].body
    assert f"/mous/{mou.pk}/" in mail.outbox[0].body
    _run(datetime.date(2024, 1, 11))
    assert len(mail.outbox) == 3
    # A reviewed MoU is not reminded; a new one waiting is, once.
    with _at(datetime.date(2024, 1, 5)):
        MoUFactory(title="MoU with Festo")
    _run(datetime.date(2024, 1, 13))
    assert len(mail.outbox) == 6 and all("Festo" in m.body and "Mondragon" not in m.body for m in mail.outbox[3:])


def _status(indicator, day, status):
    SnapshotFactory(indicator=indicator, date=day, status=status, value=Decimal(5), target=indicator.target,
                    expected=Decimal(8))


def test_the_weekly_digest_goes_to_staff_and_managers_on_mondays(people, lcamp_indicators):
    _status(lcamp_indicators["mous"], datetime.date(2024, 1, 1), Snapshot.Status.ON_TRACK)
    _status(lcamp_indicators["mous"], datetime.date(2024, 1, 8), Snapshot.Status.AT_RISK)
    _status(lcamp_indicators["skill-gaps"], datetime.date(2024, 1, 1), Snapshot.Status.BEHIND)
    _status(lcamp_indicators["skill-gaps"], datetime.date(2024, 1, 8), Snapshot.Status.BEHIND)
    NotificationOptOut.objects.create(user=people["admin"], kind=notifications.STATUS_DIGEST)
    _run(datetime.date(2024, 1, 9))                                            # a Tuesday
    assert mail.outbox == []
    _run(datetime.date(2024, 1, 8))                                            # a Monday
    assert _to("Weekly digest") == ["manager2@example.org", "manager@example.org", "staff@example.org"]
    body = mail.outbox[0].body
    assert "mous: On track -> At risk; value 5 of" in body and "skill-gaps" not in body
    _run(datetime.date(2024, 1, 8))
    assert len(mail.outbox) == 3


def test_dry_run_prints_what_would_be_sent_and_sends_nothing(open_period, people):
    out = _run(datetime.date(2024, 1, 30), "--dry-run")
    assert mail.outbox == [] and not SentReminder.objects.exists()
    lines = out.strip().splitlines()
    assert lines[-1] == "3 reminders would be sent."
    sent = _run(datetime.date(2024, 1, 30))
    assert [line.split("\t")[:2] for line in lines[:-1]] == [line.split("\t")[:2] for line in sent.splitlines()[:-1]]
    assert "period_due\tmanager <manager@example.org>" in out


def test_a_bad_date_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("reminders", "--date", "2024-13-01")


def test_the_profile_sets_opt_outs_per_kind(manager_client, manager_user):
    page = manager_client.get(reverse("profile")).content.decode()
    assert 'name="receive" value="period_due" checked' in page
    response = manager_client.post(reverse("profile"), {"notifications": "save",
                                                         "receive": ["review_waiting", "status_digest"]})
    assert response.status_code == 302
    assert notifications.opted_out(manager_user, notifications.PERIOD_DUE)
    assert not notifications.opted_out(manager_user, notifications.STATUS_DIGEST)
    response = manager_client.post(reverse("profile"), {"notifications": "save", "receive": ["nonsense"]})
    assert response.status_code == 400
    assert list(NotificationOptOut.objects.values_list("kind", flat=True)) == ["period_due"]


def test_each_reminder_is_rendered_in_its_recipients_language(open_period, people, monkeypatch):
    """A Swedish manager's e-mail is rendered inside Swedish (dates in Swedish), an English one's in English."""
    from django.utils import translation

    from reporting import reminders

    people["manager2"].language = "sv"
    people["manager2"].save(update_fields=["language"])
    rendered = []
    real_render = reminders.render_to_string

    def recording_render(template, context):
        rendered.append((context["user"].username, translation.get_language()))
        return real_render(template, context)

    monkeypatch.setattr(reminders, "render_to_string", recording_render)
    with translation.override("en"):
        _run(datetime.date(2024, 1, 30))
    languages = dict(rendered)
    assert languages["manager2"] == "sv"
    assert languages["manager"] == "en"
    swedish = next(m for m in mail.outbox if m.to == [people["manager2"].email])
    english = next(m for m in mail.outbox if m.to == [people["manager"].email])
    assert "februari" in swedish.body and "February" not in swedish.body
    assert swedish.subject == "[LCAMP Tracker] Interim M1–M18 slutar om 30 dagar: 8 indikatorer utan berättelse"
    assert english.subject == "[LCAMP Tracker] Interim M1–M18 ends in 30 days: 8 indicators without a narrative"
    assert "February" in english.body
    assert translation.get_language() == "en"  # the override does not leak


def test_the_waiting_items_read_in_the_recipients_language(people):
    """Each line of the review-waiting e-mail is written in its recipient's language: its words from the
    catalogue, the indicator's title in that language, the value and the date as the language writes them."""
    from tests.factories import IndicatorFactory, ReportFactory

    people["manager2"].language = "sv"
    people["manager2"].save(update_fields=["language"])
    indicator = IndicatorFactory(code="reported-thing", source="reported", title_en="Companies trained",
                                 title_sv="Utbildade företag")
    with _at(datetime.date(2024, 1, 2)):
        ReportFactory(indicator=indicator, value=Decimal("1234.50"), as_of=datetime.date(2023, 12, 31))
        MoUFactory(title="MoU with Mondragon")
    _run(datetime.date(2024, 1, 10))
    swedish = next(m for m in mail.outbox if m.to == [people["manager2"].email])
    english = next(m for m in mail.outbox if m.to == [people["manager"].email])
    for body in (swedish.body, swedish.alternatives[0][0]):
        assert "Rapporterat värde: Utbildade företag, " in body
        assert "1\xa0234,5, 31 dec. 2023" in body
        assert "Samförståndsavtal: MoU with Mondragon" in body
        assert "Reported value" not in body and "Companies trained" not in body and "1234.5" not in body
    assert "Reported value: Companies trained, " in english.body and "1,234.5, 31 Dec 2023" in english.body
    assert "MoU: MoU with Mondragon" in english.body
