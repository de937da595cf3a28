"""A message translated for the length of a test, without waiting for the translators."""

from contextlib import contextmanager

from django.utils.translation import trans_real


@contextmanager
def translated(language, entries):
    """``entries`` ({msgid or (context, msgid): text}) in ``language``'s catalogue for the block: the tests pin
    that a text goes through gettext without waiting for the translators."""
    catalogue = trans_real.translation(language)._catalog
    keys = {(f"{key[0]}\x04{key[1]}" if isinstance(key, tuple) else key): text for key, text in entries.items()}
    saved = {key: catalogue.get(key) for key in keys}
    for key, text in keys.items():
        catalogue[key] = text
    try:
        yield
    finally:
        for key, text in saved.items():
            if text is None:
                for part in catalogue._catalogs:
                    part.pop(key, None)
            else:
                catalogue[key] = text
