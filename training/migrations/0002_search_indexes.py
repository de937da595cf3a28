"""Trigram indexes behind the searches of the micro-credential (every language), exchange and
product lists (PostgreSQL only)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from registers.search import trigram_indexes

LANGUAGES = ["en", "es", "eu", "fr", "it", "sv", "fi"]


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations = [
        TrigramExtension(),
        trigram_indexes("training_microcredential", ["title", *(f"{field}_{language}"
                                                               for field in ("title", "learning_outcomes")
                                                               for language in LANGUAGES)]),
        trigram_indexes("training_factoryexchange", ["title"]),
        trigram_indexes("training_factoryproduct", ["title", "description"]),
    ]
