"""Search that scales: trigram GIN indexes behind the lists' ``icontains`` search on PostgreSQL.

Django turns ``name__icontains`` into ``UPPER("name"::text) LIKE UPPER('%…%')`` on
PostgreSQL; a GIN index on that same expression with ``gin_trgm_ops`` (pg_trgm)
serves it, instead of a sequential scan of the table. SQLite keeps its plain scan
(no such index type): the operations below do nothing there, so the migrations run
on both.
"""

from django.db import migrations


def trigram_indexes(table, columns):
    """A migration operation creating ``<table>_<column>_trgm`` GIN indexes, on PostgreSQL only.

    Put ``django.contrib.postgres.operations.TrigramExtension()`` before it in the migration.
    """

    def names():
        return [(column, f"{table}_{column}_trgm"[:63]) for column in columns]

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column, name in names():
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                                  f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)')

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for _, name in names():
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(forwards, backwards, elidable=False)
