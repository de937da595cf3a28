"""A period's name in the reader's language: seeded in the seven languages, filled for the periods seeded before
(migration reporting 0005), English where a period has no translation."""

import importlib

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils import translation

from lcamp.reference import PERIOD_NAMES, REPORTING_PERIODS
from registers.after_closing import CONFIRM_FIELD, REASON_FIELD
from reporting.models import ReportingPeriod
from reporting.periods import period_close, period_review
from tests.factories import OrganisationFactory
from tests.indicators.test_late_facts import END, INSIDE, REASON, START

pytestmark = pytest.mark.django_db

LANGUAGES = ("es", "eu", "fr", "it", "sv", "fi")
filled = importlib.import_module("reporting.migrations.0005_period_names_filled")


def test_the_seed_names_the_periods_in_seven_languages_and_is_idempotent():
    call_command("seed_lcamp", verbosity=0)
    periods = list(ReportingPeriod.objects.order_by("start_on"))
    assert [p.name_en for p in periods] == [name for name, _, _ in REPORTING_PERIODS]
    for period in periods:
        for language in LANGUAGES:
            assert getattr(period, f"name_{language}") == PERIOD_NAMES[period.name_en][language]
    with translation.override("es"):
        assert ReportingPeriod.objects.order_by("start_on").first().name == "Informe intermedio M1–M18"
    call_command("seed_lcamp", verbosity=0)
    assert ReportingPeriod.objects.count() == 3


def test_the_seed_keeps_an_administrators_wording():
    call_command("seed_lcamp", verbosity=0)
    ReportingPeriod.objects.filter(name_en="Final report M37–M48").update(name_fr="Rapport final")
    call_command("seed_lcamp", verbosity=0)
    assert ReportingPeriod.objects.get(name_en="Final report M37–M48").name_fr == "Rapport final"


def test_the_migration_fills_the_periods_seeded_before_and_leaves_the_others_english(project):
    seeded = ReportingPeriod.objects.create(project=project, name="Interim report M19–M36",
                                            start_on="2024-03-01", end_on="2025-08-31")
    other = ReportingPeriod.objects.create(project=project, name="Extra period", start_on="2025-09-01",
                                           end_on="2025-12-31")
    # As before the migration: only the name's own column (the English one empty), one translation typed.
    ReportingPeriod.objects.filter(pk__in=[seeded.pk, other.pk]).update(
        name_en=None, **{f"name_{language}": None for language in LANGUAGES})
    ReportingPeriod.objects.filter(pk=seeded.pk).update(name_it="Relazione scritta a mano")
    # The models as the migration sees them (django-modeltranslation does not patch them).
    state = MigrationLoader(connection).project_state(("reporting", "0004_period_name_translations"))
    filled.fill(state.apps, None)
    seeded.refresh_from_db()
    other.refresh_from_db()
    assert seeded.name_en == "Interim report M19–M36" and seeded.name_sv == "Delrapport M19–M36"
    assert seeded.name_it == "Relazione scritta a mano"  # never overwritten
    assert other.name_en == "Extra period" and other.name_es is None
    with translation.override("fi"):
        assert ReportingPeriod.objects.get(pk=other.pk).name == "Extra period"  # English, the fallback
    assert filled.SEEDED == PERIOD_NAMES  # the migration's copy is the seed's


def test_the_period_list_names_the_periods_in_the_readers_language(manager_client):
    call_command("seed_lcamp", verbosity=0)
    manager_client.cookies["django_language"] = "sv"
    page = manager_client.get(reverse("reporting:period-list")).content.decode()
    assert "Delrapport M1–M18" in page and "Slutrapport M37–M48" in page
    assert "Interim report M1–M18" not in page


def test_the_indicator_page_names_a_closed_period_of_a_late_fact_in_the_readers_language(
        lcamp_indicators, project, admin_user, manager_client, staff_client):
    period = ReportingPeriod.objects.create(project=project, name="Interim report M1–M18", start_on=START, end_on=END)
    ReportingPeriod.objects.filter(pk=period.pk).update(name_fi="Väliraportti M1–M18")
    period.refresh_from_db()
    period_review(period=period, user=admin_user)
    period_close(period=period, user=admin_user)
    manager_client.post(reverse("alliance:member-create"), {
        "organisation": OrganisationFactory(name="Late Lyceum").pk, "category": "research",
        "joined_on": INSIDE.isoformat(), CONFIRM_FIELD: "on", REASON_FIELD: REASON})
    staff_client.cookies["django_language"] = "fi"
    page = staff_client.get(reverse("indicators:indicator-detail", args=["alliance-members"])).content.decode()
    assert REASON in page  # the late fact is listed
    assert "Väliraportti M1–M18" in page and "Interim report M1–M18" not in page
