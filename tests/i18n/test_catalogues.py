"""The translators' path: every catalogue complete, no user-facing text outside translation tags."""

import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]


def catalogue(language, domain="django"):
    return ROOT / "locale" / language / "LC_MESSAGES" / f"{domain}.po"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_is_complete(language):
    po = polib.pofile(str(catalogue(language)))
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == [], f"{language}: untranslated {untranslated[:5]}, fuzzy {fuzzy[:5]}"
    assert len(po.translated_entries()) > 300


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_scripts_catalogue_is_complete(language):
    """The strings of static/*/*.js (Django's JavaScript catalogue, the djangojs domain)."""
    po = polib.pofile(str(catalogue(language, "djangojs")))
    assert [e.msgid for e in po.untranslated_entries()] == [] and [e.msgid for e in po.fuzzy_entries()] == []
    assert {"No match", "Type to filter the list…"} <= {entry.msgid for entry in po}


def test_every_catalogue_has_the_same_messages():
    messages = {language: {(e.msgctxt, e.msgid) for e in polib.pofile(str(catalogue(language)))}
                for language in LANGUAGES}
    spanish = messages["es"]
    for language, ids in messages.items():
        assert ids == spanish, f"{language} differs from es: {sorted(ids ^ spanish)[:5]}"


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="gettext's msgfmt is not installed")
@pytest.mark.parametrize("language", LANGUAGES)
def test_msgfmt_accepts_every_catalogue_with_its_format_checks(language):
    # --check: every %(name)s of the English text is in the translation, plural forms are sound.
    for domain in ("django", "djangojs"):
        result = subprocess.run(["msgfmt", "--check", "--statistics", "-o", "/dev/null",
                                 str(catalogue(language, domain))], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr


# --- The template scan --------------------------------------------------------------------------

TEMPLATES = sorted(p for p in (ROOT / "templates").rglob("*") if p.suffix in {".html", ".txt"})
# Words that are the same in every language: the product's name, codes, symbols.
ALLOWED = {
    "LCAMP", "Tracker", "LCAMP Tracker", "Learner Centric Advanced Manufacturing Platform", "CSV", "XLSX",
    "Excel", "PDF", "API", "EQF", "ESCO", "NACE", "ISCO", "NUTS", "MoU", "MoUs", "Erasmus+", "--", "LCAMP —",
}
TAG_BLOCKS = [
    re.compile(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", re.S),
    re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S),
    re.compile(r"<script\b.*?</script>", re.S),
    re.compile(r"<style\b.*?</style>", re.S),
    re.compile(r"{#.*?#}"),  # one line only, as in Django: a two-line {# #} is shown as text
    re.compile(r"{%.*?%}", re.S),
    re.compile(r"{{.*?}}", re.S),
]
TEXT_ATTRIBUTES = re.compile(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"')


def untranslated_text(source):
    """The visible words of a template left outside translation tags (an empty list when none)."""
    attributes = [value for value in TEXT_ATTRIBUTES.findall(source)]
    for pattern in TAG_BLOCKS:
        source = pattern.sub(" ", source)
        attributes = [pattern.sub(" ", value) for value in attributes]
    text = re.sub(r"<[^>]*>", "\n", source)
    found = []
    for chunk in [*text.splitlines(), *attributes]:
        chunk = chunk.replace("&nbsp;", " ").replace("&amp;", " ").strip(" \t·,.:;()*—–-→←↑↓›|/")
        for allowed in sorted(ALLOWED, key=len, reverse=True):
            chunk = chunk.replace(allowed, "")
        if re.search(r"[A-Za-z]{2,}", chunk):
            found.append(chunk.strip())
    return found


def test_the_scan_catches_text_outside_translation_tags():
    assert untranslated_text('<p>Hello</p><a aria-label="Main menu">x</a>') == ["Hello", "Main menu"]
    assert untranslated_text('<p>{% translate "Hello" %} {{ name }}</p>') == []
    assert untranslated_text("{% blocktranslate %}Dear {{ n }}{% endblocktranslate %}") == []


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_no_template_shows_text_outside_translation_tags(template):
    assert untranslated_text(template.read_text()) == []
