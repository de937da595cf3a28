"""One membership per organisation on any date, refused by the database on SQLite too.

PostgreSQL has had the exclusion constraint ``member_no_overlapping_periods`` since 0002;
SQLite gets the same rule as two triggers (insert and update), so that the alliance
members' measure counts memberships as organisations on every database (its interval
rule) and a row written around the form is refused there as well (an IntegrityError).
Two periods overlap as ``daterange(joined_on, left_on, '[)')`` ranges do: an empty one
(left on the day it joined) overlaps nothing.
"""

from django.db import migrations

OVERLAP = """
SELECT 1 FROM alliance_alliancemember other
 WHERE other.organisation_id = NEW.organisation_id AND other.id <> NEW.id
   AND (NEW.left_on IS NULL OR NEW.left_on > NEW.joined_on)
   AND (other.left_on IS NULL OR other.left_on > other.joined_on)
   AND (other.left_on IS NULL OR other.left_on > NEW.joined_on)
   AND (NEW.left_on IS NULL OR other.joined_on < NEW.left_on)
"""
TRIGGER = """
CREATE TRIGGER member_no_overlapping_periods_{event}
BEFORE {event} ON alliance_alliancemember
WHEN EXISTS ({overlap})
BEGIN
    SELECT RAISE(ABORT, 'member_no_overlapping_periods');
END;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for event in ("INSERT", "UPDATE"):
            schema_editor.execute(TRIGGER.format(event=event, overlap=OVERLAP))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for event in ("INSERT", "UPDATE"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS member_no_overlapping_periods_{event}")


class Migration(migrations.Migration):
    dependencies = [("alliance", "0003_approval")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
