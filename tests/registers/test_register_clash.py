import pytest
from django.core.exceptions import ValidationError

from organisations.models import Organisation
from registers import records
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_a_unique_clash_won_by_a_concurrent_save_is_a_validation_error_not_a_crash(monkeypatch):
    # Two requests passed full_clean together; the other one's row is already in the database.
    OrganisationFactory(name="Clash", country="ES")
    monkeypatch.setattr(Organisation, "full_clean", lambda self, *args, **kwargs: None)
    with pytest.raises(ValidationError, match="clashes with one saved at the same moment"):
        records.record_create(instance=Organisation(name="clash", country="ES", kind="vet"))
    assert Organisation.objects.filter(name__iexact="clash").count() == 1


def test_the_api_answers_400_to_the_same_clash(monkeypatch, manager_client):
    OrganisationFactory(name="Clash", country="ES")
    monkeypatch.setattr(Organisation, "full_clean", lambda self, *args, **kwargs: None)
    response = manager_client.post("/api/v1/organisations/", {"name": "clash", "country": "ES", "kind": "vet"},
                                   content_type="application/json")
    assert response.status_code == 400, response.content
    assert "clashes" in str(response.json())
    assert Organisation.objects.filter(name__iexact="clash").count() == 1
