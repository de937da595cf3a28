"""A manager reading in Swedish, a partner in Basque: the pages' own words (headers, filters, labels, help
texts, errors, chart legends) are in their language; only proper names, codes and the records' own
text stay as typed."""

import html
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import AllianceMemberFactory, MicroCredentialFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

# English words the pages showed before their strings were marked (register headers, filter and form
# labels, help texts, the chart's legend); none of them is a Swedish or Basque word.
ENGLISH = [
    "Country", "Joined", "Left", "Category", "Organisation type", "Member today", "Joined from", "Joined until",
    "Withdraw", "Change status", "Or import many", "Awarding body", "Published", "Retired", "Title",
    "learning outcomes", "Learning outcomes", "notional workload", "type of assessment", "European Qualifications",
    "Languages of instruction", "The day it was", "Leave empty", "Other indicators", "Expected path", "Actual",
    "Lead organisation", "Started", "Ended", "Search", "Export", "Name", "Note", "Counterpart", "signed on",
]


def visible_text(response):
    """The page's text as a reader sees it: no scripts, styles or tags."""
    page = response.content.decode()
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", "\n", page)
    return html.unescape(page)


def english_in(text):
    return [word for word in ENGLISH if re.search(rf"\b{re.escape(word)}\b", text)]


@pytest.fixture
def swedish_manager(manager_client):
    manager_client.post(reverse("set-language"), {"language": "sv"})
    return manager_client


@pytest.fixture
def records():
    call_command("seed_lcamp", verbosity=0)
    member = AllianceMemberFactory(organisation=OrganisationFactory(name="Göteborgs Tekniska Gymnasium",
                                                                    country="SE"))
    MicroCredentialFactory(title="Kobotprogrammering", awarding_body=member.organisation)
    return member


@pytest.mark.parametrize("url_name", [
    "alliance:member-list", "alliance:member-create", "training:micro-credential-list",
    "training:micro-credential-create", "organisations:organisation-list", "indicators:dashboard",
])
def test_a_manager_reading_in_swedish_sees_no_english_word(swedish_manager, records, url_name):
    response = swedish_manager.get(reverse(url_name))
    assert response.status_code == 200
    assert english_in(visible_text(response)) == []


def test_the_indicator_page_in_swedish_has_swedish_headers_axes_and_legend(swedish_manager, records):
    response = swedish_manager.get(reverse("indicators:indicator-detail", args=["alliance-members"]))
    assert response.status_code == 200
    assert english_in(visible_text(response)) == []


def test_a_form_error_in_swedish_keeps_the_input_and_says_it_in_swedish(swedish_manager, records):
    response = swedish_manager.post(reverse("alliance:member-create"), {
        "organisation": "", "new_organisation_name": "", "category": "vet", "joined_on": "2024-05-02"})
    assert response.status_code == 200
    text = visible_text(response)
    assert "Välj organisationen, eller skriv namn och land för en ny." in text
    assert english_in(text) == []


def test_a_partner_reading_in_basque_sees_the_mou_form_in_basque(partner_client):
    partner_client.post(reverse("set-language"), {"language": "eu"})
    response = partner_client.get(reverse("alliance:mou-create"))
    assert response.status_code == 200
    assert english_in(visible_text(response)) == []


def test_a_list_read_in_english_first_shows_its_values_in_swedish_afterwards(manager_client, records):
    """The lists' choice labels (a status, a delivery mode) are kept per language, not frozen in the first one."""
    url = reverse("training:micro-credential-list")
    assert "Published" in visible_text(manager_client.get(url))
    manager_client.post(reverse("set-language"), {"language": "sv"})
    assert english_in(visible_text(manager_client.get(url))) == []
