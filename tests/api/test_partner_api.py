"""The API for partners (issue 21): a partner editor keeps its own organisation's records through
/api/v1/ with the same states and refusals as the register pages; partner viewers read their own;
coordinators are unchanged; an organisation lookup is open to every role."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from alliance.models import AllianceMember, CooperationProject
from observatories.models import Observatory, SkillGap
from organisations.models import Organisation
from registers import submissions
from registers.models import Approval, Submission
from tests.api.conftest import send
from tests.factories import (
    AllianceMemberFactory,
    CooperationProjectFactory,
    FactoryExchangeFactory,
    FactoryProductFactory,
    LearningFactoryFactory,
    MicroCredentialFactory,
    ObservatoryFactory,
    OrganisationFactory,
    ProjectFactory,
    RegionFactory,
    SkillGapFactory,
    UserFactory,
)
from training.models import FactoryExchange, FactoryProduct, LearningFactory, MicroCredential

ESCO = "http://data.europa.eu/esco/skill/2b8a6e2b-4e1c-4b59-9d43-a5a7e2e27e1d"


def _member_org(country="IT"):
    org = OrganisationFactory(country=country)
    AllianceMemberFactory(organisation=org, joined_on=datetime.date(2022, 1, 1))
    return org


@dataclass
class Spec:
    key: str  # the register's page, the Submission's register
    basename: str
    model: type
    make: Callable  # (organisation) -> an approved record that organisation is responsible for
    payload: Callable  # (organisation) -> a valid create body of a record it is responsible for
    change: dict  # a valid partial update of one field
    bad: dict  # what makes the create body invalid

    def __str__(self):
        return self.key

    def list_url(self):
        return reverse(f"api:{self.basename}-list")

    def detail_url(self, pk):
        return reverse(f"api:{self.basename}-detail", args=[pk])


SPECS = [
    Spec("observatories:observatory", "observatory", Observatory,
         make=lambda org: ObservatoryFactory(host_organisation=org),
         payload=lambda org: {"name": "Basque observatory", "region": RegionFactory().pk, "host_organisation": org.pk,
                              "status": "active", "launched_on": "2023-05-01"},
         change={"website": "https://observatory.example.org"}, bad={"launched_on": "not a date"}),
    Spec("observatories:skill-gap", "skill-gap", SkillGap,
         make=lambda org: SkillGapFactory(observatory=ObservatoryFactory(host_organisation=org)),
         payload=lambda org: {"observatory": ObservatoryFactory(host_organisation=org).pk, "title": "Cobot programming",
                              "esco_skill_uri": ESCO, "identified_on": "2024-01-10", "nace_code": "C28",
                              "status": "validated"},
         change={"description": "Seen in the 2024 survey"}, bad={"esco_skill_uri": "cobots"}),
    Spec("training:micro-credential", "micro-credential", MicroCredential,
         make=lambda org: MicroCredentialFactory(awarding_body=org),
         payload=lambda org: {"title": "Cobots 101", "awarding_body": org.pk, "learning_outcomes": "Programme a cobot.",
                              "esco_skills": [ESCO], "ects": "2.5", "eqf_level": 4,
                              "assessment_type": "Practical test", "participation_form": "onsite",
                              "quality_assurance": "Internal QA", "status": "published",
                              "published_on": "2024-09-01"},
         change={"hours": 80}, bad={"eqf_level": 12}),
    Spec("training:factory", "learning-factory", LearningFactory,
         make=lambda org: LearningFactoryFactory(host_organisation=org),
         payload=lambda org: {"name": "Smart factory", "host_organisation": org.pk},
         change={"description": "A learning factory for Industry 4.0"}, bad={"name": ""}),
    Spec("training:exchange", "factory-exchange", FactoryExchange,
         make=lambda org: FactoryExchangeFactory(factory=LearningFactoryFactory(host_organisation=org)),
         payload=lambda org: {"factory": LearningFactoryFactory(host_organisation=org).pk,
                              "partner_organisations": [OrganisationFactory(country="FR").pk],
                              "title": "Summer exchange", "started_on": "2024-07-01", "students": 12},
         change={"students": 14}, bad={"students": 0}),
    Spec("training:product", "factory-product", FactoryProduct,
         make=lambda org: FactoryProductFactory(factories=[LearningFactoryFactory(host_organisation=org)]),
         payload=lambda org: {"title": "Gripper", "factories": [LearningFactoryFactory(host_organisation=org).pk],
                              "collaborating_organisations": [OrganisationFactory().pk, OrganisationFactory().pk],
                              "status": "developed", "developed_on": "2024-10-01"},
         change={"description": "A gripper for small parts"}, bad={"collaborating_organisations": []}),
    Spec("alliance:cooperation-project", "cooperation-project", CooperationProject,
         make=lambda org: CooperationProjectFactory(lead_organisation=org, participants=[org, _member_org()]),
         payload=lambda org: {"title": "Digital twins", "lead_organisation": org.pk,
                              "participants": [org.pk, _member_org().pk], "started_on": "2024-03-01"},
         change={"description": "Digital twins of the lines"}, bad={"started_on": "2024-13-01"}),
    # Every membership is the Alliance lead's (the project's lead organisation: ``organisation`` here).
    Spec("alliance:member", "alliance-member", AllianceMember,
         make=lambda org: AllianceMemberFactory(),
         payload=lambda org: {"organisation": OrganisationFactory().pk, "category": "vet", "joined_on": "2024-02-01"},
         change={"note": "Joined at the Bilbao meeting"}, bad={"joined_on": "x"}),
]


@pytest.fixture(params=SPECS, ids=str)
def spec(request):
    return request.param


@pytest.fixture(autouse=True)
def _alliance(organisation):
    """``organisation`` (TKNIKA) leads the Alliance and is a member of it."""
    ProjectFactory(lead_organisation=organisation)
    AllianceMemberFactory(organisation=organisation, joined_on=datetime.date(2022, 1, 1))


@pytest.fixture
def viewer_user(organisation):
    return UserFactory(username="viewer", role="partner_viewer", organisation=organisation)


@pytest.fixture
def clients(manager_client, partner_client, other_partner_client, viewer_user, staff_client):
    viewer = Client()
    viewer.force_login(viewer_user)
    return {"coordinator": manager_client, "partner_editor": partner_client,
            "partner_editor_other": other_partner_client, "partner_viewer": viewer, "staff": staff_client,
            "anonymous": Client()}


def _state(record):
    """The record as saved, to compare before and after a request."""
    fresh = type(record)._default_manager.get(pk=record.pk)
    return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields if f.name != "updated_at"}


# --- The matrix: register x role ------------------------------------------------------------------


@pytest.mark.parametrize(("role", "list_", "retrieve", "create", "update"), [
    ("coordinator", 200, 200, 201, 200),
    ("partner_editor", 200, 200, 201, 202),
    ("partner_editor_other", 200, 404, 400, 404),
    ("partner_viewer", 200, 200, 403, 403),
    ("staff", 200, 200, 403, 403),
    ("anonymous", 401, 401, 401, 401),
])
def test_matrix(spec, organisation, clients, role, list_, retrieve, create, update):
    record = spec.make(organisation)
    before = _state(record)
    count = spec.model.objects.count()
    client = clients[role]
    listed = send(client, "get", spec.list_url())
    assert listed.status_code == list_
    if list_ == 200:
        ids = [row["id"] for row in listed.json()["results"]]
        assert (record.pk in ids) == (role != "partner_editor_other")
    response = send(client, "get", spec.detail_url(record.pk))
    assert response.status_code == retrieve
    if retrieve == 200:
        assert response.json()["approval"] == "approved"
    created = send(client, "post", spec.list_url(), spec.payload(organisation))
    assert created.status_code == create, created.content
    updated = send(client, "patch", spec.detail_url(record.pk), spec.change)
    assert updated.status_code == update, updated.content
    if create != 201:
        assert spec.model.objects.count() == count
    if update != 200:
        assert _state(record) == before  # a proposed change, or refused: the record as it was


def test_a_partner_editor_creates_a_submitted_record(spec, organisation, partner_client, partner_user):
    response = send(partner_client, "post", spec.list_url(), spec.payload(organisation))
    assert response.status_code == 201, response.content
    assert response.json()["approval"] == "submitted"
    record = spec.model.objects.get(pk=response.json()["id"])
    assert record.approval == Approval.SUBMITTED
    submission = Submission.objects.get(register=spec.key, object_id=record.pk)
    assert (submission.kind, submission.status, submission.organisation_id, submission.submitted_by_id) == (
        "new", "submitted", organisation.pk, partner_user.pk)
    if hasattr(spec.model.objects, "countable"):
        assert not spec.model.objects.countable().filter(pk=record.pk).exists()


def test_a_coordinators_record_is_approved_at_once(spec, organisation, manager_client):
    response = send(manager_client, "post", spec.list_url(), spec.payload(organisation))
    assert response.status_code == 201, response.content
    assert response.json()["approval"] == "approved"
    assert not Submission.objects.exists()


def test_another_organisations_record_is_refused_naming_it(spec, organisation, other_partner_client):
    count = spec.model.objects.count()
    response = send(other_partner_client, "post", spec.list_url(), spec.payload(organisation))
    assert response.status_code == 400
    assert "TKNIKA" in str(response.json())
    assert spec.model.objects.count() == count
    assert not Submission.objects.exists()


def test_a_proposed_change_keeps_the_old_values_until_decided(spec, organisation, partner_client, manager_user):
    record = spec.make(organisation)
    before = _state(record)
    response = send(partner_client, "patch", spec.detail_url(record.pk), spec.change)
    assert response.status_code == 202, response.content
    body = response.json()
    submission = Submission.objects.get(pk=body["submission"])
    assert (body["kind"], body["status"]) == ("change", "submitted")
    assert [c["field"] for c in body["changes"]] == list(spec.change)
    assert _state(record) == before
    assert send(partner_client, "get", spec.detail_url(record.pk)).json()["approval"] == "approved"
    submissions.decide(submission=submission, reviewer=manager_user, decision="approve")
    field, value = next(iter(spec.change.items()))
    record.refresh_from_db()
    assert str(getattr(record, field)) == str(value)


def test_a_refused_update_writes_nothing(organisation, partner_client):
    credential = MicroCredentialFactory(awarding_body=organisation)
    before = _state(credential)
    url = reverse("api:micro-credential-detail", args=[credential.pk])
    for body in ({"hours": "lots"}, {"eqf_level": 12}, {"awarding_body": OrganisationFactory(name="Elsewhere").pk},
                 {"hours": credential.hours}):
        response = send(partner_client, "patch", url, body)
        assert response.status_code == 400, (body, response.content)
    assert "Elsewhere" in str(send(partner_client, "patch", url, {"awarding_body": Organisation.objects.get(
        name="Elsewhere").pk}).json())
    assert _state(credential) == before
    assert not Submission.objects.exists()


def test_bad_input_from_a_partner_writes_nothing(spec, organisation, partner_client):
    count = spec.model.objects.count()
    response = send(partner_client, "post", spec.list_url(), {**spec.payload(organisation), **spec.bad})
    assert response.status_code == 400, response.content
    assert set(spec.bad) <= set(response.json())
    assert spec.model.objects.count() == count
    assert not Submission.objects.exists()


def test_a_status_change_goes_through_the_status_form(organisation, partner_client, manager_user):
    credential = MicroCredentialFactory(awarding_body=organisation)
    url = reverse("api:micro-credential-detail", args=[credential.pk])
    response = send(partner_client, "patch", url, {"status": "retired", "retired_on": "2024-06-01"})
    assert response.status_code == 202, response.content
    submission = Submission.objects.get(pk=response.json()["submission"])
    assert submission.payload["form"] == "status"
    credential.refresh_from_db()
    assert credential.status == "published"
    submissions.decide(submission=submission, reviewer=manager_user, decision="approve")
    credential.refresh_from_db()
    assert (credential.status, credential.retired_on) == ("retired", datetime.date(2024, 6, 1))


def test_a_partner_may_not_correct(organisation, partner_client):
    credential = MicroCredentialFactory(awarding_body=organisation)
    url = reverse("api:micro-credential-detail", args=[credential.pk])
    response = send(partner_client, "patch", url, {"hours": 90, "correction_reason": "typo"})
    assert response.status_code == 400
    assert "correction_reason" in response.json()


def test_a_stale_version_answers_409(organisation, partner_client):
    credential = MicroCredentialFactory(awarding_body=organisation)
    url = reverse("api:micro-credential-detail", args=[credential.pk])
    assert send(partner_client, "patch", url, {"hours": 90, "version": credential.version + 1}).status_code == 409
    assert not Submission.objects.exists()


def test_a_submitted_record_is_saved_and_submitted_again(organisation, partner_client, partner_user, manager_user):
    created = send(partner_client, "post", reverse("api:learning-factory-list"),
                   {"name": "Smart factory", "host_organisation": organisation.pk}).json()
    url = reverse("api:learning-factory-detail", args=[created["id"]])
    response = send(partner_client, "patch", url, {"description": "Now with cobots"})
    assert response.status_code == 200, response.content
    assert response.json()["approval"] == "submitted"
    factory = LearningFactory.objects.get(pk=created["id"])
    assert factory.description == "Now with cobots"
    waiting = Submission.objects.filter(object_id=factory.pk, status="submitted")
    assert waiting.count() == 1 and waiting.get().kind == "new"
    # Rejected: back with the partner, whose next save submits it again.
    submissions.decide(submission=waiting.get(), reviewer=manager_user, decision="reject", note="Name it fully")
    factory.refresh_from_db()
    assert factory.approval == Approval.REJECTED
    response = send(partner_client, "patch", url, {"name": "Smart factory of Tknika"})
    assert response.status_code == 200 and response.json()["approval"] == "submitted"
    assert Submission.objects.filter(object_id=factory.pk, status="submitted").count() == 1


def test_nobody_approves_their_own_submission(organisation):
    """The submitter cannot decide its own submission (``reviews.review``), even with a coordinator's role."""
    from registers.reviews import ReviewRefused

    partner = UserFactory(username="both", role="partner_editor", organisation=organisation)
    record = LearningFactoryFactory(host_organisation=organisation, approval=Approval.SUBMITTED)
    submission = submissions.submit_new(record, "training:factory", partner)
    with pytest.raises(ReviewRefused):
        submissions.decide(submission=submission, reviewer=partner, decision="approve")
    partner.groups.add(Group.objects.get_or_create(name="coordinator")[0])
    partner = type(partner).objects.get(pk=partner.pk)
    with pytest.raises(ReviewRefused):
        submissions.decide(submission=submission, reviewer=partner, decision="approve")


def test_partner_viewers_and_editors_without_organisation_do_not_write(organisation, db):
    orphan = UserFactory(username="orphan", role="partner_editor")
    client = Client()
    client.force_login(orphan)
    response = send(client, "post", reverse("api:learning-factory-list"),
                    {"name": "Smart factory", "host_organisation": organisation.pk})
    assert response.status_code == 403
    assert send(client, "get", reverse("api:learning-factory-list")).json()["results"] == []


def test_partners_still_find_no_other_register(partner_client):
    for name in ("organisation-list", "region-list", "report-list"):
        assert send(partner_client, "get", reverse(f"api:{name}")).status_code == 403


# --- The organisation lookup --------------------------------------------------------------------------


def test_the_lookup_answers_every_role(clients, organisation, other_organisation, outsider_client):
    OrganisationFactory(name="Tknika Bis", country="FR")
    url = reverse("api:organisation-lookup")
    for role, client in clients.items():
        response = send(client, "get", url, {"q": "tkni"})
        if role == "anonymous":
            assert response.status_code == 401
            continue
        assert response.status_code == 200, role
        body = response.json()
        assert body["count"] == 2
        assert body["results"][0] == {"id": organisation.pk, "name": "TKNIKA", "country": "ES"}
        assert set(body["results"][1]) == {"id", "name", "country"}
    assert send(outsider_client, "get", url, {"q": "tkni"}).status_code == 403


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "t"}, {"q": " t "}, {"q": "x" * 101}, {"q": "ab\x00"},
                                    {"q": "tk", "page_size": "0"}, {"q": "tk", "page": "9"}])
def test_the_lookup_refuses_bad_input(partner_client, organisation, params):
    response = send(partner_client, "get", reverse("api:organisation-lookup"), params)
    assert response.status_code in (400, 404)
    assert response.status_code == (404 if params.get("page") else 400)


def test_the_lookup_pages(partner_client, organisation):
    for n in range(3):
        OrganisationFactory(name=f"Tknika campus {n}")
    body = send(partner_client, "get", reverse("api:organisation-lookup"), {"q": "tknika", "page_size": 2}).json()
    assert body["count"] == 4 and len(body["results"]) == 2 and "page=2" in body["next"]


def test_the_lookup_does_not_write(partner_client):
    assert send(partner_client, "post", reverse("api:organisation-lookup"), {"q": "tk"}).status_code in (403, 405)


def test_a_partners_list_costs_the_same_whatever_the_rows(spec, organisation, partner_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    spec.make(organisation)
    send(partner_client, "get", spec.list_url())  # warm up (session, content types)
    with CaptureQueriesContext(connection) as few:
        assert send(partner_client, "get", spec.list_url(), {"page_size": 100}).status_code == 200
    for _ in range(6):
        spec.make(organisation)
    with CaptureQueriesContext(connection) as many:
        response = send(partner_client, "get", spec.list_url(), {"page_size": 100})
    assert response.json()["count"] >= 7
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
