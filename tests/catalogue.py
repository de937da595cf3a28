"""Catalogue entries for a test: stand-ins for translations not written yet, so that a test shows that
a text is read from the catalogue of the reader's language (and not built in English)."""

from django.utils.translation import trans_real


def add_translations(monkeypatch, language, entries):
    """``entries`` ({msgid: msgstr}) in the loaded catalogue of ``language`` until the test ends."""
    messages = trans_real.translation(language)._catalog._catalogs[0]
    for msgid, msgstr in entries.items():
        monkeypatch.setitem(messages, msgid, msgstr)
