"""Every alliance and organisations register page × every role: managers edit, staff read, partners see nothing, anonymous log in."""

import pytest

from alliance.models import AllianceMember
from tests.factories import AllianceMemberFactory, CooperationProjectFactory, RegionFactory
from tests.registers_matrix import EDIT, READ, check_pages, check_posts_refused

pytestmark = pytest.mark.django_db
ROLES = ["admin", "staff", "manager", "partner", "other_partner", "anonymous"]


@pytest.fixture
def records(organisation):
    member = AllianceMemberFactory(organisation=organisation)
    return {"organisation": organisation, "region": RegionFactory(), "member": member,
            "cooperation-project": CooperationProjectFactory(participants=[organisation, AllianceMemberFactory().organisation])}


def pages(records):
    result = [("registers", [], READ)]
    for name, obj in records.items():
        namespace = "organisations" if name in ("organisation", "region") else "alliance"
        result += [(f"{namespace}:{name}-list", [], READ), (f"{namespace}:{name}-detail", [obj.pk], READ),
                   (f"{namespace}:{name}-create", [], EDIT), (f"{namespace}:{name}-edit", [obj.pk], EDIT)]
    result.append(("alliance:member-withdraw", [records["member"].pk], EDIT))
    return result


@pytest.mark.parametrize("role", ROLES)
def test_register_pages_answer_each_role(role_clients, records, role):
    check_pages(role_clients, role, pages(records))


@pytest.mark.parametrize("role", ["staff", "partner", "anonymous"])
def test_forms_refuse_posts_from_roles_that_may_not_edit(role_clients, records, role):
    from django.urls import reverse

    member = records["member"]
    check_posts_refused(role_clients, role, [
        reverse("alliance:member-create"), reverse("alliance:member-edit", args=[member.pk]),
        reverse("alliance:member-withdraw", args=[member.pk]),
    ], AllianceMember)
    member.refresh_from_db()
    assert member.version == 1 and member.left_on is None


def test_missing_record_answers_404(manager_client):
    from django.urls import reverse

    assert manager_client.get(reverse("alliance:member-detail", args=[999999])).status_code == 404
