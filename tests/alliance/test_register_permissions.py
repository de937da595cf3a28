"""Every alliance and organisations register page × every role: coordinators edit, staff read, partners read the
organisations and find none of these records (another organisation's: 404), anonymous log in."""

import pytest

from alliance.models import AllianceMember
from tests.factories import AllianceMemberFactory, CooperationProjectFactory, RegionFactory
from tests.registers_matrix import (
    EDIT,
    FOREIGN_EDIT,
    FOREIGN_READ,
    INDEX,
    OWN_CREATE,
    OWN_LIST,
    PARTNER_READ,
    check_pages,
    check_posts_refused,
    partner_post_codes,
)

pytestmark = pytest.mark.django_db
ROLES = ["admin", "staff", "manager", "partner", "other_partner", "anonymous"]


@pytest.fixture
def records(organisation):
    member = AllianceMemberFactory(organisation=organisation)
    return {"organisation": organisation, "region": RegionFactory(), "member": member,
            "cooperation-project": CooperationProjectFactory(participants=[organisation, AllianceMemberFactory().organisation])}


def pages(records):
    result = [("registers", [], INDEX)]
    for name, obj in records.items():
        if name in ("organisation", "region"):  # reference data: partners read it
            result += [(f"organisations:{name}-list", [], PARTNER_READ),
                       (f"organisations:{name}-detail", [obj.pk], PARTNER_READ),
                       (f"organisations:{name}-create", [], EDIT), (f"organisations:{name}-edit", [obj.pk], EDIT)]
        else:  # records of an organisation neither partner belongs to
            result += [(f"alliance:{name}-list", [], OWN_LIST), (f"alliance:{name}-detail", [obj.pk], FOREIGN_READ),
                       (f"alliance:{name}-create", [], OWN_CREATE), (f"alliance:{name}-edit", [obj.pk], FOREIGN_EDIT)]
    result.append(("alliance:member-withdraw", [records["member"].pk], FOREIGN_EDIT))
    return result


@pytest.mark.parametrize("role", ROLES)
def test_register_pages_answer_each_role(role_clients, records, role):
    check_pages(role_clients, role, pages(records))


@pytest.mark.parametrize("role", ["staff", "partner", "anonymous"])
def test_forms_refuse_posts_from_roles_that_may_not_edit(role_clients, records, role):
    from django.urls import reverse

    member = records["member"]
    create = reverse("alliance:member-create")
    changes = [reverse("alliance:member-edit", args=[member.pk]), reverse("alliance:member-withdraw", args=[member.pk])]
    check_posts_refused(role_clients, role, [create, *changes], AllianceMember,
                        partner_post_codes(role, creates=[create], foreign=changes))
    member.refresh_from_db()
    assert member.version == 1 and member.left_on is None


def test_missing_record_answers_404(manager_client):
    from django.urls import reverse

    assert manager_client.get(reverse("alliance:member-detail", args=[999999])).status_code == 404
