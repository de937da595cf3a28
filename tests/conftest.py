"""A user per role, the way Healthchecks gives alice, bob and charlie.

- ``admin_user``: superuser; ``staff_user``: EARLALL staff (reads everything);
  ``manager_user``: project manager (edits registers, reviews);
  ``partner_user``: a partner organisation's user; ``other_partner_user``: a partner
  of another organisation; ``outsider_user``: logged in, no role.
"""

import pytest
from django.test import Client

from tests.factories import OrganisationFactory, UserFactory
from tests.hypothesis_profiles import load_profile

# Hypothesis' profile ("dev" quick, "ci" thorough; tests/hypothesis_profiles.py) before any test
# module builds its settings.
load_profile()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in English and leaves no language active: a request made with another
    language activates it for the whole thread (LocaleMiddleware), and the next test would
    inherit it."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (with REDIS_URL set it is a Redis database)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="TKNIKA", country="ES", is_consortium_partner=True)


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="AFIL", country="IT", is_consortium_partner=True)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def staff_user(db):
    return UserFactory(username="staff", role="staff")


@pytest.fixture
def manager_user(db, organisation):
    return UserFactory(username="manager", role="manager", organisation=organisation)


@pytest.fixture
def partner_user(db, organisation):
    return UserFactory(username="partner", role="partner", organisation=organisation)


@pytest.fixture
def other_partner_user(db, other_organisation):
    return UserFactory(username="otherpartner", role="partner", organisation=other_organisation)


@pytest.fixture
def outsider_user(db):
    return UserFactory(username="outsider")


def _client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(admin_user):
    return _client_for(admin_user)


@pytest.fixture
def staff_client(staff_user):
    return _client_for(staff_user)


@pytest.fixture
def manager_client(manager_user):
    return _client_for(manager_user)


@pytest.fixture
def partner_client(partner_user):
    return _client_for(partner_user)


@pytest.fixture
def other_partner_client(other_partner_user):
    return _client_for(other_partner_user)


@pytest.fixture
def outsider_client(outsider_user):
    return _client_for(outsider_user)


@pytest.fixture
def role_clients(admin_client, staff_client, manager_client, partner_client, other_partner_client, client):
    """Every role's client by name, ``anonymous`` included, for permission matrices."""
    return {
        "admin": admin_client,
        "staff": staff_client,
        "manager": manager_client,
        "partner": partner_client,
        "other_partner": other_partner_client,
        "anonymous": client,
    }
