"""An organisation's contribution page: each indicator's share read from the stored breakdown by
responsible organisation, its waiting and rejected submissions, its partner notes; who may see it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators.rollup import rollup_all
from registers import submissions
from registers.models import Submission
from reporting import contribution
from reporting.models import PartnerNarrative, ReportingPeriod
from tests.factories import MicroCredentialFactory, ObservatoryFactory, UserFactory

pytestmark = pytest.mark.django_db

CODE = "micro-credentials"


def _url(organisation):
    return reverse("reporting:contribution", args=[organisation.pk])


@pytest.fixture
def running(project):
    today = timezone.localdate()
    return ReportingPeriod.objects.create(project=project, name="Final", start_on=today - datetime.timedelta(days=60),
                                          end_on=today + datetime.timedelta(days=30))


def _records(organisation, other_organisation, partner_user, manager_user, running, indicators, n):
    """``n`` counted credentials of the organisation (and n + 1 of the other), ``n`` waiting and ``n``
    rejected submissions, ``min(n, 8)`` notes; then the roll-up."""
    for _ in range(n):
        MicroCredentialFactory(awarding_body=organisation)
        ObservatoryFactory(host_organisation=organisation)
    for _ in range(n + 1):
        MicroCredentialFactory(awarding_body=other_organisation)
    for i in range(2 * n):
        record = MicroCredentialFactory(awarding_body=organisation, approval="submitted")
        submission = submissions.submit_new(record, "training:micro-credential", partner_user)
        if i % 2:
            submissions.decide(submission=submission, reviewer=manager_user, decision="reject",
                               note=f"Missing the learning outcomes {i}.")
    for indicator in list(indicators.values())[:min(n, 8)]:
        PartnerNarrative.objects.create(period=running, indicator=indicator, organisation=organisation,
                                        text=f"Our note on {indicator.code}.", author=partner_user)
    rollup_all()


def test_the_page_shows_the_share_submissions_and_notes(partner_client, partner_user, manager_user, organisation,
                                                        other_organisation, running, lcamp_indicators):
    _records(organisation, other_organisation, partner_user, manager_user, running, lcamp_indicators, 3)
    response = partner_client.get(_url(organisation))
    assert response.status_code == 200
    shares = {share.indicator.code: share for share in response.context["shares"]}
    assert shares[CODE].value == 3 and shares[CODE].total == 7 and str(shares[CODE].percent) == "42.9"
    assert shares["observatories"].value == shares["observatories"].total == 3
    assert shares["mous"].value == 0
    assert shares["observatories"].note.text == "Our note on observatories." and shares[CODE].note is None
    assert shares[CODE].period == running
    assert response.context["pending"].paginator.count == 3
    assert response.context["rejected"].paginator.count == 3
    page = response.content.decode()
    assert "Missing the learning outcomes 1." in page
    assert "Our note on observatories." in page
    assert reverse("reporting:partner-narrative-edit", args=[running.pk, CODE]) in page
    # The header links the partner to it.
    assert f'href="{_url(organisation)}"' in page


def test_the_shares_are_read_from_the_stored_breakdown(organisation, lcamp_indicators):
    """A record saved after the roll-up shows with the next one, as every figure of the dashboard."""
    MicroCredentialFactory(awarding_body=organisation)
    rollup_all()
    MicroCredentialFactory(awarding_body=organisation)
    assert {s.indicator.code: s.value for s in contribution.shares(organisation.pk)}[CODE] == 1
    rollup_all()
    assert {s.indicator.code: s.value for s in contribution.shares(organisation.pk)}[CODE] == 2


def test_without_snapshots_the_page_says_so(manager_client, organisation, lcamp_indicators):
    response = manager_client.get(_url(organisation))
    assert response.status_code == 200
    assert all(share.snapshot is None and share.percent is None for share in response.context["shares"])
    assert "not rolled up yet" in response.content.decode()


# Pinned: the session, the user, the roles, the organisation, the shares (indicators, snapshots,
# breakdown, open periods, notes), waiting, rejected and notes (count and page each), the project's
# setting for the header.
QUERIES = 16


@pytest.mark.parametrize("n", [1, 25])
def test_the_query_count_does_not_depend_on_the_number_of_records(
        django_assert_num_queries, partner_client, partner_user, manager_user, organisation, other_organisation,
        running, lcamp_indicators, n):
    _records(organisation, other_organisation, partner_user, manager_user, running, lcamp_indicators, n)
    with django_assert_num_queries(QUERIES):
        response = partner_client.get(_url(organisation))
    assert response.status_code == 200
    assert {s.indicator.code: s.value for s in response.context["shares"]}[CODE] == n


def test_pages_of_submissions(partner_client, partner_user, manager_user, organisation, other_organisation, running,
                              lcamp_indicators):
    _records(organisation, other_organisation, partner_user, manager_user, running, lcamp_indicators, 25)
    first = partner_client.get(_url(organisation))
    assert len(first.context["pending_rows"]) == contribution.PAGE_SIZE
    second = partner_client.get(_url(organisation), {"page": 2, "rejected_page": "x"})
    assert len(second.context["pending_rows"]) == 5 and second.context["rejected"].number == 1


@pytest.mark.parametrize("who", ["manager_client", "staff_client", "admin_client"])
def test_coordinators_staff_and_admins_see_every_organisation(request, organisation, other_organisation, who):
    client = request.getfixturevalue(who)
    assert client.get(_url(organisation)).status_code == 200
    assert client.get(_url(other_organisation)).status_code == 200


def test_a_partner_sees_only_its_own_organisation(partner_client, client, organisation, other_organisation):
    assert partner_client.get(_url(organisation)).status_code == 200
    assert partner_client.get(_url(other_organisation)).status_code == 404
    client.force_login(UserFactory(username="viewer", role="partner_viewer", organisation=organisation))
    response = client.get(_url(organisation))
    assert response.status_code == 200
    assert client.get(_url(other_organisation)).status_code == 404


def test_a_partner_viewer_cannot_write_notes(client, organisation, running, lcamp_indicators):
    client.force_login(UserFactory(username="viewer", role="partner_viewer", organisation=organisation))
    page = client.get(_url(organisation)).content.decode()
    assert "Write our note" not in page
    assert reverse("reporting:partner-narrative-edit", args=[running.pk, CODE]) not in page


def test_no_role_is_403_and_anonymous_logs_in(outsider_client, client, organisation):
    assert outsider_client.get(_url(organisation)).status_code == 403
    response = client.get(_url(organisation))
    assert response.status_code == 302 and reverse("login") in response.url


def test_an_unknown_organisation_answers_404(manager_client):
    assert manager_client.get("/organisations/999999/contribution/").status_code == 404


def test_the_organisation_page_links_to_its_contribution(manager_client, partner_client, organisation,
                                                         other_organisation):
    detail = reverse("organisations:organisation-detail", args=[organisation.pk])
    assert _url(organisation) in manager_client.get(detail).content.decode()
    assert _url(organisation) in partner_client.get(detail).content.decode()
    other = reverse("organisations:organisation-detail", args=[other_organisation.pk])
    assert _url(other_organisation) not in partner_client.get(other).content.decode()


def test_rejected_submissions_say_why(partner_client, partner_user, manager_user, organisation):
    record = MicroCredentialFactory(awarding_body=organisation, approval="submitted")
    submission = submissions.submit_new(record, "training:micro-credential", partner_user)
    submissions.decide(submission=submission, reviewer=manager_user, decision="reject", note="No <b>evidence</b>.")
    assert Submission.objects.get().status == Submission.Status.REJECTED
    page = partner_client.get(_url(organisation)).content.decode()
    assert "No &lt;b&gt;evidence&lt;/b&gt;." in page


# --- The dashboard for partners (Project.partners_see_dashboard) -----------------------------------


@pytest.fixture
def partners_see_dashboard(project):
    project.partners_see_dashboard = True
    project.save(update_fields=["partners_see_dashboard"])


@pytest.fixture
def counted(organisation, other_organisation, lcamp_indicators, running):
    MicroCredentialFactory(awarding_body=organisation, title="Our credential")
    MicroCredentialFactory(awarding_body=other_organisation, title="Their credential")
    rollup_all()


def test_a_partner_reads_the_dashboard_read_only(partners_see_dashboard, counted, partner_client, organisation):
    response = partner_client.get(reverse("indicators:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Refresh now", reverse("indicators:refresh"), f'href="{reverse("reporting:period-list")}"'):
        assert text not in page, text
    assert f'href="{_url(organisation)}"' in page  # "Our contribution" in the header
    assert f'href="{reverse("registers")}">Our records<' in page  # its own records, not every register


def test_a_partner_reads_an_indicator_page_read_only(partners_see_dashboard, counted, partner_client, manager_client,
                                                     running, manager_user):
    from reporting import narratives

    narratives.narrative_save(indicator=running.project.indicators.get(code=CODE), period=running, user=manager_user,
                              data={"what_happened": "On track."})
    url = reverse("indicators:indicator-detail", args=[CODE])
    # The coordinator's page first: a partner must not get it from the cache.
    assert "Their credential" in manager_client.get(url).content.decode()
    response = partner_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Add a record" not in page and "Latest records" not in page
    assert "Their credential" not in page and "Our credential" not in page
    assert reverse("reporting:narrative-edit", args=[running.pk, CODE]) not in page
    # Every link on the page opens for the partner (no 403 or 404).
    import re

    for href in set(re.findall(r'href="(/[^"#?]*)', page)):
        if href.startswith(("/static/", "/accounts/", "/i18n/")):
            continue
        assert partner_client.get(href).status_code in (200, 302), href


def test_a_partner_may_not_download_the_report(partners_see_dashboard, partner_client, running):
    page = partner_client.get(reverse("reporting:period-detail", args=[running.pk])).content.decode()
    assert "Download the PDF" not in page and "Put in review" not in page
    assert partner_client.get(reverse("reporting:period-report-xlsx", args=[running.pk])).status_code == 403


def test_without_the_setting_partners_do_not_see_the_dashboard(counted, partner_client, organisation, running):
    response = partner_client.get(reverse("indicators:dashboard"))
    assert response.status_code == 302  # to the partner's home page
    assert partner_client.get(reverse("indicators:indicator-detail", args=[CODE])).status_code == 403
    assert partner_client.get(reverse("indicators:export-csv")).status_code == 403
    assert partner_client.get(reverse("reporting:period-detail", args=[running.pk])).status_code == 403
    # Its own contribution stays open to it.
    assert partner_client.get(_url(organisation)).status_code == 200
    page = partner_client.get(_url(organisation)).content.decode()
    assert reverse("indicators:indicator-detail", args=[CODE]) not in page
