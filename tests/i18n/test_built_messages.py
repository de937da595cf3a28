"""Messages built in code (a form's errors, a record's name, a refused import) read in the reader's
language: their words from the catalogue, their dates and numbers as the language writes them, even when
the record is checked in another language (a micro-credential's form checks in English, for
django-modeltranslation)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from registers.importing import ImportRefused
from tests.catalogue import add_translations
from tests.factories import (
    FactoryProductFactory,
    IndicatorFactory,
    MicroCredentialFactory,
    MilestoneFactory,
    ReportFactory,
)

pytestmark = pytest.mark.django_db

SPANISH = {
    "A published micro-credential needs its publication date.":
        "Una microcredencial publicada necesita su fecha de publicación.",
    "The %(kind)s cannot be %(status)s before it was %(started)s (%(date)s).":
        "La %(kind)s no puede quedar %(status)s antes de ser %(started)s (%(date)s).",
}


def _correction(credential, **changes):
    return {"title": credential.title, "awarding_body": credential.awarding_body_id,
            "learning_outcomes": credential.learning_outcomes, "ects": "3.0", "eqf_level": "4",
            "assessment_type": "Practical", "participation_form": "blended", "quality_assurance": "Internal",
            "status": "published", "published_on": "2024-02-01", "retired_on": "", "version": 1,
            "default_language": "en", "learning_opportunity_type": "short-learning-programme",
            "reason": "Typo", **changes}


def test_a_micro_credentials_form_errors_read_in_spanish_though_checked_in_english(manager_client, monkeypatch):
    add_translations(monkeypatch, "es", SPANISH)
    credential = MicroCredentialFactory(status="retired", published_on=datetime.date(2024, 2, 1),
                                        retired_on=datetime.date(2026, 3, 1))
    manager_client.cookies["django_language"] = "es"
    url = reverse("training:micro-credential-correct", args=[credential.pk])
    page = manager_client.post(url, _correction(credential, published_on="")).content.decode()
    assert "Una microcredencial publicada necesita su fecha de publicación." in page
    assert "A published micro-credential needs" not in page
    page = manager_client.post(url, _correction(credential, status="retired", retired_on="2024-01-01")).content.decode()
    # The date as Spanish writes it, the record's kind and statuses from the Spanish catalogue.
    assert "La microcredencial no puede quedar retirado antes de ser publicada (1 feb 2024)." in page
    assert "(2024-02-01)" not in page


def test_the_end_of_life_error_reads_in_the_language_it_is_shown_in():
    credential = MicroCredentialFactory.build(status="retired", published_on=datetime.date(2024, 2, 1),
                                              retired_on=datetime.date(2024, 1, 1))
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        credential.clean()
    with translation.override("sv"):
        swedish = " ".join(refused.value.message_dict["retired_on"])
    with translation.override("en"):
        english = " ".join(refused.value.message_dict["retired_on"])
    assert english == "The micro-credential cannot be retired before it was published (1 Feb 2024)."
    assert "1 feb. 2024" in swedish and "2024-02-01" not in swedish


def test_a_milestones_errors_write_dates_and_numbers_in_the_readers_language():
    indicator = IndicatorFactory(code="milestone-check", target=Decimal("1200"), is_cumulative=True)
    MilestoneFactory(indicator=indicator, date=datetime.date(2024, 6, 30), value=Decimal("1000.5"))
    later = MilestoneFactory.build(indicator=indicator, date=datetime.date(2025, 6, 30), value=Decimal("900"))
    too_early = MilestoneFactory.build(indicator=indicator, date=datetime.date(2020, 1, 1), value=Decimal("5"))
    with pytest.raises(ValidationError) as below:
        later.clean()
    with pytest.raises(ValidationError) as outside:
        too_early.clean()
    with translation.override("fr"):
        value_error = " ".join(below.value.message_dict["value"])
        date_error = " ".join(outside.value.message_dict["date"])
    assert "1\u202f000,5" in value_error and "30 juin 2024" in value_error
    assert "1 sept. 2022" in date_error and "2024-06-30" not in value_error and "2022-09-01" not in date_error
    with translation.override("en"):
        assert " ".join(below.value.message_dict["value"]) == (
            "A milestone cannot fall below an earlier one (1,000.5 on 30 Jun 2024).")


def test_a_report_is_named_with_its_date_and_value_in_the_readers_language(db):
    report = ReportFactory(as_of=datetime.date(2024, 6, 30), value=Decimal("1234.50"))
    with translation.override("es"):
        assert str(report).endswith("30 jun 2024: 1.234,5")
    with translation.override("en"):
        assert str(report).endswith("30 Jun 2024: 1,234.5")


def test_a_refused_import_counts_its_rows_in_the_language(monkeypatch):
    one = [{"errors": ["bad"]}]
    assert ImportRefused(one).messages == ["Nothing was imported: 1 of 1 row has errors."]
    assert ImportRefused(one * 3).messages == ["Nothing was imported: 3 of 3 rows have errors."]
    # The singular is the plural form 0 of the catalogue.
    add_translations(monkeypatch, "fi", {("Nothing was imported: %(bad)s of %(count)s row has errors.", 0):
                                         "Mitään ei tuotu: %(bad)s/%(count)s rivissä on virheitä."})
    with translation.override("fi"):
        assert ImportRefused(one).messages == ["Mitään ei tuotu: 1/1 rivissä on virheitä."]


def test_a_stale_edit_names_the_changed_fields_by_their_labels(manager_client):
    product = FactoryProductFactory()
    url = reverse("training:product-status", args=[product.pk])
    assert manager_client.post(url, {"status": "retired", "developed_on": "2024-05-01", "retired_on": "2025-01-10",
                                      "version": 1}).status_code == 302
    page = manager_client.post(url, {"status": "retired", "developed_on": "2024-04-01", "version": 1}).content.decode()
    message = re.search(r"Somebody else saved this [^<]*", page).group()
    assert message.startswith("Somebody else saved this factory product while you were editing it (changed: ")
    assert "retired on" in message and "retired_on" not in message


def test_a_nace_section_is_named_in_the_readers_language(monkeypatch):
    from observatories.measures import nace_section_label

    add_translations(monkeypatch, "it", {"Manufacturing": "Attività manifatturiere"})
    assert nace_section_label("C") == "C Manufacturing"
    with translation.override("it"):
        assert nace_section_label("C") == "C Attività manifatturiere"
    assert nace_section_label("Z") == "Z"


def test_messages_kept_in_constants_are_read_when_shown(monkeypatch):
    """A message defined once at import (in English then) reads in the language it is shown in."""
    from accounts.views import RESET_THROTTLED
    from registers.reviews import SELF_REVIEW_MESSAGE
    from training.models import FactoryExchange

    constants = {str(RESET_THROTTLED): "Liian monta pyyntöä.", str(SELF_REVIEW_MESSAGE): "Lähetit tämän itse.",
                 str(FactoryExchange.ended_before_start): "Vaihto ei voi päättyä ennen alkuaan."}
    add_translations(monkeypatch, "fi", constants)
    with translation.override("fi"):
        assert [str(RESET_THROTTLED), str(SELF_REVIEW_MESSAGE), str(FactoryExchange.ended_before_start)] == list(
            constants.values())
