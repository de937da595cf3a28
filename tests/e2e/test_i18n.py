"""The interface in the consortium's languages, in a real browser: a partner in Basque, a manager in
Swedish, and axe's language rules on every page in every language."""

import re
from pathlib import Path

import polib
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

from tests.alliance.pdf_samples import make_pdf

pytestmark = pytest.mark.e2e
LANGUAGES = [code for code, _name in settings.LANGUAGES]
# Proper names, codes and words shared by English and the language, allowed on any page.
PROPER_NAMES = {
    "lcamp", "tracker", "learner", "centric", "advanced", "manufacturing", "platform", "erasmus", "mou", "mous",
    "pdf", "csv", "xlsx", "eqf", "api", "nace", "esco", "earlall", "tknika", "ideko", "demo", "admin",
    "manager", "partner", "staff", "english", "svenska", "euskara", "español", "français", "italiano", "suomi",
}


@pytest.fixture
def role_groups(transactional_db):
    from django.contrib.auth.models import Group

    from accounts import roles

    for name in roles.ROLES:
        Group.objects.get_or_create(name=name)


def english_only_words(language):
    """Words of the English interface that the language's catalogue never uses: seeing one on a
    page in that language means an untranslated string."""
    po = polib.pofile(str(Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"))
    english, translated = set(), set()
    for entry in po:
        for text in (entry.msgid, entry.msgid_plural or ""):
            english |= set(re.findall(r"[A-Za-z]{3,}", re.sub(r"%\(\w+\)s|<[^>]+>", " ", text).lower()))
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            translated |= set(re.findall(r"\w{3,}", text.lower()))
    return english - translated - PROPER_NAMES


# The page's text without what people typed: the pickers' organisation names, an indicator's
# description (English until somebody translates it: the fallback), the records and the parts
# of a breakdown (organisation and region names), the MoU tables' titles and organisations, and
# codes (an indicator's code).
VISIBLE_TEXT = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll("select, script, code, .lead, .records, .breakdown tbody, #review-queue td:nth-child(-n+3), #mou-table td:nth-child(-n+3)").forEach((node) => node.remove());
  return body.textContent;
}"""


def english_words_on(page, language, typed=()):
    text = page.evaluate(VISIBLE_TEXT)
    for value in typed:
        text = text.replace(value, " ")
    words = set(re.findall(r"[A-Za-z]{3,}", text.lower()))
    return sorted(words & english_only_words(language))


def switch_language(page, language):
    page.select_option("#language-switch-header", language)
    page.locator("form.language-switch button").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == language


def lang_violations(page):
    results = Axe().run(page, options={"runOnly": {"type": "rule", "values": ["html-has-lang", "valid-lang",
                                                                               "html-lang-valid"]}})
    return [v["id"] for v in results.response["violations"]]


def test_a_partner_in_basque_submits_an_mou_and_reads_everything_in_basque(role_groups, demo_site, page, login):
    from alliance.models import MoU

    login(page, "partner")
    switch_language(page, "eu")
    page.goto("/mous/new/")
    assert page.locator("h1").inner_text() == "Bidali memorandum bat"
    assert page.locator("label[for=id_counterpart]").inner_text().startswith("Kontraparteko erakundea")
    assert "Sinatutako MoU-a" in page.content() or "PDF fitxategi gisa" in page.content()
    assert not english_words_on(page, "eu"), english_words_on(page, "eu")

    # A mistake: no title, a signing date in the future, no PDF.
    # The counterpart is a search-as-you-type picker: type, then pick from the matches.
    page.locator("#id_counterpart").press_sequentially("Ideko", delay=50)
    page.locator(".picker-results li[role=option]", has_text="Ideko").first.click()
    page.fill("#id_scope", "CNC mekanizazio ikastaro bateratuak.")
    page.fill("#id_signed_on", "2999-01-01")
    page.fill("#id_signatories", "Ane Uranga, zuzendaria")
    page.click("#mou-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    errors = page.locator("#mou-form").inner_text()
    assert "Zuzendu beheko akatsak eta erantsi berriro PDFa." in errors
    assert "Eremu hau derrigorrezkoa da." in errors
    assert "Sinatze-data ezin da etorkizunean egon." in errors
    typed = ["CNC mekanizazio ikastaro bateratuak.", "Ane Uranga, zuzendaria"]
    assert not english_words_on(page, "eu", typed), english_words_on(page, "eu", typed)
    assert not MoU.objects.filter(scope__startswith="CNC mekanizazio").exists()

    page.fill("#id_title", "Ideko mekanizazio memoranduma")
    page.fill("#id_signed_on", "2024-06-01")
    page.set_input_files("#id_document", files=[{"name": "sinatua.pdf", "mimeType": "application/pdf",
                                                 "buffer": make_pdf()}])
    page.click("#mou-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/mous/\d+/$"))
    assert "Zure memoranduma bidali da." in page.locator(".messages").inner_text()
    assert page.locator(".mou-status").first.inner_text() == "Bidalia"
    typed += ["Ideko mekanizazio memoranduma", "sinatua.pdf", "Ideko"]
    assert not english_words_on(page, "eu", typed), english_words_on(page, "eu", typed)
    assert lang_violations(page) == []


def test_a_manager_in_swedish_sees_dashboard_indicator_and_review_queue_in_swedish(role_groups, demo_site, page,
                                                                                    login):
    login(page, "manager")
    switch_language(page, "sv")
    page.goto("/")
    assert page.locator("h1").inner_text() == "Översikt över framstegen"
    assert "Samförståndsavtal med externa organisationer" in page.locator("main").inner_text()
    assert not english_words_on(page, "sv"), english_words_on(page, "sv")

    page.goto("/indicators/alliance-members/")
    page.wait_for_selector("#history-chart .legendtext")
    legend = page.locator("#history-chart .legendtext").all_text_contents()
    assert set(legend) >= {"Förväntat", "Mål", "Faktiskt"}, legend
    assert page.locator("#history-chart .xtitle").text_content() == "Datum"
    assert page.locator("#history-chart .ytitle").text_content() == "organisationer"
    assert not english_words_on(page, "sv"), english_words_on(page, "sv")
    # The JavaScript catalogue is loaded, and Plotly's Swedish locale is served and chosen: its toolbar is Swedish.
    assert page.evaluate("() => typeof window.gettext") == "function"
    png = page.locator("#history-chart .modebar-btn").first.get_attribute("data-title")
    assert png and "PNG" in png and "Download" not in png, png

    page.goto("/mous/")
    assert page.locator("#queue").inner_text().startswith("Väntar på granskning")
    assert not english_words_on(page, "sv"), english_words_on(page, "sv")


PAGES = ["/accounts/login/", "/public/", "/", "/indicators/mous/", "/mous/", "/mous/new/", "/registers/",
         "/accounts/profile/", "/no-such-page/"]


def test_every_page_declares_a_valid_language_in_every_language(role_groups, demo_site, page, login, live_url):
    for language in LANGUAGES:
        page.context.clear_cookies()
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_url}])
        page.goto("/accounts/login/")
        assert page.locator("html").get_attribute("lang") == language
        assert lang_violations(page) == [], (language, "/accounts/login/")
        login(page, "manager")
        for path in PAGES:
            page.goto(path)
            assert page.locator("html").get_attribute("lang") == language, (language, path)
            assert lang_violations(page) == [], (language, path)
