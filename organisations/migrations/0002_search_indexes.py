"""Trigram indexes behind the searches of the organisation list and pickers (PostgreSQL only)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from registers.search import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]

    operations = [
        TrigramExtension(),
        trigram_indexes("organisations_organisation", ["name", "acronym", "city", "erasmus_oid", "pic"]),
    ]
