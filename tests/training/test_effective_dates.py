"""Retiring and cancelling are events with a date: a past value never moves when they happen later."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.registry import registry
from tests.api.conftest import send
from tests.factories import (
    FactoryExchangeFactory,
    FactoryProductFactory,
    LearningFactoryFactory,
    MicroCredentialFactory,
    OrganisationFactory,
)
from training import services
from training.models import FactoryExchange, FactoryProduct, MicroCredential

pytestmark = pytest.mark.django_db

DEC_2024 = datetime.date(2024, 12, 31)
MARCH_2026 = datetime.date(2026, 3, 1)
TODAY = datetime.date.today()
TOMORROW = TODAY + datetime.timedelta(days=1)


def value(code, on):
    return registry.get(code).total(on)


def test_retiring_a_micro_credential_in_2026_leaves_2024_value_at_3():
    credentials = [MicroCredentialFactory(published_on=datetime.date(2024, month, 1)) for month in (2, 5, 9)]
    assert value("micro-credentials", DEC_2024) == 3
    services.micro_credential_retire(micro_credential=credentials[0], retired_on=MARCH_2026)
    assert value("micro-credentials", DEC_2024) == 3
    assert value("micro-credentials", MARCH_2026 - datetime.timedelta(days=1)) == 3
    assert value("micro-credentials", MARCH_2026) == 2


def test_cancelling_in_2026_an_exchange_of_2024_leaves_14_students():
    factory = LearningFactoryFactory(host_organisation=OrganisationFactory(country="ES"))
    exchanges = [FactoryExchangeFactory(factory=factory, students=7, started_on=datetime.date(2024, month, 1),
                                        partner_organisations=[OrganisationFactory(country="FR")])
                 for month in (3, 10)]
    assert value("students-international", DEC_2024) == 14
    services.factory_exchange_cancel(exchange=exchanges[0], cancelled_on=MARCH_2026)
    assert value("students-international", DEC_2024) == 14
    assert value("students-international", MARCH_2026) == 7


def test_retiring_a_product_in_2026_leaves_its_2024_value():
    products = [FactoryProductFactory(developed_on=datetime.date(2024, month, 1)) for month in (3, 6)]
    assert value("collaborative-products", DEC_2024) == 2
    services.factory_product_retire(product=products[1], retired_on=MARCH_2026)
    assert value("collaborative-products", DEC_2024) == 2
    assert value("collaborative-products", MARCH_2026) == 1


def test_an_exchange_cancelled_before_it_started_never_counts():
    exchange = FactoryExchangeFactory(started_on=datetime.date(2025, 6, 1), students=9)
    services.factory_exchange_cancel(exchange=exchange, cancelled_on=datetime.date(2025, 5, 1))
    assert FactoryExchange.objects.get().cancelled_on == datetime.date(2025, 5, 1)
    for on in (datetime.date(2025, 5, 31), datetime.date(2025, 6, 1), TODAY):
        assert value("students-international", on) == 0


def test_only_a_published_credential_can_be_retired():
    draft = MicroCredentialFactory(status="draft", published_on=datetime.date(2024, 2, 1))
    with pytest.raises(Exception) as refused:
        services.micro_credential_retire(micro_credential=draft, retired_on=MARCH_2026)
    assert "Only a published micro-credential can be retired" in str(refused.value)
    assert MicroCredential.objects.get().status == "draft"


@pytest.mark.parametrize("retired_on, message", [
    (datetime.date(2024, 1, 1), "cannot be retired before it was published"),
    (TOMORROW, "cannot be in the future"),
])
def test_a_retirement_date_before_publication_or_in_the_future_is_refused(retired_on, message):
    credential = MicroCredentialFactory(published_on=datetime.date(2024, 2, 1))
    with pytest.raises(Exception) as refused:
        services.micro_credential_retire(micro_credential=credential, retired_on=retired_on)
    assert message in str(refused.value)
    credential.refresh_from_db()
    assert credential.status == "published" and credential.retired_on is None


# --- The status form asks the date ------------------------------------------------------------------------


def test_status_form_offers_today_and_retires_on_the_date_given(manager_client):
    credential = MicroCredentialFactory(published_on=datetime.date(2024, 2, 1))
    url = reverse("training:micro-credential-status", args=[credential.pk])
    assert manager_client.get(url).context["form"]["retired_on"].value() == TODAY
    response = manager_client.post(url, {"status": "retired", "published_on": "2024-02-01",
                                         "retired_on": "2026-03-01", "version": 1})
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.status == "retired" and credential.retired_on == MARCH_2026
    assert value("micro-credentials", DEC_2024) == 1 and value("micro-credentials", MARCH_2026) == 0


@pytest.mark.parametrize("retired_on", [TOMORROW.isoformat(), "2099-05-01", "0001-01-01", "2024-01-01"])
def test_status_form_refuses_a_future_implausible_or_early_date(manager_client, retired_on):
    product = FactoryProductFactory(developed_on=datetime.date(2024, 5, 1))
    response = manager_client.post(reverse("training:product-status", args=[product.pk]), {
        "status": "retired", "developed_on": "2024-05-01", "retired_on": retired_on, "version": 1})
    assert response.status_code == 200 and response.context["form"].errors["retired_on"]
    product.refresh_from_db()
    assert product.status == "developed" and product.retired_on is None and product.version == 1


def test_exchange_cancelled_in_the_status_form_on_a_past_date(manager_client):
    exchange = FactoryExchangeFactory(started_on=datetime.date(2024, 4, 1), students=7)
    response = manager_client.post(reverse("training:exchange-status", args=[exchange.pk]),
                                   {"status": "cancelled", "cancelled_on": "2026-03-01", "version": 1})
    assert response.status_code == 302
    assert value("students-international", DEC_2024) == 7 and value("students-international", TODAY) == 0


def test_the_status_form_cannot_reinstate_nor_move_the_date_it_is_a_correction(manager_client):
    credential = MicroCredentialFactory(status="retired", published_on=datetime.date(2024, 2, 1),
                                        retired_on=MARCH_2026)
    url = reverse("training:micro-credential-status", args=[credential.pk])
    back = manager_client.post(url, {"status": "published", "published_on": "2024-02-01", "version": 1})
    assert back.status_code == 200 and "Correct this record" in back.context["form"].errors["status"][0]
    moved = manager_client.post(url, {"status": "retired", "published_on": "2024-02-01",
                                      "retired_on": "2026-05-01", "version": 1})
    assert moved.status_code == 200 and moved.context["form"].errors["retired_on"]
    credential.refresh_from_db()
    assert credential.status == "retired" and credential.retired_on == MARCH_2026 and credential.version == 1


def test_the_edit_form_cannot_retire(manager_client):
    credential = MicroCredentialFactory()
    url = reverse("training:micro-credential-edit", args=[credential.pk])
    choices = [value for value, _ in manager_client.get(url).context["form"].fields["status"].choices]
    assert "retired" not in choices and "published" in choices


def test_a_correction_needs_a_reason_and_keeps_it_in_the_history(manager_client):
    credential = MicroCredentialFactory(status="retired", published_on=datetime.date(2024, 2, 1),
                                        retired_on=MARCH_2026)
    url = reverse("training:micro-credential-correct", args=[credential.pk])
    data = {"title": credential.title, "awarding_body": credential.awarding_body_id,
            "learning_outcomes": credential.learning_outcomes, "ects": "3.0", "eqf_level": "4",
            "assessment_type": "Practical", "participation_form": "blended", "quality_assurance": "Internal",
            "status": "published", "published_on": "2024-02-01", "retired_on": "", "version": 1,
            "default_language": "en", "learning_opportunity_type": "short-learning-programme"}
    without = manager_client.post(url, data)
    assert without.status_code == 200 and without.context["form"].errors["reason"]
    credential.refresh_from_db()
    assert credential.status == "retired"
    response = manager_client.post(url, {**data, "reason": "Retired by mistake"})
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.status == "published" and credential.retired_on is None
    assert credential.history.latest().history_change_reason == "Retired by mistake"
    detail = manager_client.get(reverse("training:micro-credential-detail", args=[credential.pk]))
    assert "Retired by mistake" in detail.content.decode() and "corrected" in detail.content.decode()
    assert value("micro-credentials", TODAY) == 1


@pytest.mark.parametrize("client_name, status", [("staff_client", 403), ("partner_client", 403)])
def test_only_editors_correct_records(request, client_name, status):
    credential = MicroCredentialFactory()
    client = request.getfixturevalue(client_name)
    url = reverse("training:micro-credential-correct", args=[credential.pk])
    assert client.get(url).status_code == status
    assert client.post(url, {"reason": "x", "status": "draft", "version": 1}).status_code == status
    credential.refresh_from_db()
    assert credential.status == "published" and credential.version == 1


# --- The API -----------------------------------------------------------------------------------------------


def test_api_retires_today_by_default_and_on_a_given_date(manager_client):
    first, second = MicroCredentialFactory(), MicroCredentialFactory()
    url = f"/api/v1/micro-credentials/{first.pk}/"
    response = send(manager_client, "patch", url, {"status": "retired"})
    assert response.status_code == 200, response.content
    assert response.json()["retired_on"] == TODAY.isoformat()
    response = send(manager_client, "patch", f"/api/v1/micro-credentials/{second.pk}/",
                    {"status": "retired", "retired_on": "2026-03-01"})
    assert response.status_code == 200 and response.json()["retired_on"] == "2026-03-01"
    assert value("micro-credentials", DEC_2024) == 2 and value("micro-credentials", MARCH_2026) == 1


@pytest.mark.parametrize("retired_on", [TOMORROW.isoformat(), "0202-05-01", "2099-05-01"])
def test_api_refuses_a_future_or_implausible_retirement_date(manager_client, retired_on):
    product = FactoryProductFactory()
    response = send(manager_client, "patch", f"/api/v1/factory-products/{product.pk}/",
                    {"status": "retired", "retired_on": retired_on})
    assert response.status_code == 400 and "retired_on" in response.json()
    product.refresh_from_db()
    assert product.status == "developed" and product.version == 1


def test_api_reinstating_needs_a_correction_reason(manager_client):
    exchange = FactoryExchangeFactory(status="cancelled", started_on=datetime.date(2024, 4, 1),
                                      cancelled_on=MARCH_2026, students=4)
    url = f"/api/v1/factory-exchanges/{exchange.pk}/"
    refused = send(manager_client, "patch", url, {"status": "confirmed"})
    assert refused.status_code == 400 and "correction_reason" in refused.json()["status"][0]
    exchange.refresh_from_db()
    assert exchange.status == "cancelled"
    response = send(manager_client, "patch", url, {"status": "confirmed", "correction_reason": "Never cancelled"})
    assert response.status_code == 200, response.content
    exchange.refresh_from_db()
    assert exchange.status == "confirmed" and exchange.cancelled_on is None
    assert exchange.history.latest().history_change_reason == "Never cancelled"
    assert value("students-international", TODAY) == Decimal(4)
    assert FactoryProduct.objects.count() == 0
