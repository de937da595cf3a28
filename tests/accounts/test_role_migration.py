"""The migration to the partners' roles (issue 21) on a database as it was before: every user keeps at
least the access it had, the new role exists, the records from before count (approved), and the Alliance
lead is the coordinating organisation."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

# The state before issue 21: the old roles, no approval fields, no Alliance lead on the project.
BEFORE = [
    ("accounts", "0003_roles"),
    ("alliance", "0002_postgres_constraint_and_search_indexes"),
    ("observatories", "0002_search_indexes"),
    ("training", "0002_search_indexes"),
    ("indicators", "0001_initial"),
    ("registers", "0001_initial"),
]


def migrate(targets):
    """Migrate to ``targets`` and return the historical apps of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def old_apps():
    """The historical apps before issue 21; the database goes back to the latest state afterwards."""
    try:
        yield migrate(BEFORE)
    finally:
        migrate(latest())


def test_the_roles_migration_keeps_every_users_access_and_counts_the_old_records(old_apps):
    Group = old_apps.get_model("auth", "Group")
    User = old_apps.get_model("accounts", "User")
    Organisation = old_apps.get_model("organisations", "Organisation")
    MicroCredential = old_apps.get_model("training", "MicroCredential")
    Project = old_apps.get_model("indicators", "Project")
    assert set(Group.objects.values_list("name", flat=True)) >= {"manager", "staff", "partner"}

    coordinating = Organisation.objects.create(name="TKNIKA", kind="vet", country="ES", city="Donostia",
                                               is_consortium_partner=True, is_coordinator=True)
    partner_org = Organisation.objects.create(name="AFIL", kind="vet", country="IT", city="Milano",
                                              is_consortium_partner=True)
    users = {}
    for name, organisation in (("manager", coordinating), ("staff", None), ("partner", partner_org)):
        user = User.objects.create(username=f"old-{name}", organisation=organisation)
        user.groups.add(Group.objects.get(name=name))
        users[name] = user.pk
    credential = MicroCredential.objects.create(
        title="Cobot programming", awarding_body=partner_org, learning_outcomes="Programme a cobot.",
        ects=3, hours=75, eqf_level=4, assessment_type="Practical", participation_form="blended",
        quality_assurance="Internal", status="published", published_on=datetime.date(2024, 2, 1))
    project = Project.objects.create(code="lcamp", name="LCAMP", start_on=datetime.date(2022, 9, 1),
                                     end_on=datetime.date(2026, 8, 31))

    new_apps = migrate(latest())

    Group = new_apps.get_model("auth", "Group")
    User = new_apps.get_model("accounts", "User")
    names = set(Group.objects.values_list("name", flat=True))
    assert {"coordinator", "partner_editor", "partner_viewer", "staff"} <= names
    assert not names & {"manager", "partner"}

    def roles_of(key):
        return set(User.objects.get(pk=users[key]).groups.values_list("name", flat=True))

    assert roles_of("manager") == {"coordinator"}
    assert roles_of("staff") == {"staff"}
    assert roles_of("partner") == {"partner_editor"}
    assert new_apps.get_model("training", "MicroCredential").objects.get(pk=credential.pk).approval == "approved"
    assert new_apps.get_model("indicators", "Project").objects.get(pk=project.pk).lead_organisation_id \
        == coordinating.pk

    # And as the code reads the roles: the same access as before, or more.
    from accounts import roles
    from accounts.models import User as CurrentUser

    manager, staff, partner = (CurrentUser.objects.get(pk=users[k]) for k in ("manager", "staff", "partner"))
    assert roles.is_coordinator(manager) and roles.can_edit_registers(manager) and roles.can_review(manager)
    assert roles.can_view_registers(staff) and not roles.can_edit_registers(staff)
    assert roles.is_partner_editor(partner) and roles.partner_organisation_id(partner) == partner_org.pk


def test_without_a_coordinating_organisation_the_project_has_no_lead(old_apps):
    Project = old_apps.get_model("indicators", "Project")
    project = Project.objects.create(code="lcamp", name="LCAMP", start_on=datetime.date(2022, 9, 1),
                                     end_on=datetime.date(2026, 8, 31))
    new_apps = migrate(latest())
    assert new_apps.get_model("indicators", "Project").objects.get(pk=project.pk).lead_organisation_id is None
