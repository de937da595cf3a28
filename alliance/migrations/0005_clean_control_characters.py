"""Text stored before control characters were refused (a vertical tab pasted from Word) is cleaned:
a vertical tab or form feed becomes a line break, the others are dropped (registers.validators)."""

from django.db import migrations

from registers.validators import clean_stored_text


def clean(apps, schema_editor):
    for label in ("alliance",):
        clean_stored_text(apps, label)


class Migration(migrations.Migration):
    dependencies = [("alliance", "0004_sqlite_no_overlapping_memberships")]
    operations = [migrations.RunPython(clean, migrations.RunPython.noop)]
