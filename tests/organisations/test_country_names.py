"""A register names a country by CLDR in the reader's language: its list, its record page and history, its
filter and its form (the codes stay the ones the exports and imports use)."""

import re

import pytest
from django.urls import reverse

from registers.records import record_save
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _in(client, language):
    client.cookies["django_language"] = language
    return client


def test_the_list_and_its_filter_name_the_countries_in_basque(manager_client):
    OrganisationFactory(name="Gymnasium of Luleå", country="SE")
    page = _in(manager_client, "eu").get(reverse("organisations:organisation-list")).content.decode()
    cells = [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", page, re.S)]
    assert "Suedia" in cells and "Sweden" not in page
    assert re.search(r'<option value="SE"[^>]*>Suedia</option>', page)
    assert re.search(r'<option value="DE"[^>]*>Alemania</option>', page)


def test_the_record_page_and_its_history_name_the_countries_in_swedish(manager_client, manager_user):
    organisation = OrganisationFactory(name="Centro Easo", country="ES", region=None)
    organisation.country = "FI"
    record_save(instance=organisation, expected_version=organisation.version, user=manager_user)
    page = _in(manager_client, "sv").get(
        reverse("organisations:organisation-detail", args=[organisation.pk])).content.decode()
    assert "Finland" in page
    assert "Spanien → Finland" in page  # the history's change
    assert "Spain" not in page


def test_the_form_offers_the_countries_by_their_finnish_names_sorted(manager_client):
    page = _in(manager_client, "fi").get(reverse("organisations:organisation-create")).content.decode()
    options = re.findall(r'<option value="([A-Z]{2})"[^>]*>([^<]+)</option>', page)
    names = dict(options)
    assert names["ES"] == "Espanja" and names["SE"] == "Ruotsi" and names["DE"] == "Saksa"
    labels = [label for _, label in options]
    assert labels.index("Espanja") < labels.index("Ruotsi") < labels.index("Saksa")


def test_the_export_keeps_the_codes_the_import_reads(manager_client):
    OrganisationFactory(name="Gymnasium of Luleå", country="SE")
    response = _in(manager_client, "eu").get(reverse("organisations:organisation-export-csv"))
    content = b"".join(response.streaming_content).decode()
    assert ";SE;" in content and "Suedia" not in content  # Basque: ';' between cells, as Excel reads it
