"""Counts that do not scan big tables: the planner's estimate above a threshold, exact below.

``COUNT(*)`` on PostgreSQL reads every matching row; on a register of a million
records that is most of a page's cost. The planner already knows about how many
rows a query returns (``EXPLAIN``, a few hundred microseconds): when it expects more
than ``EXACT_COUNT_BELOW`` rows, that estimate is shown as "about N"; below it, the
count is exact (cheap there, and people check small numbers). SQLite always counts.
"""

import json

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

EXACT_COUNT_BELOW = 10_000


def planner_estimate(queryset):
    """The number of rows PostgreSQL's planner expects ``queryset`` to return, or None elsewhere."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    try:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        # A filter no row can match (a value out of a field's range): Django knows without asking.
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def fast_count(queryset, threshold=EXACT_COUNT_BELOW):
    """``(count, exact)``: the planner's estimate when it is above ``threshold``, else ``COUNT(*)``."""
    estimate = planner_estimate(queryset)
    if estimate is not None and estimate >= threshold:
        return estimate, False
    return queryset.count(), True


class EstimatedCountPaginator(Paginator):
    """A Paginator whose ``count`` is ``fast_count``; ``count_is_exact`` says which it was."""

    count_is_exact = True

    @cached_property
    def count(self):
        count, self.count_is_exact = fast_count(self.object_list)
        return count
