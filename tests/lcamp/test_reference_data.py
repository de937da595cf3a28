import pytest
from django.apps import apps
from django.core.management import call_command

from alliance.models import AllianceMember
from indicators.models import Indicator, Project
from observatories.models import Observatory
from organisations.models import Organisation

pytestmark = pytest.mark.django_db

EXPECTED_TARGETS = {
    "observatories": 10, "alliance-members": 200, "cooperation-projects": 20, "mous": 150,
    "micro-credentials": 100, "skill-gaps": 60, "students-international": 80, "collaborative-products": 8,
}


def row_counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def test_seed_gives_the_project_its_eight_indicators_and_the_partners():
    call_command("seed_lcamp", verbosity=0)
    project = Project.objects.get(code="lcamp")
    assert (str(project.start_on), str(project.end_on)) == ("2022-09-01", "2026-08-31")
    targets = {i.code: int(i.target) for i in Indicator.objects.filter(project=project)}
    assert targets == EXPECTED_TARGETS
    tknika = Organisation.objects.get(name="TKNIKA")
    assert (str(tknika.country), tknika.region.code, tknika.is_coordinator) == ("ES", "ES21", True)
    assert Organisation.objects.filter(is_consortium_partner=True).count() == 14
    assert str(Organisation.objects.get(name="Camosun College").country) == "CA"


def test_seed_twice_changes_nothing():
    call_command("seed_lcamp", verbosity=0)
    before = row_counts()
    call_command("seed_lcamp", verbosity=0)
    assert row_counts() == before


def test_seed_keeps_what_an_administrator_edited():
    call_command("seed_lcamp", verbosity=0)
    Indicator.objects.filter(code="mous").update(title="MoUs signed")
    call_command("seed_lcamp", verbosity=0)
    assert Indicator.objects.get(code="mous").title == "MoUs signed"


def test_demo_data_reproduces_december_2024():
    import datetime

    call_command("demo_data", verbosity=0)
    dec = datetime.date(2024, 12, 31)
    assert Observatory.objects.active_on(dec).count() == 10
    active = AllianceMember.objects.active_on(dec).values("organisation").distinct().count()
    assert active == 30
    assert Organisation.objects.filter(is_demo=True).exists()
    # The registers hold just these: counting the rows of a list gives the same figures.
    assert Observatory.objects.count() == Observatory.objects.filter(status="active").count() == 10
    assert AllianceMember.objects.count() == AllianceMember.objects.filter(left_on__isnull=True).count() == 30


def test_demo_data_twice_adds_nothing():
    call_command("demo_data", verbosity=0)
    before = row_counts()
    call_command("demo_data", verbosity=0)
    assert row_counts() == before


def test_scale_adds_that_many_synthetic_records():
    call_command("demo_data", verbosity=0)
    before = row_counts()
    call_command("demo_data", scale=1000, batch_size=300, seed=1, verbosity=0)
    after = row_counts()
    registers = ["organisations.Organisation", "alliance.AllianceMember", "alliance.CooperationProject", "alliance.MoU",
                 "observatories.Observatory", "observatories.SkillGap", "training.MicroCredential",
                 "training.LearningFactory", "training.FactoryExchange", "training.FactoryProduct"]
    assert sum(after[m] - before[m] for m in registers) == 1000
    # Synthetic memberships never overlap and are marked as demo.
    assert not AllianceMember.objects.filter(is_demo=False).exists()


def test_demo_accounts_log_in_with_the_demo_password(client):
    call_command("demo_data", verbosity=0)
    call_command("demo_accounts", verbosity=0)
    from accounts import roles
    from accounts.models import User

    for username, role in [("admin", "admin"), ("staff", "staff"), ("manager", "coordinator"),
                           ("partner", "partner_editor"), ("partner2", "partner_editor")]:
        assert client.login(username=username, password="lcamp-demo"), username
        assert roles.role_label(User.objects.get(username=username)) == role
        client.logout()


def test_demo_accounts_are_refused_in_production(settings):
    from django.core.management.base import CommandError

    settings.DEBUG, settings.TESTING = False, False
    with pytest.raises(CommandError, match="only while DEBUG is on"):
        call_command("demo_accounts", verbosity=0)
