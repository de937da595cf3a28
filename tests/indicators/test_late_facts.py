"""Closed books, late facts posted: a coordinator may record a change dated inside a closed reporting period
as *recorded after closing*, with a reason. The frozen snapshots never change; today's value includes it;
the period page, the indicator page and the report list it beside the reported value."""

import datetime
import html
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from alliance.models import AllianceMember
from indicators import rollup, triggers
from indicators.models import LateFact, OutboxEntry, Snapshot
from registers.after_closing import CONFIRM_FIELD, REASON_FIELD
from reporting.models import ReportingPeriod
from reporting.periods import period_close, period_reopen, period_review
from tests.factories import AllianceMemberFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
START, END = datetime.date(2022, 9, 1), datetime.date(2024, 2, 29)
INSIDE = datetime.date(2023, 5, 10)
REASON = "The MoU arrived by post after the report was sent"
REFUSAL = "This change would alter the closed reporting period 'M1–M18 (1 Sept 2022 – 29 Feb 2024)'"


@pytest.fixture
def closed(lcamp_indicators, project, admin_user):
    period = ReportingPeriod.objects.create(project=project, name="M1–M18", start_on=START, end_on=END)
    AllianceMemberFactory(joined_on=datetime.date(2023, 1, 15))
    period_review(period=period, user=admin_user)
    period_close(period=period, user=admin_user)
    OutboxEntry.objects.all().delete()
    return period


def frozen_values():
    return sorted(Snapshot.objects.filter(date__lte=END).values_list("indicator_id", "date", "value", "is_frozen"))


def members_today():
    rollup.drain()
    return Snapshot.objects.filter(indicator__code="alliance-members").order_by("-date").first()


def new_member(**extra):
    return {"organisation": OrganisationFactory(name="Late Lyceum").pk, "category": "research",
            "joined_on": INSIDE.isoformat(), **extra}


def test_the_service_refuses_without_confirmation_and_keeps_a_late_fact_with_it(closed, manager_user):
    before = frozen_values()
    with pytest.raises(ValidationError, match=re.escape(REFUSAL)), transaction.atomic():
        AllianceMemberFactory(joined_on=INSIDE)
    assert not LateFact.objects.exists()
    with triggers.recorded_after_closing(REASON, manager_user):
        member = AllianceMemberFactory(joined_on=INSIDE)
    fact = LateFact.objects.get()
    assert (fact.indicator.code, fact.period_id, fact.period_name, fact.record_id, fact.reason,
            fact.recorded_by, fact.event_date) == ("alliance-members", closed.pk, "M1–M18", str(member.pk), REASON,
                                                   manager_user, INSIDE)
    assert fact.title == str(member) and fact.record_model == "alliance.AllianceMember"
    assert members_today().value == 2
    assert frozen_values() == before


def test_a_later_change_that_moves_no_value_more_is_not_refused(closed, manager_user):
    with triggers.recorded_after_closing(REASON, manager_user):
        member = AllianceMemberFactory(joined_on=INSIDE)
    member.note = "A note alters no count"
    member.save()  # no refusal: the closed period's values are those the late fact left
    assert LateFact.objects.count() == 1


def test_a_reason_is_required():
    with pytest.raises(ValueError), triggers.recorded_after_closing("  "):
        pass


def test_the_coordinator_is_refused_then_offered_the_confirmation(closed, manager_client):
    response = manager_client.post(reverse("alliance:member-create"), new_member())
    text = html.unescape(response.content.decode())
    assert response.status_code == 200 and REFUSAL in text
    assert f'name="{CONFIRM_FIELD}"' in text and f'name="{REASON_FIELD}"' in text
    assert AllianceMember.objects.count() == 1 and not LateFact.objects.exists()


def test_a_confirmation_without_a_reason_is_a_form_error_and_nothing_is_written(closed, manager_client):
    before = frozen_values()
    response = manager_client.post(reverse("alliance:member-create"), new_member(**{CONFIRM_FIELD: "on"}))
    assert response.status_code == 200
    assert "Say why the record is recorded after closing" in html.unescape(response.content.decode())
    assert AllianceMember.objects.count() == 1 and not LateFact.objects.exists()
    assert frozen_values() == before


def test_the_confirmed_record_is_saved_frozen_figures_stay_today_counts_it(closed, manager_client, manager_user):
    before = frozen_values()
    response = manager_client.post(reverse("alliance:member-create"),
                                   new_member(**{CONFIRM_FIELD: "on", REASON_FIELD: REASON}))
    assert response.status_code == 302
    member = AllianceMember.objects.get(organisation__name="Late Lyceum")
    assert frozen_values() == before
    assert members_today().value == 2
    fact = LateFact.objects.get()
    assert fact.reason == REASON and fact.recorded_by == manager_user
    # The history keeps the reason.
    assert REASON in member.history.latest().history_change_reason


def test_an_edit_back_dated_into_the_closed_period_is_confirmed_on_the_edit_page(closed, manager_client):
    member = AllianceMemberFactory(joined_on=datetime.date(2024, 6, 1))
    url = reverse("alliance:member-edit", args=[member.pk])
    data = {"organisation": member.organisation_id, "category": member.category, "joined_on": INSIDE.isoformat(),
            "version": member.version}
    refused = manager_client.post(url, data)
    assert refused.status_code == 200 and f'name="{CONFIRM_FIELD}"' in refused.content.decode()
    member.refresh_from_db()
    assert member.joined_on != INSIDE
    saved = manager_client.post(url, {**data, CONFIRM_FIELD: "on", REASON_FIELD: REASON})
    assert saved.status_code == 302
    member.refresh_from_db()
    assert member.joined_on == INSIDE and LateFact.objects.get().record_id == str(member.pk)


def test_the_period_page_the_indicator_page_and_the_report_list_it(closed, manager_client, staff_client):
    manager_client.post(reverse("alliance:member-create"), new_member(**{CONFIRM_FIELD: "on", REASON_FIELD: REASON}))
    page = html.unescape(staff_client.get(reverse("reporting:period-detail", args=[closed.pk])).content.decode())
    assert "1 recorded after closing" in page and "Late Lyceum" in page and REASON in page
    indicator = html.unescape(staff_client.get(
        reverse("indicators:indicator-detail", args=["alliance-members"])).content.decode())
    assert "1 recorded after closing" in indicator and REASON in indicator and "Reported value" in indicator
    sheet = load_workbook(io.BytesIO(staff_client.get(
        reverse("reporting:period-report-xlsx", args=[closed.pk])).content))["Recorded after closing"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "alliance-members" and "Late Lyceum" in rows[1][2] and rows[1][-1] == REASON


def test_a_period_without_late_facts_shows_none(closed, staff_client):
    page = staff_client.get(reverse("reporting:period-detail", args=[closed.pk])).content.decode()
    assert "recorded after closing" not in page


def test_a_partner_never_gets_the_option(closed, partner_client):
    response = partner_client.post(reverse("alliance:member-create"),
                                   new_member(**{CONFIRM_FIELD: "on", REASON_FIELD: REASON}))
    assert f'name="{CONFIRM_FIELD}"' not in response.content.decode()
    assert not LateFact.objects.exists()


def test_staff_cannot_write_at_all(closed, staff_client):
    response = staff_client.post(reverse("alliance:member-create"),
                                 new_member(**{CONFIRM_FIELD: "on", REASON_FIELD: REASON}))
    assert response.status_code == 403 and not LateFact.objects.exists()


def test_reopening_absorbs_the_late_facts(closed, manager_user, admin_user, staff_client):
    with triggers.recorded_after_closing(REASON, manager_user):
        AllianceMemberFactory(joined_on=INSIDE)
    period_reopen(period=closed, user=admin_user, reason="Late members to report")
    assert LateFact.objects.get().absorbed_at is not None
    page = staff_client.get(reverse("reporting:period-detail", args=[closed.pk])).content.decode()
    assert "recorded after closing" not in page


def test_approving_a_partners_record_dated_in_a_closed_period_posts_it_as_a_late_fact(
        closed, partner_client, partner_user, manager_user):
    """A partner's submission dated inside a closed period: approved without a note it is refused (nothing
    decided, nothing counted); approved with a note it counts today, the note kept as the reason of a late
    fact, and the period's frozen figures stay."""
    from registers import submissions
    from registers.models import Approval, Submission
    from tests.training.test_register_training import credential_data
    from training.models import MicroCredential

    before = frozen_values()
    response = partner_client.post(reverse("training:micro-credential-create"), credential_data(
        partner_user.organisation, title="Late laser course", published_on=INSIDE.isoformat()))
    assert response.status_code == 302
    submission = Submission.objects.get()
    with pytest.raises(ValidationError, match="approve it with a note"):
        submissions.decide(submission=submission, reviewer=manager_user, decision="approve")
    submission.refresh_from_db()
    credential = MicroCredential.objects.get(title="Late laser course")
    assert submission.status == Submission.Status.SUBMITTED and credential.approval == Approval.SUBMITTED
    assert not LateFact.objects.exists()

    submissions.decide(submission=submission, reviewer=manager_user, decision="approve",
                       note="Reported by the partner after the interim report")
    credential.refresh_from_db()
    assert credential.approval == Approval.APPROVED
    fact = LateFact.objects.get()
    assert (fact.indicator.code, fact.record_id, fact.recorded_by, fact.reason) == (
        "micro-credentials", str(credential.pk), manager_user, "Reported by the partner after the interim report")
    assert frozen_values() == before
    rollup.drain()
    today = Snapshot.objects.filter(indicator__code="micro-credentials").order_by("-date").first()
    assert today.value == 1


def test_a_late_fact_undone_is_refused_too_and_later_changes_are_still_checked(closed, manager_user):
    # Against the values the latest late fact left, not against the frozen ones alone: undoing a late
    # fact moves no frozen value but leaves the period's list naming a record that no longer counts,
    # and a change that then matched the late fact's values went through without a confirmation.
    before = frozen_values()
    with triggers.recorded_after_closing(REASON, manager_user):
        late = AllianceMemberFactory(joined_on=INSIDE)
    rollup.drain()
    late.joined_on = datetime.date(2024, 6, 1)  # after the period: its values are the frozen ones again
    with pytest.raises(ValidationError, match=re.escape(REFUSAL)), transaction.atomic():
        late.save()
    with triggers.recorded_after_closing("Joined after all in June 2024", manager_user):
        late.save()
    rollup.drain()
    undone = LateFact.objects.order_by("-pk").first()
    assert LateFact.objects.count() == 2 and undone.record_id == str(late.pk)
    frozen = {on.isoformat(): value for _indicator, on, value, _frozen in before
              if _indicator == undone.indicator_id}
    assert undone.values and all(Decimal(value) == frozen[on] for on, value in undone.values.items())
    with pytest.raises(ValidationError, match=re.escape(REFUSAL)), transaction.atomic():
        AllianceMemberFactory(joined_on=INSIDE)
    assert frozen_values() == before
