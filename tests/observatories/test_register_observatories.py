"""Observatory and skill gap registers: create, edit, status changes, bad input, permissions."""

import datetime

import pytest
from django.urls import reverse

from observatories import services
from observatories.models import Observatory, SkillGap
from tests.factories import ObservatoryFactory, RegionFactory, SkillGapFactory
from tests.registers_matrix import (
    FOREIGN_EDIT,
    FOREIGN_READ,
    OWN_CREATE,
    OWN_LIST,
    check_pages,
    check_posts_refused,
    partner_post_codes,
)

pytestmark = pytest.mark.django_db
ESCO = "http://data.europa.eu/esco/skill/2b8a6e2b-4e1c-4b59-9d43-a5a7e2e27e1d"


def observatory_data(organisation, **overrides):
    return {"name": "Basque observatory", "region": RegionFactory().pk, "host_organisation": organisation.pk,
            "status": "active", "launched_on": "2023-03-01", "description": "kept text", **overrides}


def test_create_observatory_defaults_and_return_to_dashboard(manager_client, organisation):
    form = manager_client.get(reverse("observatories:observatory-create")).context["form"]
    assert form["host_organisation"].value() == organisation.pk
    response = manager_client.post(reverse("observatories:observatory-create") + "?next=/",
                                   {**observatory_data(organisation), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert Observatory.objects.get().status == "active"


@pytest.mark.parametrize("overrides, field", [
    ({"launched_on": ""}, "launched_on"),  # active without a launch date
    # Closing is a status change with its date, not something a new record starts with.
    ({"status": "closed", "closed_on": "2024-01-01"}, "status"),
    ({"launched_on": "0202-05-01"}, "launched_on"),
    ({"launched_on": "2099-05-01"}, "launched_on"),
    ({"name": ""}, "name"),
    ({"website": "not a url"}, "website"),
])
def test_observatory_bad_input(manager_client, organisation, overrides, field):
    response = manager_client.post(reverse("observatories:observatory-create"),
                                   observatory_data(organisation, **overrides))
    assert response.status_code == 200 and response.context["form"].errors[field]
    assert b"kept text" in response.content
    assert Observatory.objects.count() == 0


def test_close_observatory_by_status_change(manager_client):
    observatory = ObservatoryFactory()
    url = reverse("observatories:observatory-status", args=[observatory.pk])
    response = manager_client.post(url, {"status": "closed", "launched_on": "2023-03-01", "closed_on": "2024-06-30",
                                         "version": observatory.version})
    assert response.status_code == 302
    observatory.refresh_from_db()
    assert observatory.status == "closed" and observatory.closed_on == datetime.date(2024, 6, 30)
    assert not Observatory.objects.active_on(datetime.date(2024, 7, 1)).exists()


def test_closing_asks_the_date_and_defaults_to_today(manager_client):
    observatory = ObservatoryFactory()
    url = reverse("observatories:observatory-status", args=[observatory.pk])
    form = manager_client.get(url).context["form"]
    assert form["closed_on"].value() == datetime.date.today()
    response = manager_client.post(url, {"status": "closed", "launched_on": "2023-03-01", "version": 1})
    assert response.status_code == 302
    observatory.refresh_from_db()
    assert observatory.status == "closed" and observatory.closed_on == datetime.date.today()


@pytest.mark.parametrize("closed_on", [
    (datetime.date.today() + datetime.timedelta(days=1)).isoformat(),  # in the future
    "2022-01-01",  # before the launch
    "0202-05-01",
])
def test_closing_on_a_wrong_date_is_refused(manager_client, closed_on):
    observatory = ObservatoryFactory()
    response = manager_client.post(reverse("observatories:observatory-status", args=[observatory.pk]),
                                   {"status": "closed", "launched_on": "2023-03-01", "closed_on": closed_on,
                                    "version": 1})
    assert response.status_code == 200 and response.context["form"].errors["closed_on"]
    observatory.refresh_from_db()
    assert observatory.status == "active" and observatory.closed_on is None


def test_observatory_close_service_refuses_stale_version():
    observatory = ObservatoryFactory()
    services.observatory_save(instance=Observatory.objects.get(pk=observatory.pk), expected_version=1)
    from registers.records import StaleEdit

    with pytest.raises(StaleEdit):
        services.observatory_close(observatory=observatory, closed_on=datetime.date(2024, 1, 1), expected_version=1)
    observatory.refresh_from_db()
    assert observatory.status == "active"


def skill_gap_data(source, **overrides):
    return {"observatory": source.pk, "title": "Cobot programming", "esco_skill_uri": ESCO,
            "isco_code": "7223", "nace_code": "C28", "critical": "on", "identified_on": "2024-01-10",
            "status": "validated", "evidence": "kept text", **overrides}


def test_create_skill_gap_and_retire(manager_client):
    observatory = ObservatoryFactory()
    response = manager_client.post(reverse("observatories:skill-gap-create"), skill_gap_data(observatory))
    assert response.status_code == 302
    gap = SkillGap.objects.get()
    assert SkillGap.objects.counted_on(datetime.date(2024, 2, 1)).count() == 1
    retire = manager_client.post(reverse("observatories:skill-gap-status", args=[gap.pk]),
                                 {"status": "retired", "version": gap.version})
    assert retire.status_code == 302
    gap.refresh_from_db()
    # Retired today (the default): it still counts on the dates before, not from today.
    assert gap.status == "retired" and gap.retired_on == datetime.date.today()
    assert SkillGap.objects.counted_on(datetime.date(2024, 2, 1)).count() == 1
    assert SkillGap.objects.counted_on(datetime.date.today()).count() == 0


@pytest.mark.parametrize("overrides, field", [
    ({"esco_skill_uri": "https://esco.eu/skill/cnc"}, "esco_skill_uri"),
    ({"isco_code": "72"}, "isco_code"),
    ({"nace_code": "28"}, "nace_code"),
    ({"identified_on": "yesterday"}, "identified_on"),
    ({"observatory": "999999"}, "observatory"),
])
def test_skill_gap_bad_input(manager_client, overrides, field):
    response = manager_client.post(reverse("observatories:skill-gap-create"),
                                   skill_gap_data(ObservatoryFactory(), **overrides))
    assert response.status_code == 200 and response.context["form"].errors[field]
    assert b"kept text" in response.content
    assert SkillGap.objects.count() == 0


def test_skill_gap_form_explains_esco_uri(manager_client):
    content = manager_client.get(reverse("observatories:skill-gap-create")).content.decode()
    assert "http://data.europa.eu/esco/skill/" in content and 'type="date"' in content
    assert "data-picker-url" in content  # the observatory is a search picker


ROLES = ["admin", "staff", "manager", "partner", "other_partner", "anonymous"]


@pytest.mark.parametrize("role", ROLES)
def test_pages_answer_each_role(role_clients, role):
    observatory, gap = ObservatoryFactory(), SkillGapFactory()
    pages = []
    for name, obj in (("observatory", observatory), ("skill-gap", gap)):
        # Records of an organisation neither partner belongs to: partners find their list and create form only.
        pages += [(f"observatories:{name}-list", [], OWN_LIST), (f"observatories:{name}-detail", [obj.pk], FOREIGN_READ),
                  (f"observatories:{name}-create", [], OWN_CREATE),
                  (f"observatories:{name}-edit", [obj.pk], FOREIGN_EDIT),
                  (f"observatories:{name}-status", [obj.pk], FOREIGN_EDIT)]
    check_pages(role_clients, role, pages)


@pytest.mark.parametrize("role", ["staff", "partner", "anonymous"])
def test_posts_refused_for_roles_that_may_not_edit(role_clients, role):
    gap = SkillGapFactory()
    creates = [reverse("observatories:skill-gap-create"), reverse("observatories:observatory-create")]
    status = reverse("observatories:skill-gap-status", args=[gap.pk])
    check_posts_refused(role_clients, role, [*creates, status], SkillGap,
                        partner_post_codes(role, creates=creates, foreign=[status]))
    gap.refresh_from_db()
    assert gap.status == "validated"


def test_retiring_a_skill_gap_in_2026_leaves_its_2024_value():
    from indicators.registry import registry

    gaps = [SkillGapFactory(identified_on=datetime.date(2024, month, 1)) for month in (2, 7)]
    december = datetime.date(2024, 12, 31)
    assert registry.get("skill-gaps").total(december) == 2
    services.skill_gap_retire(skill_gap=gaps[0], retired_on=datetime.date(2026, 3, 1))
    assert registry.get("skill-gaps").total(december) == 2
    assert registry.get("skill-gaps").total(datetime.date(2026, 3, 1)) == 1


def test_only_a_validated_skill_gap_can_be_retired(manager_client):
    gap = SkillGapFactory(status="candidate")
    response = manager_client.post(reverse("observatories:skill-gap-status", args=[gap.pk]),
                                   {"status": "retired", "retired_on": "2026-03-01", "version": 1})
    assert response.status_code == 200 and response.context["form"].errors["status"]
    gap.refresh_from_db()
    assert gap.status == "candidate" and gap.retired_on is None


def test_reopening_a_closed_observatory_is_a_correction_with_a_reason(manager_client):
    observatory = ObservatoryFactory(status="closed", closed_on=datetime.date(2024, 6, 30))
    status_url = reverse("observatories:observatory-status", args=[observatory.pk])
    refused = manager_client.post(status_url, {"status": "active", "launched_on": "2023-03-01", "version": 1})
    assert refused.status_code == 200 and refused.context["form"].errors["status"]
    data = {"name": observatory.name, "region": observatory.region_id,
            "host_organisation": observatory.host_organisation_id, "status": "active", "launched_on": "2023-03-01",
            "closed_on": "", "version": 1}
    url = reverse("observatories:observatory-correct", args=[observatory.pk])
    assert manager_client.post(url, data).context["form"].errors["reason"]
    assert manager_client.post(url, {**data, "reason": "Never closed"}).status_code == 302
    observatory.refresh_from_db()
    assert observatory.status == "active" and observatory.closed_on is None
    assert Observatory.objects.active_on(datetime.date.today()).exists()
    history = manager_client.get(reverse("observatories:observatory-detail", args=[observatory.pk])).context["history"]
    assert history[0]["kind"] == "corrected" and history[0]["reason"] == "Never closed"
