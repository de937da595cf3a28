"""Who may open each MoU page: admin, staff, manager, partner of the same organisation, partner of
another organisation, anonymous (and a logged-in user with no role)."""

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from alliance.models import MoU
from tests.alliance.pdf_samples import make_pdf
from tests.factories import MoUFactory

ROLES = ["admin", "staff", "manager", "partner", "other_partner", "anonymous"]


@pytest.fixture
def mou(partner_user):
    mou = MoUFactory(partner_organisation=partner_user.organisation, submitted_by=partner_user,
                     title="Confidential MoU of TKNIKA", document_name="signed.pdf")
    mou.document.save("ignored.pdf", ContentFile(make_pdf()))
    return mou


def expect(outcome, response):
    if outcome == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == outcome


@pytest.mark.parametrize(("role", "outcome"), list(zip(ROLES, [200, 200, 200, 200, 200, "login"], strict=True)))
def test_the_list(role_clients, mou, role, outcome):
    response = role_clients[role].get(reverse("alliance:mou-list"))
    expect(outcome, response)
    if outcome == 200:
        shown = mou.title in response.content.decode()
        assert shown == (role != "other_partner")


@pytest.mark.parametrize(("role", "outcome"), list(zip(ROLES, [200, 403, 200, 200, 200, "login"], strict=True)))
def test_the_form(role_clients, role, outcome):
    expect(outcome, role_clients[role].get(reverse("alliance:mou-create")))


@pytest.mark.parametrize(("role", "outcome"), list(zip(ROLES, [200, 200, 200, 200, 404, "login"], strict=True)))
def test_the_detail_page(role_clients, mou, role, outcome):
    response = role_clients[role].get(reverse("alliance:mou-detail", args=[mou.pk]))
    expect(outcome, response)
    if outcome == 404:
        assert mou.title not in response.content.decode()


@pytest.mark.parametrize(("role", "outcome"), list(zip(ROLES, [200, 200, 200, 200, 404, "login"], strict=True)))
def test_the_document(role_clients, mou, role, outcome):
    response = role_clients[role].get(reverse("alliance:mou-document", args=[mou.pk]))
    expect(outcome, response)
    if outcome == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"] == 'attachment; filename="signed.pdf"'
        assert b"".join(response.streaming_content) == make_pdf()


@pytest.mark.parametrize(("action", "data", "status_after"), [
    ("approve", {}, MoU.Status.APPROVED),
    ("reject", {"reject-review_note": "Not signed by the counterpart."}, MoU.Status.REJECTED),
])
@pytest.mark.parametrize(("role", "outcome"), list(zip(ROLES, [302, 403, 302, 403, 404, "login"], strict=True)))
def test_approve_and_reject(role_clients, mou, role, outcome, action, data, status_after):
    response = role_clients[role].post(reverse(f"alliance:mou-{action}", args=[mou.pk]), data)
    expect(outcome, response)
    mou.refresh_from_db()
    if role in ("admin", "manager"):
        assert response["Location"] == reverse("alliance:mou-detail", args=[mou.pk])
        assert mou.status == status_after
    else:
        assert mou.status == MoU.Status.SUBMITTED


@pytest.mark.parametrize(("role", "outcome"), list(zip(ROLES, [403, 403, 403, 302, 404, "login"], strict=True)))
def test_withdraw(role_clients, mou, role, outcome):
    response = role_clients[role].post(reverse("alliance:mou-withdraw", args=[mou.pk]))
    expect(outcome, response)
    mou.refresh_from_db()
    assert mou.status == (MoU.Status.WITHDRAWN if role == "partner" else MoU.Status.SUBMITTED)


@pytest.mark.parametrize("action", ["approve", "reject", "withdraw"])
def test_the_actions_answer_only_post(manager_client, partner_client, mou, action):
    client = partner_client if action == "withdraw" else manager_client
    assert client.get(reverse(f"alliance:mou-{action}", args=[mou.pk])).status_code == 405
    mou.refresh_from_db()
    assert mou.status == MoU.Status.SUBMITTED


@pytest.mark.parametrize(("url_name", "outcome"), [
    ("alliance:mou-list", 403), ("alliance:mou-create", 403),
    ("alliance:mou-detail", 404), ("alliance:mou-document", 404),
])
def test_a_user_without_a_role_sees_nothing(outsider_client, mou, url_name, outcome):
    args = [mou.pk] if url_name in ("alliance:mou-detail", "alliance:mou-document") else []
    assert outsider_client.get(reverse(url_name, args=args)).status_code == outcome


def test_a_missing_mou_and_another_organisations_mou_look_the_same(other_partner_client, mou):
    other = other_partner_client.get(reverse("alliance:mou-detail", args=[mou.pk]))
    missing = other_partner_client.get(reverse("alliance:mou-detail", args=[mou.pk + 1000]))
    assert other.status_code == missing.status_code == 404
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("", other.content.decode()) == token.sub("", missing.content.decode())


def test_the_review_buttons_show_only_to_reviewers(role_clients, mou):
    for role in ("admin", "manager"):
        assert 'id="approve-form"' in role_clients[role].get(reverse("alliance:mou-detail", args=[mou.pk])).content.decode()
    for role in ("staff", "partner"):
        html = role_clients[role].get(reverse("alliance:mou-detail", args=[mou.pk])).content.decode()
        assert 'id="approve-form"' not in html
    assert 'id="withdraw-form"' in role_clients["partner"].get(
        reverse("alliance:mou-detail", args=[mou.pk])).content.decode()
