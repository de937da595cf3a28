"""Search and sort that scale: trigram GIN indexes behind the lists' ``icontains`` search on
PostgreSQL, a search condition that lets the database use them, sort terms an index serves, and
whether a lookup can repeat rows (only then is DISTINCT worth paying).

Django turns ``name__icontains`` into ``UPPER("name"::text) LIKE UPPER('%…%')`` on
PostgreSQL; a GIN index on that same expression with ``gin_trgm_ops`` (pg_trgm)
serves it, instead of a sequential scan of the table. SQLite keeps its plain scan
(no such index type): the operations below do nothing there, so the migrations run
on both.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db import connections, migrations
from django.db.models import F, Q


def search_lookups(model, name):
    """The columns a search on ``name`` reads: a field translated with django-modeltranslation is
    searched in every language (a query on ``title`` alone reads the reader's language only, so a
    Swedish reader would not find a title typed in English)."""
    if "__" not in name:
        try:
            from modeltranslation.translator import NotRegistered, translator
        except ImportError:  # pragma: no cover - modeltranslation is a dependency
            return [name]
        try:
            fields = translator.get_options_for_model(model).all_fields
        except NotRegistered:
            return [name]
        if name in fields:
            return sorted(field.name for field in fields[name])
    return [name]


def _translated(model, name):
    return search_lookups(model, name) != [name]


def order_terms(model, sort):
    """``order_by`` arguments sorting by ``sort`` (a field name, ``-`` first for descending), then
    the primary key the same way, so one ``(column, id)`` index serves both directions.

    A field translated with django-modeltranslation sorts by its own column (the default
    language's text, indexed): modeltranslation would sort by the reader's language column,
    unindexed and mostly empty, sorting the whole table for each page.
    """
    descending = sort.startswith("-")
    name = sort.removeprefix("-")
    term = sort
    if "__" not in name and _translated(model, name):
        term = F(name).desc() if descending else F(name).asc()
    return [term, "-pk" if descending else "pk"]


def lookup_crosses_to_many(model, lookup):
    """Whether the ORM ``lookup`` (``organisation__memberships__joined_on``) follows a to-many relation."""
    opts = model._meta
    for part in lookup.split("__"):
        try:
            model_field = opts.get_field(part)
        except FieldDoesNotExist:
            return False  # a lookup such as icontains: the path ends here
        if not model_field.is_relation:
            return False
        if model_field.many_to_many or model_field.one_to_many:
            return True
        opts = model_field.related_model._meta
    return False


def _relation(model, lookup):
    """``(path, model)``: the relation ``lookup`` goes through before its last field ("" for the model's own)."""
    *path, _field = lookup.split("__")
    target = model
    for name in path:
        target = target._meta.get_field(name).related_model
    return "__".join(path), target


def search_condition(model, fields, query):
    """The ``Q`` of ``model``'s rows where any of ``fields`` (lookups, through relations too)
    contains ``query``, ignoring case; translated fields are searched in every language.

    One ``OR`` across the columns of several tables (a member's note or its organisation's
    name) keeps PostgreSQL from using any index: it joins the whole tables and filters the
    result. On PostgreSQL the condition is therefore asked table by table (each ``OR`` over
    one table's trigram-indexed columns), the matching rows' keys united, and the rows
    taken by key: a few index reads whatever the size of the tables. SQLite keeps the
    plain ``OR``.
    """
    groups = {}
    for name in fields:
        for lookup in search_lookups(model, name):
            path, target = _relation(model, lookup)
            condition = Q(**{f"{lookup.rsplit('__', 1)[-1]}__icontains": query})
            groups.setdefault(path, [target, Q()])[1] |= condition
    # A trigram index needs three characters: a shorter search matches most rows anyway, and
    # the list's ordered index scan finds its first page of them soonest through the plain OR.
    if connections[model._default_manager.db].vendor != "postgresql" or len(query) < 3 or len(groups) < 2:
        condition = Q()
        for name in fields:
            for lookup in search_lookups(model, name):
                condition |= Q(**{f"{lookup}__icontains": query})
        return condition
    keys = None
    for path, (target, condition) in groups.items():
        matching = target._base_manager.filter(condition).values("pk")
        rows = model._base_manager.filter(**{f"{path}__in" if path else "pk__in": matching}).values("pk")
        keys = rows if keys is None else keys.union(rows)
    return Q(pk__in=keys)


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
