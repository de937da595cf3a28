"""Alliance member register: list, add (also from the dashboard card), edit, withdraw, history, stale edits."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance.models import AllianceMember
from organisations.models import Organisation
from tests.factories import AllianceMemberFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_list_shows_members_with_search_filter_and_sort(manager_client):
    AllianceMemberFactory(organisation=OrganisationFactory(name="Tknika Lab", country="ES"))
    AllianceMemberFactory(organisation=OrganisationFactory(name="Politecnico Milano", country="IT"))
    url = reverse("alliance:member-list")
    response = manager_client.get(url)
    assert response.status_code == 200
    assert b"Tknika Lab" in response.content and b"Politecnico Milano" in response.content
    searched = manager_client.get(url, {"q": "milano"})
    assert b"Politecnico Milano" in searched.content and b"Tknika Lab" not in searched.content
    filtered = manager_client.get(url, {"country": "ES"})
    assert b"Tknika Lab" in filtered.content and b"Politecnico Milano" not in filtered.content
    ordered = manager_client.get(url, {"sort": "organisation__name"}).content.decode()
    assert ordered.index("Politecnico Milano") < ordered.index("Tknika Lab")
    ordered = manager_client.get(url, {"sort": "-organisation__name"}).content.decode()
    assert ordered.index("Tknika Lab") < ordered.index("Politecnico Milano")


def test_list_paginates_by_fifty(manager_client):
    AllianceMemberFactory.create_batch(51)
    response = manager_client.get(reverse("alliance:member-list"))
    assert len(response.context["rows"]) == 50
    assert response.context["page"].paginator.num_pages == 2
    assert len(manager_client.get(reverse("alliance:member-list"), {"page": 2}).context["rows"]) == 1


def test_empty_list_says_how_to_add_the_first(manager_client):
    response = manager_client.get(reverse("alliance:member-list"))
    assert b"Add the first alliance member" in response.content


def test_create_form_defaults_to_today(manager_client):
    response = manager_client.get(reverse("alliance:member-create"))
    assert response.status_code == 200
    assert response.context["form"]["joined_on"].value() == timezone.localdate()


def test_manager_adds_member_of_existing_organisation_and_returns_to_next(manager_client):
    organisation = OrganisationFactory(name="Mondragon Unibertsitatea")
    response = manager_client.post(reverse("alliance:member-create") + "?next=/", {
        "organisation": organisation.pk, "category": "research", "joined_on": "2024-05-02", "next": "/",
    })
    assert response.status_code == 302 and response["Location"] == "/"
    member = AllianceMember.objects.get()
    assert member.organisation == organisation and member.joined_on == datetime.date(2024, 5, 2)
    assert member.history.first().history_user.username == "manager"
    followed = manager_client.get(reverse("alliance:member-list"))
    assert "Added alliance member: Mondragon Unibertsitatea" in " ".join(str(m) for m in followed.context["messages"])


def test_manager_adds_member_with_a_new_organisation(manager_client):
    response = manager_client.post(reverse("alliance:member-create"), {
        "new_organisation_name": "Centro San Viator", "new_organisation_country": "ES",
        "new_organisation_kind": "vet", "category": "vet", "joined_on": "2024-05-02",
    })
    assert response.status_code == 302
    member = AllianceMember.objects.get()
    assert member.organisation.name == "Centro San Viator" and member.organisation.kind == "vet"


def test_next_pointing_elsewhere_is_ignored(manager_client):
    organisation = OrganisationFactory()
    response = manager_client.post(reverse("alliance:member-create"), {
        "organisation": organisation.pk, "category": "vet", "joined_on": "2024-05-02",
        "next": "https://evil.example.org/",
    })
    assert response.status_code == 302
    assert response["Location"] == reverse("alliance:member-detail", args=[AllianceMember.objects.get().pk])


@pytest.mark.parametrize("data, field", [
    ({"category": "vet", "joined_on": "2024-05-02"}, "organisation"),
    ({"organisation": "ORG", "category": "vet", "joined_on": "2024-13-40"}, "joined_on"),
    ({"organisation": "ORG", "category": "astronauts", "joined_on": "2024-05-02"}, "category"),
    ({"organisation": "ORG", "category": "vet", "joined_on": "2023-02-01"}, "joined_on"),  # overlaps
    ({"organisation": "ORG", "new_organisation_name": "Both", "new_organisation_country": "ES",
      "category": "vet", "joined_on": "2024-05-02"}, "new_organisation_name"),
    ({"new_organisation_name": "TKNIKA", "new_organisation_country": "ES",
      "category": "vet", "joined_on": "2024-05-02"}, "new_organisation_name"),  # already registered
    ({"new_organisation_name": "No country", "category": "vet", "joined_on": "2024-05-02"},
     "new_organisation_country"),
])
def test_bad_input_comes_back_with_message_and_input_kept(manager_client, organisation, data, field):
    existing = AllianceMemberFactory(organisation=organisation, joined_on=datetime.date(2023, 1, 1))
    data = {k: (organisation.pk if v == "ORG" else v) for k, v in data.items()}
    data["note"] = "Signed at the Bilbao meeting"
    response = manager_client.post(reverse("alliance:member-create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert b"Signed at the Bilbao meeting" in response.content
    assert list(AllianceMember.objects.all()) == [existing]
    assert Organisation.objects.count() == 1


def test_manager_edits_member_and_sees_change_in_history(manager_client):
    member = AllianceMemberFactory(category="vet")
    url = reverse("alliance:member-edit", args=[member.pk])
    form = manager_client.get(url).context["form"]
    assert form["version"].value() == 1
    response = manager_client.post(url, {
        "organisation": member.organisation_id, "category": "business", "joined_on": "2023-01-15",
        "note": "", "version": 1,
    })
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.category == "business" and member.version == 2
    detail = manager_client.get(reverse("alliance:member-detail", args=[member.pk]))
    changes = [c for entry in detail.context["history"] for c in entry["changes"]]
    assert {"field": "category", "label": "category", "old": "VET centres", "new": "Businesses and SMEs"} in changes
    assert "Businesses and SMEs" in detail.content.decode()


def test_stale_edit_is_refused_showing_what_changed_and_keeping_input(manager_client):
    member = AllianceMemberFactory(category="vet", note="")
    url = reverse("alliance:member-edit", args=[member.pk])
    first = {"organisation": member.organisation_id, "category": "business", "joined_on": "2023-01-15",
             "note": "", "version": 1}
    second = {**first, "category": "policy", "note": "my careful note"}
    assert manager_client.post(url, first).status_code == 302
    response = manager_client.post(url, second)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Somebody else saved this alliance member" in content
    assert "my careful note" in content
    assert any(c["field"] == "category" and c["new"] == "Businesses and SMEs"
               for c in response.context["stale_changes"])
    member.refresh_from_db()
    assert member.category == "business" and member.note == "" and member.version == 2
    # Saving again, having seen the change, applies the user's input deliberately.
    assert response.context["form"]["version"].value() == 2
    again = manager_client.post(url, {**second, "version": 2})
    assert again.status_code == 302
    member.refresh_from_db()
    assert member.category == "policy"


def test_withdraw_sets_left_on_instead_of_deleting(manager_client):
    member = AllianceMemberFactory(joined_on=datetime.date(2023, 1, 15))
    url = reverse("alliance:member-withdraw", args=[member.pk])
    assert manager_client.get(url).context["form"]["left_on"].value() == timezone.localdate()
    response = manager_client.post(url, {"left_on": "2024-06-30", "version": member.version})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.left_on == datetime.date(2024, 6, 30)
    assert not member.is_active_on(datetime.date(2024, 7, 1))


@pytest.mark.parametrize("left_on", ["", "2022-01-01", "not a date"])
def test_withdraw_with_bad_date_changes_nothing(manager_client, left_on):
    member = AllianceMemberFactory(joined_on=datetime.date(2023, 1, 15))
    response = manager_client.post(reverse("alliance:member-withdraw", args=[member.pk]),
                                   {"left_on": left_on, "version": member.version})
    assert response.status_code == 200
    assert response.context["form"].errors["left_on"]
    member.refresh_from_db()
    assert member.left_on is None and member.version == 1


def test_withdrawing_twice_is_refused(manager_client):
    member = AllianceMemberFactory(joined_on=datetime.date(2023, 1, 15), left_on=datetime.date(2024, 1, 1))
    response = manager_client.post(reverse("alliance:member-withdraw", args=[member.pk]),
                                   {"left_on": "2024-06-30", "version": member.version})
    assert response.status_code == 200
    assert "already ended on 1 Jan 2024" in response.content.decode()
    member.refresh_from_db()
    assert member.left_on == datetime.date(2024, 1, 1)
