"""A record's page and its history read as text: labels for codes, dates and numbers in the reader's
language, and only the changes a reader can see."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from observatories.models import SkillGap
from tests.factories import MicroCredentialFactory, SkillGapFactory
from training.models import MicroCredential

pytestmark = pytest.mark.django_db
KNOWN = "http://data.europa.eu/esco/skill/2b8a6e2b-4e1c-4b59-9d43-a5a7e2e27e1d"
UNKNOWN = "http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000001"


def facts(page):
    """{label: value} of a record page's facts."""
    return {label.strip(): re.sub(r"\s+", " ", value).strip()
            for label, value in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page, re.S)}


@pytest.fixture
def credential(organisation):
    SkillGapFactory(esco_skill_uri=KNOWN, esco_skill_label="programme collaborative robots")
    return MicroCredentialFactory(awarding_body=organisation, esco_skills=[KNOWN, UNKNOWN], ects=Decimal("3.0"),
                                  languages=["es", "en"], isced_f="0715", published_on=datetime.date(2023, 1, 15),
                                  learning_opportunity_type="course")


def test_a_micro_credentials_page_reads_as_text(manager_client, credential):
    page = manager_client.get(reverse("training:micro-credential-detail", args=[credential.pk])).content.decode()
    shown = facts(page)
    # An ESCO skill by its preferred label where a skill gap records it, else its URI.
    assert shown["ESCO skills"] == f"programme collaborative robots, {UNKNOWN}"
    assert shown["Notional workload (ECTS)"] == "3"
    assert shown["Published on"] == "15 January 2023"
    assert shown["Languages of instruction"] == "Spanish, English"
    assert shown["ISCED-F thematic area"] == "0715 Mechanics and metal trades"
    assert shown["Learning opportunity type"] == "Course"
    assert "2023-01-15" not in page and "3.0" not in page and "[" not in shown["ESCO skills"]


def test_empty_lists_and_values_read_as_a_dash(manager_client, organisation):
    credential = MicroCredentialFactory(awarding_body=organisation, esco_skills=[], languages=[], isced_f="")
    shown = facts(manager_client.get(reverse("training:micro-credential-detail", args=[credential.pk])).content.decode())
    assert shown["ESCO skills"] == shown["Languages of instruction"] == shown["ISCED-F thematic area"] == "—"


def test_in_spanish_dates_and_numbers_are_spanish(manager_client, organisation):
    credential = MicroCredentialFactory(awarding_body=organisation, ects=Decimal("2.5"),
                                        published_on=datetime.date(2023, 1, 15))
    manager_client.cookies["django_language"] = "es"
    page = manager_client.get(reverse("training:micro-credential-detail", args=[credential.pk])).content.decode()
    assert "15 de enero de 2023" in page
    assert "2,5" in page


def test_the_list_shows_ects_without_a_trailing_zero(manager_client, credential):
    page = manager_client.get(reverse("training:micro-credential-list")).content.decode()
    assert re.search(r'<td class="num">\s*3\s*</td>', page)
    assert not re.search(r'<td class="num">\s*3\.0\s*</td>', page)


def test_the_history_shows_real_changes_only(manager_client, credential, manager_user):
    from registers.records import history_entries, record_save

    def save(**values):
        fresh = MicroCredential.objects.get(pk=credential.pk)
        for name, value in values.items():
            setattr(fresh, name, value)
        record_save(instance=fresh, expected_version=fresh.version, user=manager_user)

    save(languages=["en", "es"])                                                  # reordered
    save(learning_outcomes=MicroCredential.objects.get(pk=credential.pk).learning_outcomes.replace("\n", "\r\n")
         + "\r\n")                                                                # the same text
    save(esco_skills=[UNKNOWN, KNOWN])                                            # reordered
    assert [entry["kind"] for entry in history_entries(credential)] == ["created"]
    save(languages=["en", "fr"], ects=Decimal("4.5"), published_on=datetime.date(2023, 2, 1))
    latest = history_entries(credential)[0]
    changes = {change["field"]: (change["old"], change["new"]) for change in latest["changes"]}
    assert changes == {"languages": ("English, Spanish", "English, French"), "ects": ("3", "4.5"),
                       "published_on": ("15 January 2023", "1 February 2023")}
    page = manager_client.get(reverse("training:micro-credential-detail", args=[credential.pk])).content.decode()
    assert "[&#x27;es&#x27;" not in page and "['es'" not in page
    assert "Languages of instruction: English, Spanish → English, French" in page


def test_a_skill_gap_page_reads_its_dates_as_text(manager_client):
    gap = SkillGapFactory(identified_on=datetime.date(2024, 3, 4))
    assert isinstance(gap, SkillGap)
    shown = facts(manager_client.get(reverse("observatories:skill-gap-detail", args=[gap.pk])).content.decode())
    assert shown["Identified on"] == "4 March 2024"
