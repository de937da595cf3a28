"""Closed reporting periods hold: closing writes and freezes their snapshots; a change that would alter
one is refused (service, form, API, import) with the period's name; an administrator may reopen one."""

import datetime
import html
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from alliance import views as alliance_pages
from alliance.models import AllianceMember
from indicators import rollup
from indicators.models import OutboxEntry, Snapshot, month_ends
from registers import importing
from reporting.models import ReportingPeriod
from reporting.periods import period_close, period_reopen, period_review
from tests.factories import AllianceMemberFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
START, END = datetime.date(2022, 9, 1), datetime.date(2024, 2, 29)
INSIDE = datetime.date(2023, 5, 10)
AFTER = datetime.date(2024, 6, 1)
REFUSAL = "This change would alter the closed reporting period 'M1–M18 (1 Sept 2022 – 29 Feb 2024)'"


@pytest.fixture
def period(lcamp_indicators, project):
    return ReportingPeriod.objects.create(project=project, name="M1–M18", start_on=START, end_on=END)


@pytest.fixture
def closed(period, admin_user):
    AllianceMemberFactory(joined_on=datetime.date(2023, 1, 15))
    period_review(period=period, user=admin_user)
    period_close(period=period, user=admin_user)
    OutboxEntry.objects.all().delete()
    return period


def members_on(on):
    return Snapshot.objects.get(indicator__code="alliance-members", date=on)


def frozen_values():
    return sorted(Snapshot.objects.filter(date__lte=END).values_list("indicator_id", "date", "value", "is_frozen"))


def test_closing_writes_every_month_end_of_the_period_then_freezes_them(closed):
    dates = list(Snapshot.objects.filter(indicator__code="alliance-members").values_list("date", flat=True))
    assert dates == month_ends(START, END) and len(dates) == 18
    assert all(Snapshot.objects.filter(date__lte=END).values_list("is_frozen", flat=True))
    assert members_on(datetime.date(2022, 12, 31)).value == 0 and members_on(END).value == 1
    assert Snapshot.objects.filter(date__lte=END).count() == 18 * 8


def test_a_period_that_has_not_ended_cannot_be_closed(period, admin_user):
    period.end_on = datetime.date.today()
    period.save()
    period_review(period=period, user=admin_user)
    with pytest.raises(ValidationError, match="close it after its end"):
        period_close(period=period, user=admin_user)


def test_a_change_inside_a_closed_period_is_refused_and_nothing_is_written(closed):
    before = frozen_values()
    with pytest.raises(ValidationError, match=re.escape(REFUSAL)), transaction.atomic():  # as every service
        AllianceMemberFactory(joined_on=INSIDE)
    assert AllianceMember.objects.count() == 1 and not OutboxEntry.objects.exists()
    assert frozen_values() == before


def test_back_dating_a_withdrawal_into_a_closed_period_is_refused(closed):
    member = AllianceMember.objects.get()
    member.left_on = datetime.date(2023, 12, 1)
    with pytest.raises(ValidationError, match=re.escape(REFUSAL)), transaction.atomic():
        member.save()
    member.refresh_from_db()
    assert member.left_on is None


def test_a_change_after_the_period_is_accepted_and_an_edit_that_alters_no_value_too(closed):
    AllianceMemberFactory(joined_on=AFTER)
    member = AllianceMember.objects.order_by("pk").first()
    member.note = "A note does not alter a count"
    member.save()
    assert AllianceMember.objects.count() == 2


def test_nothing_writes_a_snapshot_inside_a_closed_period_afterwards(closed):
    before = frozen_values()
    # A row written around the app (no signal): roll-up, backfill and drain leave the period alone.
    AllianceMember.objects.bulk_create([AllianceMember(organisation=OrganisationFactory(), category="vet",
                                                       joined_on=INSIDE)])
    Snapshot.objects.filter(indicator__code="mous", date=datetime.date(2023, 3, 31)).delete()
    rollup.rollup_all(END)
    rollup.backfill()
    OutboxEntry.objects.create(indicator=closed.project.indicators.get(code="alliance-members"), changed_from=START)
    rollup.drain()
    after = frozen_values()
    assert set(after) <= set(before) and len(after) == len(before) - 1
    assert not Snapshot.objects.filter(indicator__code="mous", date=datetime.date(2023, 3, 31)).exists()
    assert members_on(AFTER.replace(day=30)).value == 2  # after the period the registers are read as they are


def test_the_form_shows_the_refusal(closed, manager_client):
    response = manager_client.post(reverse("alliance:member-create"), {
        "organisation": OrganisationFactory().pk, "category": "research", "joined_on": INSIDE.isoformat()})
    assert response.status_code == 200
    assert REFUSAL in html.unescape(response.content.decode())
    assert AllianceMember.objects.count() == 1


def test_the_api_answers_400_with_the_refusal(closed, manager_client):
    response = manager_client.post("/api/v1/alliance-members/", {
        "organisation": OrganisationFactory().pk, "category": "research", "joined_on": INSIDE.isoformat()},
        content_type="application/json")
    assert response.status_code == 400
    assert REFUSAL in html.unescape(response.content.decode())
    assert AllianceMember.objects.count() == 1


def test_the_import_is_refused_with_the_period_named(closed, manager_client):
    text = ("organisation,country,kind,category,joined_on,left_on,note\n"
            f"Centro Easo,ES,vet,vet,{INSIDE.isoformat()},,\n")
    upload = SimpleUploadedFile("members.csv", text.encode(), content_type="text/csv")
    preview = manager_client.post(reverse("alliance:member-import"), {"file": upload})
    refused = manager_client.post(reverse("alliance:member-import"), {"token": preview.context["token"]})
    assert refused.status_code == 200
    assert REFUSAL in html.unescape(refused.content.decode())
    assert AllianceMember.objects.count() == 1
    with pytest.raises(importing.ImportRefused) as refusal:
        importing.import_rows(alliance_pages.members, importing.read_upload(
            SimpleUploadedFile("members.csv", text.encode(), content_type="text/csv")), user=None)
    assert any(REFUSAL in error for error in refusal.value.preview[0]["errors"])


def test_only_an_administrator_reopens_with_a_reason_kept_in_the_history(closed, manager_user, admin_user):
    with pytest.raises(PermissionDenied):
        period_reopen(period=closed, user=manager_user, reason="A late report")
    with pytest.raises(ValidationError):
        period_reopen(period=closed, user=admin_user, reason="  ")
    period_reopen(period=closed, user=admin_user, reason="The EU asked for a corrected M1–M18 report")
    closed.refresh_from_db()
    assert not closed.is_closed
    latest = closed.history.order_by("-history_id").first()
    assert latest.history_change_reason == "The EU asked for a corrected M1–M18 report"
    assert latest.history_user == admin_user
    assert not Snapshot.objects.filter(date__lte=END, is_frozen=True).exists()
    AllianceMemberFactory(joined_on=INSIDE)  # accepted now
    rollup.drain()
    assert members_on(datetime.date(2023, 5, 31)).value == 2
