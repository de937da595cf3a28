"""A user's role names are cached (no query per page) and never stale after a change."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts import roles
from accounts.models import User


def fresh(user):
    """The user as the next request loads it (a new object, nothing cached on it)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def manager_group(db):
    return Group.objects.get_or_create(name=roles.MANAGER)[0]


def test_the_second_request_reads_the_roles_without_a_query(staff_user, django_assert_num_queries):
    roles.cache.clear()  # the user was just made: let the moment after a change pass
    assert roles.role_names(fresh(staff_user)) == {roles.STAFF}
    user = fresh(staff_user)
    with django_assert_num_queries(0):
        assert roles.role_names(user) == {roles.STAFF}


def test_a_role_added_to_the_user_shows_at_once(staff_user, manager_group):
    assert not roles.is_manager(fresh(staff_user))
    staff_user.groups.add(manager_group)
    assert roles.is_manager(fresh(staff_user))


def test_a_role_removed_from_the_user_shows_at_once(manager_user, manager_group):
    assert roles.is_manager(fresh(manager_user))
    manager_user.groups.remove(manager_group)
    assert not roles.is_manager(fresh(manager_user))


def test_clearing_the_users_groups_shows_at_once(manager_user):
    assert roles.is_manager(fresh(manager_user))
    manager_user.groups.clear()
    assert roles.role_names(fresh(manager_user)) == frozenset()


def test_changes_from_the_groups_side_show_at_once(staff_user, manager_user, manager_group):
    assert roles.role_names(fresh(staff_user)) == {roles.STAFF}
    assert roles.is_manager(fresh(manager_user))
    manager_group.user_set.add(staff_user)
    assert roles.is_manager(fresh(staff_user))
    manager_group.user_set.remove(staff_user)
    assert not roles.is_manager(fresh(staff_user))
    manager_group.user_set.clear()
    assert not roles.is_manager(fresh(manager_user))


def test_a_deleted_or_renamed_role_group_shows_at_once(manager_user, partner_user, manager_group):
    assert roles.is_manager(fresh(manager_user))
    manager_group.delete()
    assert not roles.is_manager(fresh(manager_user))
    assert roles.is_partner(fresh(partner_user))
    partner = Group.objects.get(name=roles.PARTNER)
    partner.name = "former partners"
    partner.save()
    assert roles.role_names(fresh(partner_user)) == frozenset()


def test_the_roles_a_request_read_before_a_change_are_not_cached_after_it(staff_user, manager_group):
    stale = fresh(staff_user)
    stale_roles = frozenset(stale.groups.values_list("name", flat=True))  # read before the change ...
    staff_user.groups.add(manager_group)
    roles.cache.add(roles._cache_key(staff_user.pk), sorted(stale_roles), 60)  # ... stored after it
    assert roles.is_manager(fresh(staff_user))


def test_a_demoted_manager_loses_the_manager_pages_on_the_next_request(manager_user, manager_group):
    client = Client()
    client.force_login(manager_user)
    assert client.get("/").context["can_edit_registers"] is True
    manager_user.groups.remove(manager_group)
    manager_user.groups.add(Group.objects.get_or_create(name=roles.STAFF)[0])
    assert client.get("/").context["can_edit_registers"] is False


def test_with_the_cache_down_roles_are_read_from_the_database(manager_user, manager_group, monkeypatch):
    def down(*args, **kwargs):
        return None

    monkeypatch.setattr(roles.cache, "get", down)
    monkeypatch.setattr(roles.cache, "add", lambda *a, **k: True)
    monkeypatch.setattr(roles.cache, "set_many", lambda *a, **k: [])
    assert roles.is_manager(fresh(manager_user))
    manager_user.groups.remove(manager_group)
    assert not roles.is_manager(fresh(manager_user))


def test_without_a_shared_cache_roles_are_read_from_the_database(staff_user, settings, django_assert_num_queries):
    settings.CACHE_IS_SHARED = False  # several processes, each with its own cache: none would hear of a change
    roles.cache.clear()
    roles.role_names(fresh(staff_user))
    user = fresh(staff_user)
    with django_assert_num_queries(1):
        assert roles.role_names(user) == {roles.STAFF}
