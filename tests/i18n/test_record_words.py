"""Words built in code are translated: a record's title with its date in CLDR, the history's verbs, a member's
status, the e-mail kinds on the profile, the status notes and links of the register pages."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts import notifications
from alliance.models import AllianceMember
from registers.records import HISTORY_KINDS, history_entries, record_save
from tests.factories import AllianceMemberFactory, OrganisationFactory
from tests.i18n.catalogue import translated

pytestmark = pytest.mark.django_db


def test_a_members_title_is_translated_with_a_cldr_date():
    member = AllianceMemberFactory(organisation=OrganisationFactory(name="Tknika"),
                                   joined_on=datetime.date(2024, 1, 15))
    with translation.override("en"):
        assert str(member) == "Tknika (ES) since 15 Jan 2024"
    with translated("es", {"%(organisation)s since %(date)s": "%(organisation)s desde el %(date)s"}), \
            translation.override("es"):
        assert str(member) == "Tknika (ES) desde el 15 ene 2024"


def test_an_overlapping_membership_is_refused_in_the_readers_words_and_date():
    first = AllianceMemberFactory(organisation=OrganisationFactory(name="Tknika"), joined_on=datetime.date(2024, 1, 15))
    second = AllianceMember(organisation=first.organisation, category=first.category,
                            joined_on=datetime.date(2024, 3, 1))
    message = "%(name)s is already a member in this period (since %(date)s)."
    with translated("es", {message: "%(name)s ya es miembro en este periodo (desde el %(date)s)."}), \
            translation.override("es"), pytest.raises(ValidationError) as raised:
        second.full_clean()
    assert raised.value.message_dict["joined_on"] == ["Tknika ya es miembro en este periodo (desde el 15 ene 2024)."]


def test_a_membership_ending_before_it_began_is_refused_in_the_readers_words():
    member = AllianceMember(organisation=OrganisationFactory(), category=AllianceMember.Category.VET,
                            joined_on=datetime.date(2024, 3, 1), left_on=datetime.date(2024, 2, 1))
    with translated("fi", {"The membership cannot end before it began.": "Jäsenyys ei voi päättyä ennen alkuaan."}), \
            translation.override("fi"), pytest.raises(ValidationError) as raised:
        member.full_clean()
    assert "Jäsenyys ei voi päättyä ennen alkuaan." in raised.value.message_dict["left_on"]


def test_the_history_names_what_happened_in_the_readers_language(manager_user):
    member = AllianceMemberFactory(joined_on=datetime.date(2024, 1, 15))
    member.note = "Renewed"
    record_save(instance=member, expected_version=member.version, user=manager_user)
    context = "a record's history"
    with translated("es", {(context, "created"): "creado", (context, "changed"): "modificado"}), \
            translation.override("es"):
        entries = history_entries(AllianceMember.objects.get(pk=member.pk))
    assert [(e["kind"], e["kind_label"]) for e in entries] == [("changed", "modificado"), ("created", "creado")]
    assert set(HISTORY_KINDS) == {"created", "changed", "corrected", "deleted"}


def test_the_record_page_shows_the_historys_verbs_translated(manager_client):
    member = AllianceMemberFactory(joined_on=datetime.date(2024, 1, 15))
    manager_client.cookies["django_language"] = "sv"
    with translated("sv", {("a record's history", "created"): "skapad"}):
        page = manager_client.get(reverse("alliance:member-detail", args=[member.pk])).content.decode()
    assert '<span class="kind">skapad</span>' in page
    assert '<span class="kind">created</span>' not in page


def test_a_members_status_in_the_list_is_translated(manager_client):
    AllianceMemberFactory(joined_on=datetime.date(2024, 1, 15))
    manager_client.cookies["django_language"] = "it"
    with translated("it", {("alliance membership", "member"): "membro"}):
        page = manager_client.get(reverse("alliance:member-list")).content.decode()
    cells = [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", page, re.S)]
    assert "membro" in cells and "member" not in cells


def test_the_email_kinds_are_translated_on_the_profile(manager_client):
    english = str(notifications.KINDS[notifications.STATUS_DIGEST])
    manager_client.cookies["django_language"] = "fr"
    with translated("fr", {english: "Résumé hebdomadaire des indicateurs dont le statut a changé"}):
        page = manager_client.get(reverse("profile")).content.decode()
    assert "Résumé hebdomadaire des indicateurs dont le statut a changé" in page
    assert english not in page


def test_the_registers_page_link_to_define_a_reported_indicator_is_translated(manager_client):
    manager_client.cookies["django_language"] = "eu"
    with translated("eu", {"Define a reported indicator": "Adierazle jakinarazi bat definitu"}):
        page = manager_client.get(reverse("registers")).content.decode()
    assert "Adierazle jakinarazi bat definitu" in page


def test_a_records_rules_answer_in_the_readers_language():
    from observatories.models import Observatory
    from tests.factories import ObservatoryFactory

    observatory = ObservatoryFactory.build(status=Observatory.Status.ACTIVE, launched_on=None)
    message = "An active or closed observatory needs its launch date."
    with translated("eu", {message: "Behatoki aktibo batek abian jartze-data behar du."}), \
            translation.override("eu"):
        with pytest.raises(ValidationError) as raised:
            observatory.clean()
        # Read as a form or the API reads it: in the request's language.
        assert [str(m) for m in raised.value.message_dict["launched_on"]] == [
            "Behatoki aktibo batek abian jartze-data behar du."]
