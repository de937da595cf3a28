"""A factory exchange entered twice (same factory, partners, dates, students) is flagged: saving it needs
an explicit "not a duplicate" confirmation, in the browser and through the API."""

import pytest
from django.urls import reverse

from tests.factories import FactoryExchangeFactory, LearningFactoryFactory, OrganisationFactory
from training.models import FactoryExchange


@pytest.fixture
def existing(db, organisation):
    partner = OrganisationFactory(country="FR")
    return FactoryExchangeFactory(factory=LearningFactoryFactory(host_organisation=organisation),
                                  partner_organisations=[partner], title="Lyon week", students=12)


def data(existing, **overrides):
    return {"factory": existing.factory_id, "title": "Lyon week again",
            "partner_organisations": [p.pk for p in existing.partner_organisations.all()], "students": "12",
            "started_on": existing.started_on.isoformat(), "status": "confirmed", **overrides}


def test_the_form_flags_an_exchange_entered_twice_and_saves_it_once_confirmed(manager_client, existing):
    response = manager_client.post(reverse("training:exchange-create"), data(existing))
    assert response.status_code == 200
    assert "looks entered already" in " ".join(response.context["form"].errors["not_duplicate"])
    assert FactoryExchange.objects.count() == 1
    response = manager_client.post(reverse("training:exchange-create"), data(existing, not_duplicate="on"))
    assert response.status_code == 302
    assert FactoryExchange.objects.count() == 2


def test_other_students_or_partners_are_no_duplicate(manager_client, existing):
    assert manager_client.post(reverse("training:exchange-create"), data(existing, students="13")).status_code == 302
    other = OrganisationFactory(country="IT")
    assert manager_client.post(reverse("training:exchange-create"),
                               data(existing, partner_organisations=[other.pk])).status_code == 302


def test_the_api_flags_it_too(manager_client, existing):
    body = {**data(existing), "students": 12}
    response = manager_client.post("/api/v1/factory-exchanges/", body, content_type="application/json")
    assert response.status_code == 400
    assert "looks entered already" in response.json()["not_duplicate"][0]
    response = manager_client.post("/api/v1/factory-exchanges/", {**body, "not_duplicate": True},
                                   content_type="application/json")
    assert response.status_code == 201, response.json()
    assert "not_duplicate" not in response.json()
