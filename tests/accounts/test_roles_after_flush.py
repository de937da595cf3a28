"""The role groups are data the code relies on: a flush (a transactional test's teardown, or
``manage.py flush``) must not leave a database without them."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts import roles


@pytest.mark.django_db(transaction=True)
def test_the_roles_exist_again_after_a_flush():
    Group.objects.all().delete()
    call_command("flush", interactive=False, verbosity=0)
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(roles.ROLES)
