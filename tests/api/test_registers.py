"""Every register under /api/v1/: create, read, update, filters, pagination, bad input, roles, query counts.

Each resource is described once in RESOURCES; the tests run over all of them.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance.models import AllianceMember, CooperationProject, MoU
from indicators.models import Indicator, Report
from observatories.models import Observatory, SkillGap
from organisations.models import Organisation, Region
from registers.submissions import is_validated
from tests.alliance.pdf_samples import make_pdf
from tests.api.conftest import send
from tests.factories import (
    AllianceMemberFactory,
    CooperationProjectFactory,
    FactoryExchangeFactory,
    FactoryProductFactory,
    IndicatorFactory,
    LearningFactoryFactory,
    MicroCredentialFactory,
    MoUFactory,
    ObservatoryFactory,
    OrganisationFactory,
    RegionFactory,
    ReportFactory,
    SkillGapFactory,
)
from training.models import FactoryExchange, FactoryProduct, LearningFactory, MicroCredential

TOMORROW = datetime.date.today() + datetime.timedelta(days=1)
ESCO = "http://data.europa.eu/esco/skill/2b8a6e2b-4e1c-4b59-9d43-a5a7e2e27e1d"


def _member_org(country="ES"):
    org = OrganisationFactory(country=country)
    AllianceMemberFactory(organisation=org, joined_on=datetime.date(2023, 1, 1))
    return org


def _project():
    lead, other = _member_org(), _member_org("IT")
    return CooperationProjectFactory(lead_organisation=lead, participants=[lead, other])


def _reported_indicator():
    return IndicatorFactory(code="reported-thing", title="Reported thing", source=Indicator.Source.REPORTED)


_region_codes = iter(f"ES{n:03d}" for n in range(1, 10_000))


@dataclass
class Resource:
    basename: str
    model: type
    make: Callable  # () -> a saved record
    payload: Callable  # () -> a valid create body
    change: dict  # a valid partial update, checked on the record
    bad: Callable  # () -> (an invalid body, the field whose message is expected)
    filter: Callable  # (record) -> query params that select it
    extra: dict = field(default_factory=dict)

    def __str__(self):
        return self.basename


RESOURCES = [
    Resource(
        "region", Region,
        make=lambda: RegionFactory(code=next(_region_codes)[:5], name="Somewhere", level=3),
        payload=lambda: {"code": "FR10", "name": "Île-de-France", "country": "FR", "level": 2},
        change={"name": "Ile de France (Paris)"},
        bad=lambda: ({"code": "ES21", "name": "Wrong", "country": "FR", "level": 2}, "code"),
        filter=lambda r: {"country": str(r.country), "search": r.code},
    ),
    Resource(
        "organisation", Organisation,
        make=lambda: OrganisationFactory(),
        payload=lambda: {"name": "Mondragon Unibertsitatea", "country": "ES", "kind": "higher_education",
                         "pic": "949640498"},
        change={"city": "Arrasate"},
        bad=lambda: ({"name": "Some VET centre", "country": "ES", "pic": "12"}, "pic"),
        filter=lambda o: {"kind": o.kind, "search": o.name},
    ),
    Resource(
        "alliance-member", AllianceMember,
        make=lambda: AllianceMemberFactory(),
        payload=lambda: {"organisation": OrganisationFactory().pk, "category": "vet", "joined_on": "2024-02-01"},
        change={"left_on": "2025-01-31"},
        bad=lambda: ({"organisation": OrganisationFactory().pk, "category": "vet", "joined_on": "2024-02-01",
                      "left_on": "2024-01-01"}, "left_on"),
        filter=lambda m: {"organisation": m.organisation_id},
    ),
    Resource(
        "cooperation-project", CooperationProject,
        make=_project,
        payload=lambda: {"title": "Digital twins", "lead_organisation": (a := _member_org()).pk,
                         "participants": [a.pk, _member_org("IT").pk], "started_on": "2024-03-01"},
        change={"status": "completed", "ended_on": "2025-03-01"},
        bad=lambda: ({"title": "Alone", "lead_organisation": (a := _member_org()).pk, "participants": [a.pk],
                      "started_on": "2024-03-01"}, "participants"),
        filter=lambda p: {"lead_organisation": p.lead_organisation_id},
    ),
    Resource(
        "mou", MoU,
        make=lambda: MoUFactory(),
        payload=lambda: {"title": "MoU with a robot maker", "counterpart": OrganisationFactory(kind="company").pk,
                         "partner_organisation": OrganisationFactory().pk, "scope": "Training on cobots.",
                         "signed_on": "2024-05-02", "signatories": "A. Person, Director"},
        change={"areas": "robotics"},
        bad=lambda: ({"title": "Future", "counterpart": OrganisationFactory().pk,
                      "partner_organisation": OrganisationFactory().pk, "scope": "x",
                      "signed_on": TOMORROW.isoformat(), "signatories": "A. Person"}, "signed_on"),
        filter=lambda m: {"partner_organisation": m.partner_organisation_id, "status": "submitted"},
    ),
    Resource(
        "observatory", Observatory,
        make=lambda: ObservatoryFactory(),
        payload=lambda: {"name": "Basque observatory", "region": RegionFactory().pk,
                         "host_organisation": OrganisationFactory().pk, "status": "active",
                         "launched_on": "2023-05-01"},
        change={"website": "https://observatory.example.org"},
        bad=lambda: ({"name": "No date", "region": RegionFactory().pk, "host_organisation": OrganisationFactory().pk,
                      "status": "active"}, "launched_on"),
        filter=lambda o: {"host_organisation": o.host_organisation_id, "status": "active"},
        extra={"bad_update": {"launched_on": None}},
    ),
    Resource(
        "skill-gap", SkillGap,
        make=lambda: SkillGapFactory(),
        payload=lambda: {"observatory": ObservatoryFactory().pk, "title": "Cobot programming",
                         "esco_skill_uri": ESCO, "identified_on": "2024-01-10", "nace_code": "C28"},
        change={"status": "validated"},
        bad=lambda: ({"observatory": ObservatoryFactory().pk, "title": "Bad URI", "esco_skill_uri": "cobots",
                      "identified_on": "2024-01-10"}, "esco_skill_uri"),
        filter=lambda g: {"observatory": g.observatory_id},
    ),
    Resource(
        "micro-credential", MicroCredential,
        make=lambda: MicroCredentialFactory(),
        payload=lambda: {"title": "Cobots 101", "awarding_body": OrganisationFactory().pk,
                         "learning_outcomes": "Programme a cobot.", "esco_skills": [ESCO], "ects": "2.5",
                         "eqf_level": 4, "assessment_type": "Practical test", "participation_form": "onsite",
                         "quality_assurance": "Internal QA"},
        change={"status": "published", "published_on": "2024-09-01"},
        bad=lambda: ({"title": "Published, undated", "awarding_body": OrganisationFactory().pk,
                      "learning_outcomes": "x", "ects": "2", "eqf_level": 4, "assessment_type": "test",
                      "participation_form": "online", "quality_assurance": "QA", "status": "published"},
                     "published_on"),
        filter=lambda m: {"awarding_body": m.awarding_body_id, "eqf_level__gte": 3},
        extra={"bad_update": {"published_on": None}},
    ),
    Resource(
        "learning-factory", LearningFactory,
        make=lambda: LearningFactoryFactory(),
        payload=lambda: {"name": "Smart factory", "host_organisation": OrganisationFactory().pk},
        change={"description": "A learning factory for Industry 4.0"},
        bad=lambda: ({"name": "No host"}, "host_organisation"),
        filter=lambda f: {"host_organisation": f.host_organisation_id},
    ),
    Resource(
        "factory-exchange", FactoryExchange,
        make=lambda: FactoryExchangeFactory(),
        payload=lambda: {"factory": LearningFactoryFactory().pk, "partner_organisations": [
            OrganisationFactory(country="FR").pk], "title": "Summer exchange", "started_on": "2024-07-01",
            "students": 12},
        change={"students": 14},
        bad=lambda: ({"factory": LearningFactoryFactory().pk, "partner_organisations": [OrganisationFactory().pk],
                      "title": "Nobody", "started_on": "2024-07-01", "students": 0}, "students"),
        filter=lambda e: {"factory": e.factory_id},
    ),
    Resource(
        "factory-product", FactoryProduct,
        make=lambda: FactoryProductFactory(),
        payload=lambda: {"title": "Gripper", "factories": [LearningFactoryFactory().pk],
                         "collaborating_organisations": [OrganisationFactory().pk, OrganisationFactory().pk],
                         "status": "prototype"},
        change={"status": "developed", "developed_on": "2024-10-01"},
        bad=lambda: ({"title": "Solo", "factories": [LearningFactoryFactory().pk],
                      "collaborating_organisations": [OrganisationFactory().pk]}, "collaborating_organisations"),
        filter=lambda p: {"factories": p.factories.first().pk},
    ),
    Resource(
        "report", Report,
        make=lambda: ReportFactory(indicator=_reported_indicator()),
        payload=lambda: {"indicator": _reported_indicator().code, "organisation": OrganisationFactory().pk,
                         "as_of": "2024-06-30", "value": "12.00", "evidence_url": "https://example.org/e"},
        change={"value": "13.00"},
        bad=lambda: ({"indicator": _reported_indicator().code, "organisation": OrganisationFactory().pk,
                      "as_of": TOMORROW.isoformat(), "value": "1"}, "as_of"),
        filter=lambda r: {"organisation": r.organisation_id, "indicator__code": "reported-thing"},
    ),
]


def list_url(resource):
    return reverse(f"api:{resource.basename}-list")


def detail_url(resource, pk):
    return reverse(f"api:{resource.basename}-detail", args=[pk])


def _as_stored(value):
    return str(value) if isinstance(value, (Decimal, datetime.date)) else value


@pytest.fixture(params=RESOURCES, ids=str)
def resource(request, db):
    return request.param


def post_record(client, resource):
    """Create a record as the API takes it: JSON, but an MoU is submitted with its signed PDF, as multipart."""
    if resource.basename == "mou":
        document = SimpleUploadedFile("signed.pdf", make_pdf(), content_type="application/pdf")
        return client.post(list_url(resource), {**resource.payload(), "document": document})
    return send(client, "post", list_url(resource), resource.payload())


def test_manager_creates_a_record_and_reads_it_back(resource, manager_client):
    response = post_record(manager_client, resource)
    assert response.status_code == 201, response.json()
    body = response.json()
    record = resource.model.objects.get(pk=body["id"])
    assert send(manager_client, "get", detail_url(resource, record.pk)).json() == body


def test_manager_updates_a_record_and_its_version_grows(resource, manager_client):
    record = resource.make()
    response = send(manager_client, "patch", detail_url(resource, record.pk), resource.change)
    assert response.status_code == 200, response.json()
    record.refresh_from_db()
    for name, value in resource.change.items():
        assert str(_as_stored(getattr(record, name))) == str(value)
    if hasattr(record, "version"):
        assert response.json()["version"] == record.version == 2


def test_bad_input_answers_400_with_the_field_message_and_writes_nothing(resource, manager_client):
    body, field_name = resource.bad()
    before = resource.model.objects.count()
    response = send(manager_client, "post", list_url(resource), body)
    assert response.status_code == 400
    errors = response.json()
    assert field_name in errors, errors
    assert all(isinstance(message, str) and message for message in errors[field_name])
    assert resource.model.objects.count() == before


def test_bad_update_answers_400_and_changes_nothing(resource, manager_client):
    record = resource.make()
    body, field_name = resource.bad()
    body.update(resource.extra.get("bad_update", {}))
    response = send(manager_client, "put", detail_url(resource, record.pk), body)
    assert response.status_code == 400
    assert field_name in response.json()
    fresh = resource.model.objects.get(pk=record.pk)
    assert getattr(fresh, "version", 1) == getattr(record, "version", 1)


def test_filters_select_the_matching_records(resource, manager_client):
    wanted = resource.make()
    resource.make()
    response = send(manager_client, "get", list_url(resource), resource.filter(wanted))
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == [wanted.pk]


def test_a_bad_filter_value_answers_400(resource, manager_client):
    params = {name: "not-a-valid-value-!" for name in resource.filter(resource.make()) if name != "search"}
    response = send(manager_client, "get", list_url(resource), params)
    assert response.status_code == 400, response.content
    assert set(response.json()) & set(params)


def test_lists_are_paginated(resource, manager_client):
    for _ in range(3):
        resource.make()
    total = resource.model.objects.count()
    response = send(manager_client, "get", list_url(resource), {"page_size": 1})
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == total
    assert body["previous"] is None
    assert len(body["results"]) == 1
    assert "page=2" in body["next"]
    assert send(manager_client, "get", list_url(resource), {"page": 999}).status_code == 404


def test_list_query_count_does_not_grow_with_the_rows(resource, manager_client):
    for _ in range(5):
        resource.make()
    send(manager_client, "get", list_url(resource))  # warm up (session, content types)
    with CaptureQueriesContext(connection) as few:
        assert send(manager_client, "get", list_url(resource)).status_code == 200
    for _ in range(55):
        resource.make()
    with CaptureQueriesContext(connection) as many:
        response = send(manager_client, "get", list_url(resource))
    assert len(response.json()["results"]) == 50
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


@pytest.mark.parametrize(("role", "read", "write"), [
    ("admin", 200, 201),
    ("manager", 200, 201),
    ("staff", 200, 403),
    ("partner", 403, 403),
    ("other_partner", 403, 403),
    ("outsider", 403, 403),
    ("anonymous", 401, 401),
    ("bad_token", 401, 401),
])
def test_permission_matrix(resource, api_clients, role, read, write):
    if resource.basename == "mou" and role in ("partner", "other_partner"):
        pytest.skip("partners' MoU rules: tests/api/test_mous.py")
    if is_validated(resource.model) and role in ("partner", "other_partner"):
        pytest.skip("partners keep their own organisation's records: tests/api/test_partner_api.py")
    record = resource.make()
    client = api_clients[role]
    before = resource.model.objects.count()
    assert send(client, "get", list_url(resource)).status_code == read
    assert send(client, "get", detail_url(resource, record.pk)).status_code == read
    assert post_record(client, resource).status_code == write
    expected_update = 200 if write == 201 else write
    assert send(client, "patch", detail_url(resource, record.pk), resource.change).status_code == expected_update
    if write != 201:
        assert resource.model.objects.count() == before


def test_there_is_no_delete(resource, admin_client):
    record = resource.make()
    response = admin_client.delete(detail_url(resource, record.pk))
    assert response.status_code == 405
    assert resource.model.objects.filter(pk=record.pk).exists()


def test_a_stale_version_answers_409_and_writes_nothing(manager_client, db):
    observatory = ObservatoryFactory(description="first")
    url = reverse("api:observatory-detail", args=[observatory.pk])
    read = send(manager_client, "get", url).json()
    assert send(manager_client, "patch", url, {"description": "second", "version": read["version"]}).status_code == 200
    response = send(manager_client, "patch", url, {"description": "third", "version": read["version"]})
    assert response.status_code == 409
    assert "version" in response.json()["detail"]
    observatory.refresh_from_db()
    assert observatory.description == "second"
    assert observatory.version == 2


def test_a_token_authenticates_and_a_session_write_needs_csrf(manager_user, manager_token_client, db):
    from django.test import Client

    assert send(manager_token_client, "get", reverse("api:organisation-list")).status_code == 200
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(manager_user)
    response = send(csrf_client, "post", reverse("api:organisation-list"), {"name": "X", "country": "ES"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Organisation.objects.filter(name="X").exists()


def test_duplicate_organisation_is_refused_like_the_form(manager_client, db):
    OrganisationFactory(name="TKNIKA Labs", country="ES")
    response = send(manager_client, "post", reverse("api:organisation-list"),
                    {"name": "tknika labs", "country": "ES"})
    assert response.status_code == 400
    assert "name" in response.json()


def test_cooperation_participants_must_be_members_on_the_start_date(manager_client, db):
    member = _member_org()
    stranger = OrganisationFactory(name="Not a member")
    response = send(manager_client, "post", reverse("api:cooperation-project-list"), {
        "title": "Mixed", "lead_organisation": member.pk, "participants": [member.pk, stranger.pk],
        "started_on": "2024-03-01"})
    assert response.status_code == 400
    assert "Not a member" in response.json()["participants"][0]
    assert not CooperationProject.objects.filter(title="Mixed").exists()


@pytest.mark.parametrize("path", ["/api/v1/organisations/0.5/", "/api/v1/organisations/%C2%84/",
                                  "/api/v1/organisations/99999999999999999999999/", "/api/v1/nothing-here/",
                                  "/api/v1/mous/a%0Ab%0D/approve/"])
def test_unknown_api_paths_answer_a_json_404_whatever_the_method(manager_user, path):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(manager_user)
    for method in ("get", "post", "put", "patch"):
        response = getattr(client, method)(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"


def test_ids_past_64_bits_in_bodies_answer_400_and_in_filters_an_empty_list(manager_client, db):
    huge = 10**30
    response = send(manager_client, "post", reverse("api:alliance-member-list"),
                    {"organisation": huge, "category": "vet", "joined_on": "2024-01-01"})
    assert response.status_code == 400
    assert "organisation" in response.json()
    # A filter's id is any integer (as the schema says): one that no record could have finds nothing.
    response = send(manager_client, "get", reverse("api:cooperation-project-list"), {"participants": huge})
    assert response.status_code == 200 and response.json()["results"] == []
