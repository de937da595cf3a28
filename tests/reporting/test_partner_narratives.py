"""Partner narratives: a partner editor writes its organisation's note on an indicator while the period
is open; viewers read; coordinators read them next to the narrative and quote them; the report lists them."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reporting import partner_narratives, report
from reporting.models import Narrative, PartnerNarrative, ReportingPeriod
from tests.factories import IndicatorFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

CODE = "micro-credentials"


@pytest.fixture
def running(project, lcamp_indicators):
    """A period running today, open."""
    today = timezone.localdate()
    return ReportingPeriod.objects.create(project=project, name="Final", start_on=today - datetime.timedelta(days=60),
                                          end_on=today + datetime.timedelta(days=30))


@pytest.fixture
def viewer_client(client, organisation):
    client.force_login(UserFactory(username="viewer", role="partner_viewer", organisation=organisation))
    return client


@pytest.fixture
def dashboard_for_partners(project):
    project.partners_see_dashboard = True
    project.save(update_fields=["partners_see_dashboard"])


def _edit(period, code=CODE):
    return reverse("reporting:partner-narrative-edit", args=[period.pk, code])


def _write(user, period, indicator, text="We published **two** credentials.", organisation_id=None):
    return partner_narratives.partner_narrative_save(
        period=period, indicator=indicator, user=user, text=text,
        organisation_id=user.organisation_id if organisation_id is None else organisation_id)


def test_a_partner_editor_writes_and_edits_its_organisations_note(partner_client, partner_user, organisation,
                                                                   running):
    assert partner_client.get(_edit(running)).status_code == 200
    response = partner_client.post(_edit(running), {"text": "We published two credentials."})
    assert response.status_code == 302
    assert response.url == reverse("reporting:contribution", args=[organisation.pk])
    note = PartnerNarrative.objects.get()
    assert (note.organisation, note.author, note.indicator.code) == (organisation, partner_user, CODE)

    page = partner_client.get(_edit(running)).content.decode()
    assert "We published two credentials." in page
    assert partner_client.post(_edit(running), {"text": "Three, in fact."}).status_code == 302
    note.refresh_from_db()
    assert note.text == "Three, in fact." and PartnerNarrative.objects.count() == 1
    assert note.history.count() == 2


def test_the_note_is_always_the_writers_organisations(partner_client, organisation, other_organisation, running):
    response = partner_client.post(_edit(running), {"text": "Ours.", "organisation": other_organisation.pk})
    assert response.status_code == 302
    assert PartnerNarrative.objects.get().organisation == organisation


def test_another_organisations_note_is_refused(partner_user, other_organisation, running, lcamp_indicators):
    with pytest.raises(ValidationError):
        _write(partner_user, running, lcamp_indicators[CODE], organisation_id=other_organisation.pk)
    assert not PartnerNarrative.objects.exists()


@pytest.mark.parametrize("text", ["", "   ", "x" * (PartnerNarrative.MAX_LENGTH + 1)])
def test_a_bad_note_is_refused_and_nothing_is_written(partner_client, running, text):
    response = partner_client.post(_edit(running), {"text": text})
    assert response.status_code == 400
    assert not PartnerNarrative.objects.exists()


@pytest.mark.parametrize("state", [ReportingPeriod.State.CLOSED, ReportingPeriod.State.IN_REVIEW])
def test_no_note_changes_once_the_period_is_not_open(partner_client, partner_user, running, state, organisation):
    ReportingPeriod.objects.filter(pk=running.pk).update(state=state)
    response = partner_client.post(_edit(running), {"text": "Late."})
    assert response.status_code == 400
    assert "partner notes" in response.content.decode()
    assert not PartnerNarrative.objects.exists()
    # Opening the form says why and leads back to the contribution page.
    response = partner_client.get(_edit(running), follow=True)
    assert response.redirect_chain[0][0] == reverse("reporting:contribution", args=[organisation.pk])
    assert "partner notes" in response.content.decode()
    running.refresh_from_db()
    with pytest.raises(ValidationError):
        _write(partner_user, running, running.project.indicators.get(code=CODE))


def test_an_indicator_of_another_project_is_refused(partner_user, running):
    other = IndicatorFactory(project=ProjectFactory(code="other"), code="elsewhere")
    with pytest.raises(ValidationError):
        _write(partner_user, running, other)
    assert not PartnerNarrative.objects.exists()


def test_an_unknown_indicator_answers_404(partner_client, running):
    assert partner_client.get(_edit(running, "nope")).status_code == 404


@pytest.mark.parametrize("who", ["viewer_client", "manager_client", "staff_client", "outsider_client"])
def test_only_partner_editors_write_notes(request, running, who):
    client = request.getfixturevalue(who)
    assert client.get(_edit(running)).status_code == 403
    assert client.post(_edit(running), {"text": "Mine."}).status_code == 403
    assert not PartnerNarrative.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client, running):
    response = client.post(_edit(running), {"text": "Mine."})
    assert response.status_code == 302 and reverse("login") in response.url
    assert not PartnerNarrative.objects.exists()


def test_service_refuses_non_editors(manager_user, running, lcamp_indicators):
    with pytest.raises(PermissionDenied):
        _write(manager_user, running, lcamp_indicators[CODE])


def test_the_coordinator_reads_the_notes_and_quotes_one_into_the_narrative(
        manager_client, partner_user, other_partner_user, running, lcamp_indicators):
    indicator = lcamp_indicators[CODE]
    ours = _write(partner_user, running, indicator, "We published **two** credentials.\nBoth in robotics.")
    _write(other_partner_user, running, indicator, "We published one.")
    edit_url = reverse("reporting:narrative-edit", args=[running.pk, CODE])
    page = manager_client.get(edit_url).content.decode()
    assert "<strong>two</strong>" in page and "We published one." in page
    assert f"?quote={ours.pk}" in page

    form = manager_client.get(edit_url, {"quote": ours.pk}).context["form"]
    quoted = form.initial["what_happened"]
    assert quoted == "> We published **two** credentials.\n> Both in robotics.\n>\n> — TKNIKA"
    assert manager_client.post(edit_url, {"what_happened": quoted}).status_code == 302
    assert Narrative.objects.get().what_happened == quoted

    # Quoting again appends to what the narrative says already.
    form = manager_client.get(edit_url, {"quote": ours.pk}).context["form"]
    assert form.initial["what_happened"] == f"{quoted}\n\n{quoted}"
    # A note of another indicator or period, or no note, quotes nothing.
    assert "what_happened" not in manager_client.get(
        reverse("reporting:narrative-edit", args=[running.pk, "observatories"]), {"quote": ours.pk}
    ).context["form"].initial or Narrative.objects.filter(indicator__code="observatories").exists()
    detail = manager_client.get(reverse("reporting:narrative-detail", args=[running.pk, CODE])).content.decode()
    assert "We published one." in detail and "Quote in the narrative" in detail


def test_notes_are_rendered_safely(manager_client, partner_user, running, lcamp_indicators):
    _write(partner_user, running, lcamp_indicators[CODE], "<script>alert(1)</script> [x](javascript:alert(1))")
    page = manager_client.get(reverse("reporting:narrative-edit", args=[running.pk, CODE])).content.decode()
    assert "&lt;script&gt;alert(1)" in page
    assert "<script>alert(1)" not in page and 'href="javascript' not in page


def test_a_partner_reads_only_its_organisations_notes_beside_the_narrative(
        dashboard_for_partners, partner_client, partner_user, other_partner_user, manager_user, running,
        lcamp_indicators):
    from reporting import narratives

    indicator = lcamp_indicators[CODE]
    narratives.narrative_save(indicator=indicator, period=running, user=manager_user, data={"what_happened": "Ok."})
    _write(partner_user, running, indicator, "Ours.")
    _write(other_partner_user, running, indicator, "Theirs.")
    detail_url = reverse("reporting:narrative-detail", args=[running.pk, CODE])
    page = partner_client.get(detail_url).content.decode()
    assert "Ours." in page and "Theirs." not in page
    # Read-only: no edit, review, comment or quote.
    for text in ("Mark reviewed", "Add the comment", "Quote in the narrative",
                 reverse("reporting:narrative-edit", args=[running.pk, CODE])):
        assert text not in page
    assert partner_client.post(reverse("reporting:narrative-review", args=[running.pk, CODE])).status_code == 403
    assert partner_client.post(reverse("reporting:narrative-comment", args=[running.pk, CODE]),
                               {"body": "Hi"}).status_code == 403
    narrative = Narrative.objects.get()
    assert narrative.reviewed_at is None and not narrative.comments.exists()


def test_the_report_lists_the_notes_by_organisation(manager_client, partner_user, other_partner_user, running,
                                                   lcamp_indicators):
    _write(partner_user, running, lcamp_indicators[CODE], "Ours on credentials.")
    _write(partner_user, running, lcamp_indicators["observatories"], "Ours on observatories.")
    _write(other_partner_user, running, lcamp_indicators[CODE], "Theirs.")
    data = report.report_data(running)
    assert [(org.name, [note.text for note, _html in notes]) for org, notes in data["partner_notes"]] == [
        ("AFIL", ["Theirs."]), ("TKNIKA", ["Ours on credentials.", "Ours on observatories."])]

    response = manager_client.get(reverse("reporting:period-report-xlsx", args=[running.pk]))
    sheet = load_workbook(io.BytesIO(response.content))["Partner narratives"]
    rows = [row[:4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert ("TKNIKA", CODE, CODE, "Ours on credentials.") in rows and len(rows) == 3


def test_a_new_note_changes_the_cached_report(partner_user, running, lcamp_indicators):
    from reporting import periods

    before = periods.period_version(running)
    _write(partner_user, running, lcamp_indicators[CODE])
    assert periods.period_version(running) != before
