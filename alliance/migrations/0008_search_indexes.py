"""Trigram indexes behind the searches of the members, projects and MoU lists (PostgreSQL only)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from registers.search import trigram_indexes


class Migration(migrations.Migration):

    dependencies = [
        ("alliance", "0007_translated_labels"),
    ]

    operations = [
        TrigramExtension(),
        trigram_indexes("alliance_alliancemember", ["note"]),
        trigram_indexes("alliance_cooperationproject", ["title", "description"]),
        trigram_indexes("alliance_mou", ["title", "scope", "areas"]),
    ]
