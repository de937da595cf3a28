"""Narratives: written by managers, rendered safely, with history, comments and reviews; roles respected."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from reporting import narratives, periods
from reporting.models import Narrative, ReportingPeriod

pytestmark = pytest.mark.django_db

GOOD = {"what_happened": "Two **VET centres** joined.", "why": "Recruitment started late.",
        "corrective_actions": "- a call in March\n- regional events", "next_steps": "Reach 60 by December."}


def _edit(period, code="alliance-members"):
    return reverse("reporting:narrative-edit", args=[period.pk, code])


def _detail(period, code="alliance-members"):
    return reverse("reporting:narrative-detail", args=[period.pk, code])


def test_a_manager_writes_a_narrative_and_its_history_is_kept(manager_client, manager_user, period_data, period):
    assert manager_client.get(_edit(period)).status_code == 200
    response = manager_client.post(_edit(period), GOOD)
    assert response.status_code == 302
    narrative = Narrative.objects.get(period=period, indicator__code="alliance-members")
    assert narrative.written_by == manager_user and narrative.version == 1

    response = manager_client.post(_edit(period), {**GOOD, "why": "The call opened late.", "version": "1"})
    assert response.status_code == 302
    narrative.refresh_from_db()
    assert narrative.why == "The call opened late." and narrative.version == 2
    assert narrative.history.count() == 2
    assert narrative.history.earliest().why == "Recruitment started late."

    page = manager_client.get(_detail(period)).content.decode()
    assert "<strong>VET centres</strong>" in page and "<li>a call in March</li>" in page


@pytest.mark.parametrize("data", [{}, {"what_happened": "  ", "why": ""}, {"what_happened": "x" * 8001}])
def test_a_bad_narrative_is_refused_and_nothing_is_written(manager_client, period_data, period, data):
    response = manager_client.post(_edit(period), data)
    assert response.status_code == 400
    assert not Narrative.objects.exists()


def test_a_stale_edit_is_refused(manager_client, manager_user, period_data, period):
    narratives.narrative_save(indicator=period_data["alliance-members"], period=period, user=manager_user, data=GOOD)
    narratives.narrative_save(indicator=period_data["alliance-members"], period=period, user=manager_user,
                              data={"why": "Second"}, version=1)
    response = manager_client.post(_edit(period), {**GOOD, "version": "1"})
    assert response.status_code == 400
    assert Narrative.objects.get().why == "Second"


def test_an_unknown_indicator_answers_404(manager_client, period_data, period):
    assert manager_client.get(_edit(period, "nope")).status_code == 404


def test_markdown_is_rendered_without_script(manager_user, period_data, period):
    narrative = narratives.narrative_save(
        indicator=period_data["alliance-members"], period=period, user=manager_user,
        data={"what_happened": '<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) '
                               '<a href="https://e.org" onclick="x()">e</a> [ok](https://example.org)'})
    html = str(narratives.render(narrative.what_happened))
    # Raw HTML shows as text; the only tags are the allowed ones, the only attributes a link's href and rel.
    assert "&lt;script&gt;" in html
    tags = re.findall(r"<(\w+)([^>]*)>", html)
    assert {name for name, _ in tags} <= {"p", "a"}
    assert [attrs for name, attrs in tags if name == "a"] == [' href="https://example.org" rel="noopener noreferrer nofollow"']
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">ok</a>' in html


@pytest.mark.parametrize(("role", "expected"), [("staff", 403), ("partner", 403), ("admin", 302), ("manager", 302)])
def test_only_managers_write_narratives(role_clients, period_data, period, role, expected):
    response = role_clients[role].post(_edit(period), GOOD)
    assert response.status_code == expected
    assert Narrative.objects.exists() == (expected == 302)


def test_staff_comment_and_mark_reviewed(staff_client, staff_user, manager_user, period_data, period):
    narratives.narrative_save(indicator=period_data["alliance-members"], period=period, user=manager_user, data=GOOD)
    code = "alliance-members"
    response = staff_client.post(reverse("reporting:narrative-comment", args=[period.pk, code]), {"body": ""})
    assert response.status_code == 400
    response = staff_client.post(reverse("reporting:narrative-comment", args=[period.pk, code]),
                                 {"body": "Add the figure for Sweden."})
    assert response.status_code == 302
    response = staff_client.post(reverse("reporting:narrative-review", args=[period.pk, code]))
    assert response.status_code == 302
    narrative = Narrative.objects.get()
    assert narrative.reviewed_by == staff_user
    assert narrative.comments.get().body == "Add the figure for Sweden."
    assert "Add the figure for Sweden." in staff_client.get(_detail(period)).content.decode()
    # An edit after the review needs a new review.
    narratives.narrative_save(indicator=narrative.indicator, period=period, user=manager_user, data={"why": "More"})
    narrative.refresh_from_db()
    assert narrative.reviewed_at is None


def test_nobody_marks_their_own_narrative_reviewed(manager_client, manager_user, period_data, period):
    narrative = narratives.narrative_save(indicator=period_data["alliance-members"], period=period,
                                          user=manager_user, data=GOOD)
    review = reverse("reporting:narrative-review", args=[period.pk, "alliance-members"])
    assert review not in manager_client.get(_detail(period)).content.decode()  # no button
    response = manager_client.post(review, follow=True)
    assert "You wrote this narrative" in response.content.decode()
    narrative.refresh_from_db()
    assert narrative.reviewed_by is None and narrative.reviewed_at is None
    with pytest.raises(ValidationError):
        narratives.narrative_mark_reviewed(narrative=narrative, user=manager_user)


def test_another_manager_marks_it_reviewed(client, manager_user, period_data, period):
    from tests.factories import UserFactory

    narrative = narratives.narrative_save(indicator=period_data["alliance-members"], period=period,
                                          user=manager_user, data=GOOD)
    colleague = UserFactory(username="colleague", role="manager")
    narratives.narrative_mark_reviewed(narrative=narrative, user=colleague)
    narrative.refresh_from_db()
    assert narrative.reviewed_by == colleague


def test_partners_never_see_a_narrative_unless_it_and_its_indicator_are_public(
        client, partner_client, manager_user, period_data, period):
    indicator = period_data["alliance-members"]
    narrative = narratives.narrative_save(indicator=indicator, period=period, user=manager_user,
                                          data={**GOOD, "what_happened": "Secret plans"})
    assert partner_client.get(_detail(period)).status_code == 403
    public_page = lambda: client.get(reverse("indicators:public")).content.decode()  # noqa: E731

    indicator.is_public = True
    indicator.save()
    assert "Secret plans" not in public_page()            # the narrative is not public
    narrative.is_public = True
    narrative.save()
    indicator.is_public = False
    indicator.save()
    assert "Secret plans" not in public_page()            # the indicator is not public
    indicator.is_public = True
    indicator.save()
    assert "Secret plans" in public_page()


def test_the_indicator_page_shows_the_latest_narrative(staff_client, manager_user, period_data, period):
    narratives.narrative_save(indicator=period_data["alliance-members"], period=period, user=manager_user, data=GOOD)
    page = staff_client.get(reverse("indicators:indicator-detail", args=["alliance-members"])).content.decode()
    assert "Narrative — Interim M1–M18" in page and "Recruitment started late." in page


def test_the_dashboard_flags_a_behind_indicator_without_a_narrative(staff_client, manager_user, period_data,
                                                                    project):
    import datetime

    from indicators.rollup import rollup_all

    rollup_all()
    open_period = ReportingPeriod.objects.create(project=project, name="Final", start_on=datetime.date(2024, 3, 1),
                                                 end_on=datetime.date(2099, 12, 31))
    page = staff_client.get(reverse("indicators:dashboard")).content.decode()
    assert "no narrative for Final" in page
    for code in period_data:
        narratives.narrative_save(indicator=period_data[code], period=open_period, user=manager_user, data=GOOD)
    page = staff_client.get(reverse("indicators:dashboard")).content.decode()
    assert "no narrative for Final" not in page


def test_services_refuse_the_wrong_role(staff_user, partner_user, period_data, period):
    with pytest.raises(PermissionDenied):
        narratives.narrative_save(indicator=period_data["mous"], period=period, user=staff_user, data=GOOD)
    narrative = Narrative.objects.create(indicator=period_data["mous"], period=period, why="x")
    with pytest.raises(PermissionDenied):
        narratives.narrative_comment_add(narrative=narrative, user=partner_user, body="hi")
    with pytest.raises(ValidationError):
        narratives.narrative_comment_add(narrative=narrative, user=staff_user, body=" ")
    assert ReportingPeriod.objects.get(pk=period.pk).state == periods.OPEN


def test_the_dashboard_shows_the_figures_as_of_a_periods_end(staff_client, period_data, period):
    from indicators.rollup import rollup_all

    rollup_all()
    today = staff_client.get(reverse("indicators:dashboard")).content.decode()
    assert f'<option value="{period.pk}">the end of Interim M1–M18' in today
    page = staff_client.get(reverse("indicators:dashboard"), {"period": period.pk}).content.decode()
    assert "Figures as of" in page and '<time datetime="2024-02-29">' in page and "the end of Interim M1–M18" in page
    assert 'id="card-alliance-members"' in page
    # Two members at the period's end (the third joined later); three today.
    assert '<strong class="value">2</strong> of' in page
    assert '<strong class="value">3</strong> of' in today
    for bad in ("999", "x", "-1"):
        assert staff_client.get(reverse("indicators:dashboard"), {"period": bad}).status_code == 200
