"""Pickers that scale: search-as-you-type JSON endpoint (paginated, permission-checked) and a form field
that works without JavaScript through a plain text search step; no page lists every organisation."""

import datetime

import pytest
from django.urls import reverse

from alliance.models import MoU
from organisations.models import Organisation
from tests.factories import MoUFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
PICK = "registers-pick"


def many_organisations(n, prefix="Zubiri"):
    Organisation.objects.bulk_create(
        [Organisation(name=f"{prefix} {i:04d}", country="ES", kind="vet") for i in range(n)])


def test_endpoint_searches_and_pages(manager_client):
    many_organisations(45)
    OrganisationFactory(name="Tknika Rentería", acronym="TKNK")
    first = manager_client.get(reverse(PICK, args=["organisations"]), {"q": "zub"}).json()
    assert len(first["results"]) == 20 and first["more"]
    assert first["results"][0]["label"].startswith("Zubiri 0000")
    third = manager_client.get(reverse(PICK, args=["organisations"]), {"q": "zub", "page": 3}).json()
    assert len(third["results"]) == 5 and not third["more"]
    by_acronym = manager_client.get(reverse(PICK, args=["organisations"]), {"q": "tknk"}).json()
    assert [r["label"] for r in by_acronym["results"]] == ["Tknika Rentería (ES)"]


@pytest.mark.parametrize("role, key, expected", [
    ("manager", "organisations", 200), ("staff", "organisations", 200), ("partner", "organisations", 200),
    # Partners pick their own organisation's records (test_multipicker: only theirs are found).
    ("partner", "members", 200), ("partner", "observatories", 200), ("anonymous", "organisations", 302),
    ("manager", "members", 200), ("manager", "observatories", 200), ("manager", "factories", 200),
    ("manager", "nothing", 404),
])
def test_endpoint_permissions(role_clients, role, key, expected):
    url = reverse(PICK, args=[key])
    assert role_clients[role].get(url, {"q": "ab", "page": "x"}).status_code == expected


def test_mou_form_renders_no_select_of_organisations(manager_client):
    many_organisations(600)
    content = manager_client.get(reverse("alliance:mou-create")).content.decode()
    assert content.count("<option") < 300
    assert 'data-picker-url="/pickers/organisations/"' in content


def test_mou_list_filter_renders_no_select_of_organisations(manager_client):
    many_organisations(600)
    for organisation in Organisation.objects.all()[:50]:
        MoUFactory(partner_organisation=organisation)
    response = manager_client.get(reverse("alliance:mou-list"))
    assert response.content.decode().count("<option") < 300


def test_register_list_filter_is_a_picker_and_filters_by_typed_text(manager_client):
    from tests.factories import LearningFactoryFactory

    host = OrganisationFactory(name="Mondragon Unibertsitatea")
    LearningFactoryFactory(name="Factory A", host_organisation=host)
    LearningFactoryFactory(name="Factory B")
    url = reverse("training:factory-list")
    page = manager_client.get(url).content.decode()
    assert 'name="host_organisation_search"' in page
    response = manager_client.get(url, {"host_organisation_search": "mondragon"})
    assert [row["object"].name for row in response.context["rows"]] == ["Factory A"]


def mou_post(**fields):
    return {"title": "Dual training agreement", "scope": "Apprenticeships", "areas": "dual",
            "signed_on": (datetime.date.today() - datetime.timedelta(days=3)).isoformat(),
            "signatories": "A and B", **fields}


def test_without_javascript_typed_text_is_searched_and_several_matches_offered(partner_client):
    many_organisations(3, prefix="Ikaslan")
    OrganisationFactory(name="Unique Counterpart Oy", country="FI")
    response = partner_client.post(reverse("alliance:mou-create"), mou_post(counterpart_search="ikaslan"))
    errors = " ".join(response.context["form"].errors.get("counterpart", []))
    assert "pick one" in errors
    content = response.content.decode()
    assert content.count('<option value="') >= 3 and "Ikaslan 0002" in content
    assert MoU.objects.count() == 0


def test_without_javascript_a_unique_match_is_taken(partner_client):
    from registers.pickers import PickerField, PickerValue

    OrganisationFactory(name="Unique Counterpart Oy", country="FI")
    from organisations.pickers import organisations

    field = PickerField(organisations, required=True)
    value = PickerValue("")
    value.text = "counterpart oy"
    assert field.clean(value).name == "Unique Counterpart Oy"
    value.text = "nothing like it"
    with pytest.raises(Exception, match="No organisation matches"):
        field.clean(value)


def test_endpoint_waits_for_a_third_letter_and_lists_in_order_without_one(manager_client):
    """One or two letters would scan the whole register (a trigram needs three): nothing is searched."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    many_organisations(3)
    url = reverse(PICK, args=["organisations"])
    with CaptureQueriesContext(connection) as captured:
        short = manager_client.get(url, {"q": "zu"}).json()
    assert short == {"results": [], "more": False, "min_length": 3}
    assert not [q for q in captured.captured_queries if "organisations_organisation" in q["sql"]]
    assert len(manager_client.get(url, {"q": "zub"}).json()["results"]) == 3
    listed = [r["label"] for r in manager_client.get(url, {"q": ""}).json()["results"]]
    assert "Zubiri 0000 (ES)" in listed and listed == sorted(listed, key=str.lower)


def _proposal(partner_client, name):
    """Partner A's MoU naming a new counterpart ``name``, waiting for review."""
    from tests.alliance.mou_helpers import mou_post_data

    data = mou_post_data(None, new_counterpart_name=name, new_counterpart_kind="company",
                         new_counterpart_country="ES")
    assert partner_client.post(reverse("alliance:mou-create"), data).status_code == 302
    return Organisation.objects.get(name=name)


def test_a_counterpart_proposed_in_an_unapproved_mou_is_found_only_by_its_partner_and_coordinators(
        partner_client, other_partner_client, manager_client, staff_client):
    proposed = _proposal(partner_client, "Confidential Robotics")
    others = {"picker": lambda c: c.get(reverse(PICK, args=["organisations"]), {"q": "confidential"}).json(),
              "list": lambda c: c.get(reverse("organisations:organisation-list"), {"q": "confidential"}),
              "detail": lambda c: c.get(reverse("organisations:organisation-detail", args=[proposed.pk])),
              "api": lambda c: c.get("/api/v1/organisations/", {"search": "confidential"}).json(),
              "lookup": lambda c: c.get("/api/v1/organisations/lookup/", {"q": "confidential"}).json()}
    assert others["picker"](other_partner_client)["results"] == []
    assert "Confidential Robotics" not in others["list"](other_partner_client).content.decode()
    assert others["detail"](other_partner_client).status_code == 404
    assert others["lookup"](other_partner_client)["count"] == 0  # (partners list no organisations in the API)
    for client in (partner_client, manager_client, staff_client):
        assert [r["id"] for r in others["picker"](client)["results"]] == [proposed.pk]
        assert others["detail"](client).status_code == 200
        assert others["lookup"](client)["count"] == 1
    for client in (manager_client, staff_client):
        assert others["api"](client)["count"] == 1
    # Once a coordinator approves the MoU, every partner may name it.
    from alliance import services
    from tests.factories import UserFactory

    mou = MoU.objects.get(counterpart=proposed)
    services.mou_review(mou=mou, reviewer=UserFactory(username="reviewer", role="manager"), decision="approve",
                        not_duplicate=True)
    assert [r["id"] for r in others["picker"](other_partner_client)["results"]] == [proposed.pk]


def test_another_partner_cannot_name_a_confidential_counterpart_by_its_id(partner_client, other_partner_client):
    from tests.alliance.mou_helpers import mou_post_data

    proposed = _proposal(partner_client, "Confidential Robotics")
    response = other_partner_client.post(reverse("alliance:mou-create"), mou_post_data(proposed))
    assert response.status_code == 400
    assert MoU.objects.filter(counterpart=proposed).count() == 1


@pytest.mark.parametrize("text", ["a\x00b", "\x00\x00\x00", "abc\x00"])
def test_a_nul_in_the_search_answers_400(manager_client, text):
    response = manager_client.get(reverse(PICK, args=["organisations"]), {"q": text})
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]


def test_the_pickers_are_throttled_per_user(manager_client, staff_client, settings):
    settings.PICKER_RATE = 5
    url = reverse(PICK, args=["organisations"])
    statuses = [manager_client.get(url, {"q": "zub"}).status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429, 429]
    refused = manager_client.get(url, {"q": "zub"})
    assert "Too many searches" in refused.json()["error"] and refused["Retry-After"]
    assert staff_client.get(url, {"q": "zub"}).status_code == 200  # another user has a count of its own
