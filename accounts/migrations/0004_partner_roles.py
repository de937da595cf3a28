"""The roles of the partners keeping their own records (issue 21): "manager" becomes
"coordinator", "partner" becomes "partner_editor", and "partner_viewer" is new. Every user keeps
at least the access they had: a manager's rights are a coordinator's; a partner could submit
MoUs, which a partner editor still does (and now also keeps its organisation's records)."""

from django.db import migrations

RENAMED = (("manager", "coordinator"), ("partner", "partner_editor"))


def rename(apps, schema_editor, pairs):
    Group = apps.get_model("auth", "Group")
    for old, new in pairs:
        old_group = Group.objects.filter(name=old).first()
        if old_group is None:
            Group.objects.get_or_create(name=new)
            continue
        new_group = Group.objects.filter(name=new).first()
        if new_group is None:
            old_group.name = new
            old_group.save(update_fields=["name"])
        else:  # both exist (made by hand): the new one takes the old one's users and rights
            new_group.user_set.add(*old_group.user_set.all())
            new_group.permissions.add(*old_group.permissions.all())
            old_group.delete()


def forwards(apps, schema_editor):
    rename(apps, schema_editor, RENAMED)
    apps.get_model("auth", "Group").objects.get_or_create(name="partner_viewer")


def backwards(apps, schema_editor):
    rename(apps, schema_editor, [(new, old) for old, new in RENAMED])
    Group = apps.get_model("auth", "Group")
    viewers = Group.objects.filter(name="partner_viewer").first()
    if viewers is not None:  # a viewer had no role before: back to "partner", the nearest (MoUs)
        Group.objects.get(name="partner").user_set.add(*viewers.user_set.all())
        viewers.delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_roles")]

    operations = [migrations.RunPython(forwards, backwards)]
