"""A manager types three letters in the MoU form's counterpart field and picks an organisation among 20,000."""

import pytest

from organisations.models import Organisation

pytestmark = pytest.mark.e2e


@pytest.fixture
def role_groups(transactional_db):
    from django.contrib.auth.models import Group

    from accounts import roles

    for name in roles.ROLES:
        Group.objects.get_or_create(name=name)


def test_manager_picks_a_counterpart_among_twenty_thousand(role_groups, demo_site, page, login):
    Organisation.objects.bulk_create(
        [Organisation(name=f"Organisation {i:05d}", country="FR", kind="company") for i in range(20_000)],
        batch_size=5000)
    wanted = Organisation.objects.create(name="Zubiri Manteo BHI", country="ES", kind="vet")
    login(page, "manager")
    page.goto("/mous/new/")
    assert page.content().count("<option") < 300
    page.locator("#id_counterpart").press_sequentially("Zub", delay=80)
    option = page.locator(".picker-results li[role=option]", has_text="Zubiri Manteo BHI")
    option.wait_for()
    option.click()
    assert page.locator("#id_counterpart").input_value() == "Zubiri Manteo BHI (ES)"
    assert page.locator("#id_counterpart_value").input_value() == str(wanted.pk)
