"""On PostgreSQL the database itself refuses two overlapping memberships of one
organisation (an exclusion constraint over the membership's date range), so that
even two concurrent saves cannot both pass the check in clean(). SQLite has no
such constraint; there the service's row lock on the organisation does the job.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE alliance_alliancemember ADD CONSTRAINT member_no_overlapping_periods
    EXCLUDE USING gist (organisation_id WITH =, daterange(joined_on, left_on, '[)') WITH &&);
"""
DROP = "ALTER TABLE alliance_alliancemember DROP CONSTRAINT IF EXISTS member_no_overlapping_periods;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("alliance", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
