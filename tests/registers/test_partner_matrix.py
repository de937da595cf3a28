"""The acceptance matrix of issue 21 ("each partner keeps its own records; the coordinator validates them"):
every register page × every role × every action, with the status it answers and what it writes.

One record per register, its responsible organisation being ``organisation``. The roles: admin,
coordinator, EARLALL staff, a partner editor of ``organisation`` (the owner), a partner editor of
``other_organisation``, a partner viewer of ``organisation``, anonymous. The rules:

- admins and coordinators read and write everything, applied at once (302 after a save);
- staff read everything and write nothing (403 on every form);
- partners open the registers of records with a responsible organisation: the list shows only their
  organisation's records, another organisation's record answers 404 (to read or to change); a partner
  editor's new record is saved submitted (it does not count) and its change to an approved record is a
  proposed change (the record untouched); a partner viewer only reads (403 on forms); the correction is
  the coordinators' (403), the import page opens to partner editors (each row must be theirs:
  test_partner_import); organisations and regions are read-only for partners; a
  register without a responsible organisation (reported values) stays closed (403);
- anonymous visitors are sent to the login page.
"""

import contextlib
import datetime
import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import NoReverseMatch

from registers import submissions
from registers.access import OWN, READ
from registers.models import Approval, Submission
from registers.registry import REGISTER_PAGES, loaded
from registers.reviews import ReviewRefused
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
    ReportFactory,
    SkillGapFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
loaded()
REGISTERS = sorted(REGISTER_PAGES)
ROLES = ["admin", "coordinator", "staff", "editor", "other_editor", "viewer", "anonymous"]
ACTIONS = ["list", "detail", "create", "create_post", "edit", "status", "status_post", "correct", "export_csv",
           "import"]
WRITES = {"create", "create_post", "edit", "status", "status_post", "correct", "import"}
RECORD_PAGES = {"detail", "edit", "status", "status_post", "correct"}


def expected_status(register, role, action):
    """The status ``role``'s request for ``action`` answers on ``register`` (the rules of the module's docstring)."""
    if role == "anonymous":
        return 302
    if role in ("admin", "coordinator"):
        return 302 if action.endswith("_post") else 200
    if role == "staff":
        return 403 if action in WRITES else 200
    access = register.partner_access
    if not access or action == "correct":
        return 403
    if access == READ or role == "viewer":
        return 403 if action in WRITES else 200
    assert access == OWN
    if role == "other_editor":
        if action in RECORD_PAGES:
            return 404
        # Its create form opens; the record it posts (``organisation``'s) comes back with the error.
        return 200
    return 302 if action.endswith("_post") else 200


# --- The world: one record per register, owned by ``organisation`` ----------------------------------


@pytest.fixture
def records(organisation):
    ProjectFactory(lead_organisation=organisation)  # the Alliance's lead: every membership is its record
    observatory = ObservatoryFactory(host_organisation=organisation)
    factory = LearningFactoryFactory(host_organisation=organisation)
    return {
        "organisations:organisation": organisation,
        "organisations:region": RegionFactory(),
        "alliance:member": AllianceMemberFactory(),
        "alliance:cooperation-project": CooperationProjectFactory(lead_organisation=organisation),
        "observatories:observatory": observatory,
        "observatories:skill-gap": SkillGapFactory(observatory=observatory),
        "training:micro-credential": MicroCredentialFactory(awarding_body=organisation),
        "training:factory": factory,
        "training:exchange": FactoryExchangeFactory(factory=factory),
        "training:product": FactoryProductFactory(factories=[factory]),
        "indicators:report": ReportFactory(organisation=organisation),
    }


def create_data(key, records, organisation):
    """A valid new record of register ``key``, ``organisation`` responsible for it."""
    if key == "organisations:organisation":
        return {"name": "Centro Easo", "kind": "vet", "country": "ES", "city": "Donostia"}
    if key == "organisations:region":
        return {"code": "FR10", "nuts_version": "2021", "name": "Ile-de-France", "country": "FR", "level": 2,
                "is_nuts": "on"}
    if key == "alliance:member":
        return {"organisation": OrganisationFactory().pk, "category": "vet", "joined_on": "2024-05-02"}
    if key == "alliance:cooperation-project":  # among alliance members on its start
        other = AllianceMemberFactory().organisation
        if not organisation.memberships.exists():
            AllianceMemberFactory(organisation=organisation)
        return {"title": "Digital twins", "lead_organisation": organisation.pk,
                "participants": [other.pk], "started_on": "2024-01-10", "status": "ongoing"}
    if key == "observatories:observatory":
        return {"name": "Basque observatory", "region": RegionFactory(code="ES22", name="Navarra").pk,
                "host_organisation": organisation.pk, "status": "active", "launched_on": "2023-03-01"}
    if key == "observatories:skill-gap":
        return {"observatory": records["observatories:observatory"].pk, "title": "Cobot programming",
                "esco_skill_uri": f"http://data.europa.eu/esco/skill/{uuid.uuid4()}", "isco_code": "7223",
                "nace_code": "C28", "critical": "on", "identified_on": "2024-01-10", "status": "validated"}
    if key == "training:micro-credential":
        return {"title": "Cobot programming", "awarding_body": organisation.pk, "learning_outcomes": "Programme it.",
                "ects": "3.0", "eqf_level": "4", "assessment_type": "Practical", "participation_form": "blended",
                "quality_assurance": "Internal", "status": "published", "published_on": "2024-02-01",
                "default_language": "en", "learning_opportunity_type": "course"}
    if key == "training:factory":
        return {"name": "Smart factory", "host_organisation": organisation.pk}
    if key == "training:exchange":
        return {"factory": records["training:factory"].pk, "title": "Lyon week",
                "partner_organisations": [OrganisationFactory(country="FR").pk], "students": "12",
                "started_on": "2024-04-01", "status": "confirmed"}
    if key == "training:product":
        return {"title": "Gripper", "factories": [records["training:factory"].pk], "status": "developed",
                "developed_on": "2024-05-01",
                "collaborating_organisations": [OrganisationFactory().pk, OrganisationFactory().pk]}
    if key == "indicators:report":
        report = records[key]
        return {"indicator": report.indicator_id, "organisation": organisation.pk, "as_of": "2024-09-30",
                "value": "3", "evidence_url": "https://example.org/evidence"}
    raise AssertionError(f"no create data for {key}: add it here")


# The status change that ends a record's life (retire, withdraw, close, cancel) and the status it gives.
STATUS_DATA = {
    "alliance:member": ({"left_on": "2025-01-31"}, ("left_on", datetime.date(2025, 1, 31))),
    "alliance:cooperation-project": ({"status": "cancelled", "cancelled_on": "2025-01-31"}, ("status", "cancelled")),
    "observatories:observatory": ({"status": "closed", "launched_on": "2023-03-01", "closed_on": "2025-01-31"},
                                  ("status", "closed")),
    "observatories:skill-gap": ({"status": "retired", "retired_on": "2025-01-31"}, ("status", "retired")),
    "training:micro-credential": ({"status": "retired", "published_on": "2024-02-01", "retired_on": "2025-01-31"},
                                  ("status", "retired")),
    "training:exchange": ({"status": "cancelled", "cancelled_on": "2025-01-31"}, ("status", "cancelled")),
    "training:product": ({"status": "retired", "developed_on": "2024-05-01", "retired_on": "2025-01-31"},
                         ("status", "retired")),
}


@pytest.fixture
def clients(organisation, other_organisation, client):
    users = {
        "admin": UserFactory(username="admin", is_superuser=True, is_staff=True),
        "coordinator": UserFactory(username="coordinator", role="coordinator", organisation=other_organisation),
        "staff": UserFactory(username="staff", role="staff"),
        "editor": UserFactory(username="editor", role="partner_editor", organisation=organisation),
        "other_editor": UserFactory(username="other-editor", role="partner_editor", organisation=other_organisation),
        "viewer": UserFactory(username="viewer", role="partner_viewer", organisation=organisation),
    }
    result = {"anonymous": client}
    for role, user in users.items():
        result[role] = Client()
        result[role].force_login(user)
        result[role].user = user
    return result


def status_url(register, pk):
    return register.url(register.status_url_name, pk)


def urls(register, record):
    """``{action: (method, url)}`` of the pages ``register`` has."""
    pages = {"list": register.url("list"), "detail": register.url("detail", record.pk),
             "create": register.url("create"), "create_post": register.url("create"),
             "export_csv": register.url("export-csv")}
    for action in ("edit", "correct"):  # a register of reported values has neither (they are reviewed)
        with contextlib.suppress(NoReverseMatch):
            pages[action] = register.url(action, record.pk)
    if register.status_form_class:
        pages["status"] = pages["status_post"] = status_url(register, record.pk)
    if register.importable:
        pages["import"] = register.url("import")
    return pages


def model_state(model):
    """Every record's id and version (its id only for a model without versions, e.g. regions)."""
    fields = ("pk", "version") if any(f.name == "version" for f in model._meta.get_fields()) else ("pk",)
    return sorted(model._default_manager.values_list(*fields))


# --- The matrix --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", REGISTERS)
def test_every_page_answers_each_role_as_issue_21_says(key, role, records, clients, organisation):
    register = REGISTER_PAGES[key]
    record = records[key]
    model = register.model
    client = clients[role]
    seen, wanted = {}, {}
    for action, url in urls(register, record).items():
        wanted[action] = expected_status(register, role, action)
        before = model_state(model)
        waiting = Submission.objects.count()
        if action == "create_post":
            response = client.post(url, create_data(key, records, organisation))
        elif action == "status_post":
            response = client.post(url, {**STATUS_DATA[key][0], "version": record.version})
        else:
            response = client.get(url)
        seen[action] = response.status_code
        if role == "anonymous":
            assert "/accounts/login/" in response["Location"], (action, url)
        if action.endswith("_post"):
            check_post_effect(key, role, action, response, record, before, waiting)
        elif response.status_code != 302:
            assert model_state(model) == before, (action, "a GET wrote")
    assert seen == wanted


def check_post_effect(key, role, action, response, record, before, waiting):
    """What a POST wrote: a coordinator's is applied, a partner editor's is a submission, anybody else's nothing."""
    register = REGISTER_PAGES[key]
    model = register.model
    after = model_state(model)
    validated = submissions.is_validated(model)
    if response.status_code != 302 or role == "anonymous":
        assert after == before, (action, role, "a refused POST wrote")
        assert Submission.objects.count() == waiting
        if role == "other_editor" and register.partner_access == OWN and action == "create_post":
            # Another organisation's record is never written by a partner: a form error says whose it is.
            assert response.status_code == 200 and response.context["form"].errors, action
        return
    if action == "create_post":
        [new_pk] = {row[0] for row in after} - {row[0] for row in before}
        new = model._default_manager.get(pk=new_pk)
        if role == "editor":
            assert new.approval == Approval.SUBMITTED, "a partner's new record waits for a coordinator"
            assert Submission.objects.get(object_id=new.pk, content_type=ContentType.objects.get_for_model(model)
                                          ).kind == Submission.Kind.NEW
            assert not new.is_approved
        elif validated:
            assert new.approval == Approval.APPROVED and Submission.objects.count() == waiting
        return
    # A status change (retire, withdraw, close, cancel).
    field, value = STATUS_DATA[key][1]
    saved = model._default_manager.get(pk=record.pk)
    if role == "editor":
        assert after == before and getattr(saved, field) != value, "a proposed change leaves the record as it was"
        proposed = Submission.objects.get(object_id=record.pk, status=Submission.Status.SUBMITTED)
        assert proposed.kind == Submission.Kind.CHANGE and proposed.organisation_id == record.owner_of()
        assert any(change["field"] == field for change in proposed.changes)
    else:
        assert getattr(saved, field) == value and Submission.objects.count() == waiting


def test_the_list_shows_a_partner_its_own_organisations_records_only(clients, organisation, other_organisation):
    MicroCredentialFactory(awarding_body=organisation, title="Ours")
    MicroCredentialFactory(awarding_body=other_organisation, title="Theirs")
    register = REGISTER_PAGES["training:micro-credential"]
    for role, titles in (("editor", ["Ours"]), ("viewer", ["Ours"]), ("other_editor", ["Theirs"]),
                         ("coordinator", ["Ours", "Theirs"]), ("staff", ["Ours", "Theirs"])):
        page = clients[role].get(register.url("list"))
        assert sorted(row["object"].title for row in page.context["rows"]) == titles, role


def test_a_partner_editor_never_moves_a_record_to_another_organisation(clients, records, organisation,
                                                                       other_organisation):
    credential = records["training:micro-credential"]
    register = REGISTER_PAGES["training:micro-credential"]
    data = {**create_data("training:micro-credential", records, organisation), "awarding_body": other_organisation.pk,
            "version": credential.version}
    response = clients["editor"].post(register.url("edit", credential.pk), data)
    assert response.status_code == 200 and response.context["form"].errors
    assert not Submission.objects.exists()
    credential.refresh_from_db()
    assert credential.awarding_body_id == organisation.pk and credential.version == 1
    # Nor creates one for another organisation.
    response = clients["editor"].post(register.url("create"), data)
    assert response.status_code == 200 and response.context["form"].errors
    assert type(credential).objects.count() == 1


# --- Nobody approves their own submission -------------------------------------------------------------


def submitted_credential(clients, records, organisation):
    register = REGISTER_PAGES["training:micro-credential"]
    response = clients["editor"].post(register.url("create"),
                                      create_data("training:micro-credential", records, organisation))
    assert response.status_code == 302
    return Submission.objects.get(kind=Submission.Kind.NEW)


def test_nobody_approves_their_own_submission_even_as_a_coordinator(clients, records, organisation):
    submission = submitted_credential(clients, records, organisation)
    editor = clients["editor"].user
    with pytest.raises(ReviewRefused):
        submissions.decide(submission=submission, reviewer=editor, decision="approve")
    editor.groups.clear()  # the editor becomes a coordinator meanwhile
    UserFactory(username=editor.username, role="coordinator")
    editor = type(editor).objects.get(pk=editor.pk)
    with pytest.raises(ReviewRefused):
        submissions.decide(submission=submission, reviewer=editor, decision="approve")
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.record.approval == Approval.SUBMITTED


@pytest.mark.parametrize("role", ["editor", "other_editor", "viewer", "staff"])
def test_only_a_coordinator_decides(clients, records, organisation, role):
    submission = submitted_credential(clients, records, organisation)
    with pytest.raises(ReviewRefused):
        submissions.decide(submission=submission, reviewer=clients[role].user, decision="approve")
    decided = submissions.decide(submission=submission, reviewer=clients["coordinator"].user, decision="approve")
    assert decided.status == Submission.Status.APPROVED and decided.record.approval == Approval.APPROVED
