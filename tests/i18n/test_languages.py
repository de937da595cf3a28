"""The language switch, the user's saved language, e-mails in the recipient's language, the API's
Accept-Language, translated content and its English fallback."""

import datetime
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from alliance import services
from alliance.models import MoU
from indicators.models import Indicator, Pillar
from lcamp.reference import INDICATOR_DESCRIPTIONS, INDICATOR_TITLES
from organisations.invitations.services import user_invite
from tests.api.conftest import send
from tests.factories import MicroCredentialFactory, MoUFactory, OrganisationFactory
from tests.training.test_register_training import credential_data
from training.models import MicroCredential

pytestmark = pytest.mark.django_db
LANGUAGES = ["en", "es", "eu", "fr", "it", "sv", "fi"]


def html_lang(response):
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_anonymous_visitor_switches_language_with_a_cookie(client, language):
    response = client.post(reverse("set-language"), {"language": language}, HTTP_REFERER="/accounts/login/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert client.cookies["django_language"].value == language
    page = client.get(reverse("login"))
    assert html_lang(page) == language
    assert f'<option value="{language}" lang="{language}" selected>' in page.content.decode()


def test_the_login_page_and_the_header_offer_the_switch(client, manager_client):
    assert 'id="language-switch-login"' in client.get(reverse("login")).content.decode()
    assert 'id="language-switch-header"' in manager_client.get(reverse("indicators:dashboard")).content.decode()


def test_a_signed_in_users_choice_is_saved_and_follows_them_to_a_new_session(manager_client, manager_user, client):
    response = manager_client.post(reverse("set-language"), {"language": "sv"})
    assert response.status_code == 302
    manager_user.refresh_from_db()
    assert manager_user.language == "sv"
    # Another browser, no cookie: the saved language wins over the browser's Accept-Language.
    client.force_login(manager_user)
    page = client.get(reverse("alliance:mou-list"), HTTP_ACCEPT_LANGUAGE="fr")
    assert html_lang(page) == "sv"
    assert "Väntar på granskning" in page.content.decode()


def test_an_unknown_language_changes_nothing(manager_client, manager_user):
    manager_client.post(reverse("set-language"), {"language": "xx"})
    manager_user.refresh_from_db()
    assert manager_user.language == ""
    assert "django_language" not in manager_client.cookies


def test_the_switch_refuses_get_and_a_missing_csrf_token(manager_user):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(manager_user)
    assert strict.get(reverse("set-language")).status_code == 405
    assert strict.post(reverse("set-language"), {"language": "eu"}).status_code == 403
    manager_user.refresh_from_db()
    assert manager_user.language == ""


def test_the_browser_language_is_used_when_nothing_is_chosen(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fi,en;q=0.5")
    assert html_lang(page) == "fi" and "Kirjaudu sisään" in page.content.decode()


@pytest.mark.parametrize("language, word", [
    ("eu", "Kontraparteko erakundea"), ("fr", "Organisation partenaire signataire"), ("it", "Organizzazione controparte"),
])
def test_mou_pages_speak_the_partners_language(partner_client, partner_user, language, word):
    partner_user.language = language
    partner_user.save()
    page = partner_client.get(reverse("alliance:mou-create")).content.decode()
    assert word in page and "Counterpart organisation" not in page


# --- Dates and numbers per locale --------------------------------------------------------------

def test_dates_follow_the_language_and_times_show_their_zone(manager_client, manager_user, organisation):
    mou = MoUFactory(partner_organisation=organisation, signed_on="2024-03-01")
    manager_user.language = "es"
    manager_user.save()
    html = manager_client.get(reverse("alliance:mou-detail", args=[mou.pk])).content.decode()
    assert "1 de marzo de 2024" in html
    assert re.search(r"\d{2}:\d{2} CES?T", html), "the submission time shows its zone"


# --- E-mails in the recipient's language -------------------------------------------------------

def test_the_mou_decision_reaches_the_partner_in_their_language(partner_user, manager_user, organisation,
                                                                django_capture_on_commit_callbacks):
    partner_user.language = "eu"
    partner_user.save()
    manager_user.language = "sv"  # the reviewer's language does not matter
    manager_user.save()
    mou = MoUFactory(partner_organisation=organisation, submitted_by=partner_user, title="Robotika")
    with django_capture_on_commit_callbacks(execute=True):
        services.mou_review(mou=mou, reviewer=manager_user, decision="reject", note="Sinadura falta da.")
    [message] = [m for m in mail.outbox if partner_user.email in m.to]
    assert message.subject == "Zure memoranduma baztertu da: Robotika"
    assert "Berrikusleak emandako arrazoia:" in message.body and "Sinadura falta da." in message.body
    assert "reason given" not in message.body


def test_each_manager_reads_the_review_request_in_their_own_language(partner_user, manager_user, organisation,
                                                                     django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Group

    from accounts import roles
    from alliance.tasks import notify_managers_of_submission
    from tests.factories import UserFactory

    manager_user.language = "fr"
    manager_user.save()
    other = UserFactory(username="m2", email="m2@example.org", language="fi")
    other.groups.add(Group.objects.get_or_create(name=roles.MANAGER)[0])

    mou = MoUFactory(partner_organisation=organisation, submitted_by=partner_user, title="Cobots")
    mail.outbox.clear()
    notify_managers_of_submission(mou.pk)
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[manager_user.email] == "Protocole d'accord à examiner : Cobots"
    assert subjects["m2@example.org"] == "Tarkastettava pöytäkirja: Cobots"


def test_an_invitation_is_written_in_the_language_the_inviter_chose(manager_user, organisation,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = user_invite(invited_by=manager_user, first_name="Aino", last_name="Virtanen",
                           email="aino@example.fi", organisation=organisation, language="fi")
    assert user.language == "fi"
    [message] = mail.outbox
    assert message.subject == "Kutsusi LCAMP Trackeriin"
    assert "Valitse salasanasi tästä linkistä:" in message.body and "7 päivää" in message.body


def test_the_invitation_form_offers_the_language_and_refuses_an_unknown_one(manager_client, organisation):
    data = {"first_name": "A", "last_name": "B", "email": "ab@example.org", "organisation": organisation.pk,
            "language": "xx"}
    response = manager_client.post(reverse("invite"), data)
    assert response.status_code == 400 and "language" in response.context["form"].errors
    assert not mail.outbox


def test_send_in_language_leaves_the_active_language_alone(partner_user):
    from accounts.emails import send_in_language

    partner_user.language = "it"
    partner_user.save()
    with translation.override("sv"):
        send_in_language(partner_user, subject=lambda: translation.gettext("Your invitation to LCAMP Tracker"),
                         template="alliance/mous/email_submitted.txt",
                         context={"mou": MoUFactory(), "link": "http://x/", "duplicates": False})
        assert translation.get_language() == "sv"
    assert mail.outbox[0].subject == "Il tuo invito a LCAMP Tracker"
    assert "Un partner ha inviato un memorandum da esaminare." in mail.outbox[0].body


# --- The API answers in the Accept-Language language --------------------------------------------

@pytest.mark.parametrize("language, required", [
    ("es", "Este campo es obligatorio."), ("eu", "Eremu hau derrigorrezkoa da."),
    ("fr", "Ce champ est obligatoire."), ("sv", "Detta fält måste fyllas i."), ("en", "This field is required."),
])
def test_the_api_answers_validation_errors_in_the_accept_language_language(manager_client, language, required):
    response = manager_client.post(reverse("api:mou-list"), {"title": ""}, content_type="application/json",
                                   HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert response["Content-Language"] == language
    assert required in response.json()["scope"]
    assert not MoU.objects.exists()


def test_the_api_model_rules_answer_in_the_requested_language(partner_client, organisation):
    # A date in the plausible range (up to a year ahead) but in the future: the model's own rule answers.
    signed_on = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    data = {"title": "X", "counterpart": OrganisationFactory().pk, "scope": "S", "signed_on": signed_on,
            "signatories": "A"}
    response = partner_client.post(reverse("api:mou-list"), data, content_type="application/json",
                                   HTTP_ACCEPT_LANGUAGE="it")
    assert response.status_code == 400
    assert response.json()["signed_on"] == ["La data di firma non può essere nel futuro."]


def test_the_api_keeps_the_clients_language_over_the_users_saved_one(manager_client, manager_user):
    manager_user.language = "fi"
    manager_user.save()
    response = send(manager_client, "get", "/api/v1/nothing-here/")
    assert response.status_code == 404
    response = manager_client.get("/api/v1/nothing-here/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.json() == {"detail": "No encontrado."}


# --- Content in several languages ---------------------------------------------------------------

def test_seed_loads_the_eight_titles_and_descriptions_in_seven_languages_and_is_idempotent():
    call_command("seed_lcamp", verbosity=0)
    indicators = Indicator.objects.order_by("order")
    assert indicators.count() == 8
    for indicator in indicators:
        for language in LANGUAGES:
            assert getattr(indicator, f"title_{language}"), (indicator.code, language)
            assert getattr(indicator, f"description_{language}"), (indicator.code, language)
        assert indicator.title_sv == INDICATOR_TITLES[indicator.code]["sv"]
        assert indicator.description_eu == INDICATOR_DESCRIPTIONS[indicator.code]["eu"]
        assert indicator.unit_sv not in ("", "count", indicator.unit_en), indicator.code  # not the English default
    before = [(i.pk, i.title_eu, i.unit_fi) for i in indicators]
    call_command("seed_lcamp", verbosity=0)
    assert [(i.pk, i.title_eu, i.unit_fi) for i in Indicator.objects.order_by("order")] == before
    with translation.override("eu"):
        assert Indicator.objects.get(code="mous").title == INDICATOR_TITLES["mous"]["eu"]
        assert Pillar.objects.get(code="alliance").name.startswith("LCAMP Aliantza")


def test_seed_never_overwrites_an_administrators_wording():
    call_command("seed_lcamp", verbosity=0)
    Indicator.objects.filter(code="mous").update(title_fr="Accords signés")
    call_command("seed_lcamp", verbosity=0)
    assert Indicator.objects.get(code="mous").title_fr == "Accords signés"


def test_english_is_the_fallback_of_an_untranslated_text():
    credential = MicroCredentialFactory(title="Cobot programming")
    with translation.override("sv"):
        assert MicroCredential.objects.get(pk=credential.pk).title == "Cobot programming"
    MicroCredential.objects.filter(pk=credential.pk).update(title_sv="Programmering av kobotar")
    with translation.override("sv"):
        assert MicroCredential.objects.get(pk=credential.pk).title == "Programmering av kobotar"
    assert MicroCredential.objects.get(pk=credential.pk).title == "Cobot programming"


def test_language_map_gives_the_languages_a_text_is_written_in():
    credential = MicroCredentialFactory(title="Cobot programming", learning_outcomes="Program a cobot.")
    MicroCredential.objects.filter(pk=credential.pk).update(title_eu="Kobot programazioa", title_es="  ",
                                                           learning_outcomes_fr="Programmer un cobot.")
    credential.refresh_from_db()
    assert credential.language_map("title") == {"en": "Cobot programming", "eu": "Kobot programazioa"}
    assert credential.language_map("learning_outcomes") == {"en": "Program a cobot.", "fr": "Programmer un cobot."}


def test_a_manager_working_in_spanish_edits_the_english_text_and_adds_the_spanish_one(manager_client, manager_user,
                                                                                     organisation):
    manager_user.language = "es"
    manager_user.save()
    form_page = manager_client.get(reverse("training:micro-credential-create")).content.decode()
    assert "Título en Español" in form_page and "Opcional." in form_page
    response = manager_client.post(reverse("training:micro-credential-create"), credential_data(
        organisation, title="Cobot programming", title_es="Programación de cobots",
        learning_outcomes_es="Programar un cobot."))
    assert response.status_code == 302
    credential = MicroCredential.objects.get()
    assert (credential.title_en, credential.title_es) == ("Cobot programming", "Programación de cobots")
    assert credential.learning_outcomes_es == "Programar un cobot."
    edit = manager_client.get(reverse("training:micro-credential-edit", args=[credential.pk]))
    assert edit.context["form"]["title"].value() == "Cobot programming"


def test_a_too_long_translation_is_refused_and_nothing_is_written(manager_client, organisation):
    response = manager_client.post(reverse("training:micro-credential-create"),
                                   credential_data(organisation, title_fi="x" * 300))
    assert response.status_code == 200 and "title_fi" in response.context["form"].errors
    assert not MicroCredential.objects.exists()
