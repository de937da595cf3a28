"""The European Learning Model's vocabularies read in the reader's language on the pages (a language by
CLDR's name, a learning opportunity type, a supervision, an ISCED-F field through the catalogue), while
the ELM export keeps their English labels."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import translation

from registers import l10n
from tests.catalogue import add_translations
from tests.factories import MicroCredentialFactory
from tests.training.test_record_pages_read_as_text import facts
from training import vocabularies
from training.forms import MicroCredentialForm

pytestmark = pytest.mark.django_db

# Stand-ins for the translators' work (the labels are new to the catalogue): what a page shows must come
# from the catalogue of the reader's language.
TRANSLATED = {
    "es": {"Course": "Curso", "Mechanics and metal trades": "Mecánica y metalurgia",
           "Engineering, manufacturing and construction": "Ingeniería, industria y construcción",
           "Unsupervised with ID verification": "Sin supervisión, con verificación de identidad"},
    "fi": {"Course": "Kurssi", "Mechanics and metal trades": "Mekaniikka ja metallityö",
           "Unsupervised with ID verification": "Valvomaton, henkilöllisyys todennettu"},
}


@pytest.fixture
def catalogue(monkeypatch):
    """The ``TRANSLATED`` entries in the loaded catalogues of es and fi, for the test only."""
    for language, entries in TRANSLATED.items():
        add_translations(monkeypatch, language, entries)


@pytest.fixture
def credential(organisation):
    return MicroCredentialFactory(awarding_body=organisation, default_language="eu", languages=["eu", "fi"],
                                  isced_f="0715", learning_opportunity_type="course",
                                  identity_verification="unsupervised-with-id")


def _options(page, field):
    select = re.search(rf'<select[^>]*name="{field}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


@pytest.mark.parametrize(("language", "basque", "finnish"), [("es", "Euskera", "Finés"), ("fi", "Baski", "Suomi")])
def test_the_detail_names_the_vocabularies_in_the_readers_language(manager_client, credential, catalogue,
                                                                     language, basque, finnish):
    manager_client.cookies["django_language"] = language
    page = manager_client.get(reverse("training:micro-credential-detail", args=[credential.pk])).content.decode()
    values = list(facts(page).values())
    assert f"{basque}, {finnish}" in values            # languages of instruction, by CLDR
    assert basque in values                            # the default language
    assert f"0715 {TRANSLATED[language]['Mechanics and metal trades']}" in values
    assert TRANSLATED[language]["Course"] in values
    assert TRANSLATED[language]["Unsupervised with ID verification"] in values
    for english in ("Basque", "Finnish", "Mechanics and metal trades", ">Course<", "Unsupervised with ID"):
        assert english not in page


@pytest.mark.parametrize("language", ["es", "fi"])
def test_the_form_lists_the_vocabularies_in_the_readers_language(manager_client, credential, catalogue, language):
    manager_client.cookies["django_language"] = language
    page = manager_client.get(reverse("training:micro-credential-edit", args=[credential.pk])).content.decode()
    with translation.override(language):
        expected = vocabularies.language_choices()
    for field in ("languages", "default_language"):
        options = _options(page, field)
        assert options == [(code, name) for code, name in expected]
        names = [name for _code, name in options]
        assert names == sorted(names, key=l10n.sort_key)   # sorted by the translated name
    assert ("course", TRANSLATED[language]["Course"]) in _options(page, "learning_opportunity_type")
    assert ("unsupervised-with-id", TRANSLATED[language]["Unsupervised with ID verification"]) in _options(
        page, "identity_verification")
    # The ISCED-F code is typed; the fields are suggested by their names in the reader's language.
    assert re.search(r'<input[^>]*name="isced_f"[^>]*list="id_isced_f-suggestions"', page)
    assert f'<option value="0715">{TRANSLATED[language]["Mechanics and metal trades"]}</option>' in page
    assert "Mechanics and metal trades" not in page and ">Course<" not in page and ">Basque<" not in page


def test_spanish_names_the_languages_as_cldr_does(manager_client, credential):
    manager_client.cookies["django_language"] = "es"
    page = manager_client.get(reverse("training:micro-credential-edit", args=[credential.pk])).content.decode()
    names = dict(_options(page, "languages"))
    assert (names["eu"], names["fi"], names["en"]) == ("Euskera", "Finés", "Inglés")
    # Sorted by the Spanish name: Esloveno, Español, Estonio (not by the code or the English name).
    order = [code for code, _name in _options(page, "languages")]
    assert order.index("sl") < order.index("es") < order.index("et")


def test_a_form_built_once_follows_the_language_it_is_drawn_in():
    """The choices are callables: a form class (built at import, in English) lists each page's language."""
    form = MicroCredentialForm()
    with translation.override("es"):
        spanish = dict(form.fields["languages"].choices)
        spanish_default = dict(form.fields["default_language"].choices)
    with translation.override("fi"):
        finnish = dict(form.fields["languages"].choices)
    assert (spanish["eu"], spanish_default["fi"], finnish["eu"]) == ("Euskera", "Finés", "Baski")


def test_the_labels_are_english_in_english(manager_client, credential):
    page = manager_client.get(reverse("training:micro-credential-detail", args=[credential.pk])).content.decode()
    values = list(facts(page).values())
    assert {"Basque, Finnish", "Basque", "0715 Mechanics and metal trades", "Course",
            "Unsupervised with ID verification"} <= set(values)


@pytest.mark.parametrize("language", ["es", "fi"])
def test_the_elm_export_keeps_the_english_labels(manager_client, credential, catalogue, language):
    manager_client.cookies["django_language"] = language
    response = manager_client.get(reverse("api:micro-credential-elm", args=[credential.pk]))
    labels = {node["id"]: node["prefLabel"] for node in _concepts(json.loads(response.content))
              if "prefLabel" in node}
    assert labels["http://publications.europa.eu/resource/authority/language/EUS"] == {"en": "Basque"}
    assert labels["http://publications.europa.eu/resource/authority/language/FIN"] == {"en": "Finnish"}
    assert labels["http://data.europa.eu/snb/learning-opportunity/05053c1cbe"] == {"en": "Course"}
    assert labels["http://data.europa.eu/snb/supervision-verification/df2880c5cb"] == {
        "en": "Unsupervised with ID verification"}


def _concepts(node):
    if isinstance(node, dict):
        if node.get("type") == "Concept":
            yield node
        for value in node.values():
            yield from _concepts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _concepts(value)


def test_an_isced_f_code_not_listed_reads_as_its_nearest_field_in_the_readers_language(catalogue):
    with translation.override("es"):
        assert vocabularies.isced_f_label("0715") == "0715 Mecánica y metalurgia"
        assert vocabularies.isced_f_label("0799") == "0799 Ingeniería, industria y construcción"
        assert dict(vocabularies.isced_f_choices())["0715"] == "Mecánica y metalurgia"
    assert vocabularies.isced_f_label("1234") == "1234"
    assert vocabularies.isced_f_label("") == ""
