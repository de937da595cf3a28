"""Signal handlers of the core app: forget a user's cached role names when they change; the role
groups exist after every migrate and every flush."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete
from django.dispatch import receiver

from . import roles
from .models import User


def _forget(user_ids):
    """Now, so that the changing request itself reads the new roles, and again on commit,
    so that a request that read the groups before the commit cannot keep them."""
    user_ids = list(user_ids or ())
    if not user_ids:
        return
    roles.role_names_forget(user_ids)
    transaction.on_commit(lambda: roles.role_names_forget(user_ids))


@receiver(m2m_changed, sender=User.groups.through)
def user_groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:  # user.groups.add/remove/set/clear
        if action in ("post_add", "post_remove", "post_clear"):
            _forget([instance.pk])
    elif action in ("post_add", "post_remove"):  # group.user_set.add/remove/set
        _forget(pk_set)
    elif action == "pre_clear":  # group.user_set.clear: the members are gone after it
        _forget(instance.user_set.values_list("pk", flat=True))


@receiver(post_save, sender=User)
@receiver(post_delete, sender=User)
def user_changed(sender, instance, **kwargs):
    _forget([instance.pk])


@receiver(post_save, sender=Group)
@receiver(pre_delete, sender=Group)
def group_changed(sender, instance, created=False, **kwargs):
    """A renamed group may become or stop being a role; a deleted one takes its
    memberships with it without an m2m signal."""
    if not created:
        _forget(instance.user_set.values_list("pk", flat=True))


@receiver(post_migrate)
def roles_exist(sender, app_config=None, using="default", apps=None, **kwargs):
    """The roles are data the code relies on: made by a migration, and made again after a flush
    (which empties every table and then sends ``post_migrate``, as a transactional test's teardown
    does), so that no test order and no ``flush`` leaves a database without them."""
    if app_config is None or app_config.name != "accounts":
        return
    # ``migrate`` passes the migrated state's apps; ``flush`` passes none (the models as they are).
    group_model = apps.get_model("auth", "Group") if apps is not None else Group
    for name in roles.ROLES:
        group_model.objects.using(using).get_or_create(name=name)
