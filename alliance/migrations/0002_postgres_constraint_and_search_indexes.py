"""What the models cannot declare, on PostgreSQL only.

The database itself refuses two overlapping memberships of one organisation (an exclusion
constraint over the membership's date range), so that even two concurrent saves cannot
both pass the check in clean(); SQLite has no such constraint, and there the service's row
lock on the organisation does the job. And the trigram indexes behind the searches of the
members, projects and MoU lists.
"""

from django.contrib.postgres.operations import BtreeGistExtension, TrigramExtension
from django.db import migrations

from registers.search import trigram_indexes

CREATE = """
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

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(forwards, backwards, elidable=False),
        TrigramExtension(),
        trigram_indexes("alliance_alliancemember", ["note"]),
        trigram_indexes("alliance_cooperationproject", ["title", "description"]),
        trigram_indexes("alliance_mou", ["title", "scope", "areas"]),
    ]
