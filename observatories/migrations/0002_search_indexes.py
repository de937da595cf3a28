"""Trigram indexes behind the searches of the skill-gap list (PostgreSQL only)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from registers.search import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("observatories", "0001_initial")]

    operations = [
        TrigramExtension(),
        trigram_indexes("observatories_skillgap", ["title", "description", "esco_skill_label", "esco_skill_uri",
                                                   "isco_code", "nace_code"]),
    ]
