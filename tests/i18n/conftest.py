import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in English and leaves no language active: a request made with another
    language activates it for the whole thread (LocaleMiddleware), and the next test would
    inherit it."""
    translation.activate("en")
    yield
    translation.deactivate()
