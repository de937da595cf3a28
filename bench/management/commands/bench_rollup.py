"""Time the roll-up against hand-written SQL computing the same values and breakdowns (the floor).

    python manage.py bench_rollup --records 1000000

Builds (or reuses) N synthetic register records, marked as demo (``demo_data
--scale``'s generator), on the configured database; then times ``rollup_all`` and
the floor, best of ``--repeat`` runs each, checks that both give the same numbers,
and prints: records, queries, roll-up seconds, floor seconds, ratio.
"""

# ruff: noqa: S608 - the SQL is built from model table names only; the date is a parameter.

import datetime
import os
import time
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext

from indicators import rollup
from indicators.models import Indicator, Snapshot
from indicators.registry import OTHER_PARTS_KEY, registry


def _models(*labels):
    """The register models by label: indicators imports no domain app, it asks the app registry."""
    return [apps.get_model(label) for label in labels]


def _tables():
    (AllianceMember, CooperationProject, MoU, Organisation, Region, Observatory, SkillGap, FactoryExchange,
     FactoryProduct, LearningFactory, MicroCredential) = _models(
        "alliance.AllianceMember", "alliance.CooperationProject", "alliance.MoU", "organisations.Organisation",
        "organisations.Region", "observatories.Observatory", "observatories.SkillGap", "training.FactoryExchange",
        "training.FactoryProduct", "training.LearningFactory", "training.MicroCredential")
    return {
        "member": AllianceMember._meta.db_table, "org": Organisation._meta.db_table, "region": Region._meta.db_table,
        "project": CooperationProject._meta.db_table, "participant": CooperationProject.participants.through._meta.db_table,
        "mou": MoU._meta.db_table, "observatory": Observatory._meta.db_table, "gap": SkillGap._meta.db_table,
        "credential": MicroCredential._meta.db_table, "exchange": FactoryExchange._meta.db_table,
        "exchange_partner": FactoryExchange.partner_organisations.through._meta.db_table,
        "factory": LearningFactory._meta.db_table, "product": FactoryProduct._meta.db_table,
        "product_factory": FactoryProduct.factories.through._meta.db_table,
        "product_org": FactoryProduct.collaborating_organisations.through._meta.db_table,
        "indicators_project": Indicator._meta.get_field("project").related_model._meta.db_table,
    }


@dataclass(frozen=True)
class Label:
    """Where a part's label is read, after the grouping: ``table``'s row whose id is the key, ``sql`` over it
    (alias ``l``)."""

    table: str
    sql: str = "l.name"


@dataclass(frozen=True)
class Floor:
    """One indicator's hand-written query, written from the indicator's definition, not from the roll-up's code.

    ``source`` is the FROM clause with the joins the breakdown *keys* need (no label is joined
    per record); ``where`` the rules that do not depend on the date; a record counts on d when
    ``start <= d`` and (``end`` is null or ``end > d``); ``value`` the aggregate (``COUNT(*)``
    or a sum). ``dimensions``: ``{name: (key SQL, Label or None)}``; a key without a Label (a
    country code, a choice) is named in Python, as the measure names it.
    """

    source: str
    where: str
    start: str
    end: str | None
    dimensions: dict
    value: str = "COUNT(*)"

    def sql(self, vendor, tables):
        """Total and every breakdown on %(d)s and on %(before)s (the forecast's), in three steps:

        1. ``combos``: the records counting on either date grouped by the *combination* of their
           breakdown keys, with the value on each date as a filtered aggregate: one pass, a few
           hundred or thousand rows;
        2. ``sets``: the grouping sets (the total and each dimension) applied to that small result
           (GROUPING SETS on PostgreSQL; one GROUP BY per set glued by UNION ALL elsewhere);
        3. the labels joined last, one row per part.

        Rows: the GROUPING() bit mask of the keys (all set: the total), each dimension's key and
        label, the value on d and on the day before.

        How it differs from the roll-up's query (``Measure.series`` over ``Interval``): the roll-up
        is built by the ORM from the measure's declarations (its population manager, a start and
        an end field, key expressions), groups by the combination of keys *and* the buckets a
        record's start and end fall in (``DateBucket``) so that one query serves any number of
        dates, and sums the sets and reads the labels in Python (one query per dimension named by
        a lookup). This floor knows the two dates it answers and each indicator's tables.
        """
        def counts_on(day, since=None):
            end = f" AND ({self.end} IS NULL OR {self.end} > %({since or day})s)" if self.end else ""
            return f"{self.start} <= %({day})s{end}"

        keys = [key for key, _label in self.dimensions.values()]
        labels = [label for _key, label in self.dimensions.values()]
        names = [f"k{index}" for index in range(len(keys))]
        combos = (f"SELECT {', '.join(f'{key} AS {name}' for key, name in zip(keys, names, strict=True))}, "
                  f"{self.value} FILTER (WHERE {counts_on('d')}) AS v, "
                  f"{self.value} FILTER (WHERE {counts_on('before')}) AS b "
                  f"{self.source} WHERE {self.where} AND {counts_on('d', since='before')} "
                  f"GROUP BY {', '.join(str(position) for position in range(1, len(keys) + 1))}")
        if vendor == "postgresql":
            sets = ", ".join(["()", *(f"({name})" for name in names)])
            grouped = (f"SELECT GROUPING({', '.join(names)}) AS g, {', '.join(names)}, SUM(v) AS v, SUM(b) AS b "
                       f"FROM combos GROUP BY GROUPING SETS ({sets})")
        else:
            every = (1 << len(names)) - 1
            selects = [f"SELECT {every} AS g, {', '.join(f'NULL AS {name}' for name in names)}, SUM(v) AS v, "
                       "SUM(b) AS b FROM combos"]
            for index, name in enumerate(names):
                picked = ", ".join(other if other == name else "NULL" for other in names)
                selects.append(f"SELECT {every & ~(1 << (len(names) - 1 - index))}, {picked}, SUM(v), SUM(b) "
                               f"FROM combos GROUP BY {name}")
            grouped = " UNION ALL ".join(selects)
        columns, joins = [], []
        for index, (name, label) in enumerate(zip(names, labels, strict=True)):
            if label is None:
                columns.append(f"s.{name}, NULL")
                continue
            columns.append(f"s.{name}, {label.sql.replace('l.', f'l{index}.')}")
            joins.append(f"LEFT JOIN {tables[label.table]} l{index} ON l{index}.id = s.{name}")
        return (f"WITH combos AS ({combos}), sets AS ({grouped}) "
                f"SELECT s.g, {', '.join(columns)}, s.v, s.b FROM sets s {' '.join(joins)}")


REGION = Label("region", "l.code || ' ' || l.name")
ORGANISATION = Label("org")


def floor_members(t):
    # One membership per organisation on any date (the database's constraint): rows are organisations. Every
    # membership is the Alliance lead's record: the project's lead organisation, one value for all.
    return Floor(
        source=f"FROM {t['member']} m JOIN {t['org']} o ON o.id = m.organisation_id",
        where="m.approval = 'approved'", start="m.joined_on", end="m.left_on",
        dimensions={"country": ("o.country", None), "region": ("o.region_id", REGION),
                    "kind": ("o.kind", None), "category": ("m.category", None),
                    "organisation": (f"(SELECT lead_organisation_id FROM {t['indicators_project']} ORDER BY id "
                                     "LIMIT 1)", ORGANISATION)})


def floor_projects(t):
    # The projects with two participants or more that are members on the project's start date: one semi-join.
    among_members = (f"SELECT x.cooperationproject_id FROM {t['participant']} x "
                     f"JOIN {t['project']} q ON q.id = x.cooperationproject_id WHERE EXISTS (SELECT 1 FROM "
                     f"{t['member']} a WHERE a.organisation_id = x.organisation_id AND a.joined_on <= q.started_on "
                     "AND a.approval = 'approved' "
                     "AND (a.left_on IS NULL OR a.left_on > q.started_on)) "
                     "GROUP BY x.cooperationproject_id HAVING COUNT(*) >= 2")
    return Floor(source=f"FROM {t['project']} p JOIN {t['org']} o ON o.id = p.lead_organisation_id",
                 where=f"p.status <> 'planned' AND p.approval = 'approved' AND p.id IN ({among_members})",
                 start="p.started_on", end="p.cancelled_on",
                 dimensions={"lead_country": ("o.country", None),
                             "organisation": ("p.lead_organisation_id", ORGANISATION)})


def floor_mous(t):
    return Floor(source=f"FROM {t['mou']} u JOIN {t['org']} o ON o.id = u.counterpart_id",
                 where="u.status = 'approved'", start="u.signed_on", end=None,
                 dimensions={"counterpart_country": ("o.country", None), "counterpart_kind": ("o.kind", None),
                             "organisation": ("u.partner_organisation_id", ORGANISATION)})


def floor_observatories(t):
    return Floor(source=f"FROM {t['observatory']} b JOIN {t['region']} r ON r.id = b.region_id",
                 where="b.status <> 'planned' AND b.launched_on IS NOT NULL AND b.approval = 'approved'",
                 start="b.launched_on", end="b.closed_on",
                 dimensions={"country": ("r.country", None), "region": ("b.region_id", REGION),
                             "organisation": ("b.host_organisation_id", ORGANISATION)})


def floor_skill_gaps(t):
    return Floor(
        source=f"FROM {t['gap']} g JOIN {t['observatory']} b ON b.id = g.observatory_id",
        where="g.critical AND g.status IN ('validated', 'retired') AND g.approval = 'approved'",
        start="g.identified_on", end="g.retired_on",
        dimensions={"observatory": ("g.observatory_id", Label("observatory")), "region": ("b.region_id", REGION),
                    "nace_section": ("SUBSTR(g.nace_code, 1, 1)", None),
                    "organisation": ("b.host_organisation_id", ORGANISATION)})


def floor_micro_credentials(t):
    return Floor(source=f"FROM {t['credential']} c JOIN {t['org']} o ON o.id = c.awarding_body_id",
                 where="c.status IN ('published', 'retired') AND c.eqf_level BETWEEN 3 AND 6 AND c.approval = 'approved'",
                 start="c.published_on", end="c.retired_on",
                 dimensions={"eqf_level": ("c.eqf_level", None), "country": ("o.country", None),
                             "organisation": ("c.awarding_body_id", ORGANISATION)})


def floor_students(t):
    return Floor(
        source=(f"FROM {t['exchange']} e JOIN {t['factory']} f ON f.id = e.factory_id "
                f"JOIN {t['org']} h ON h.id = f.host_organisation_id"),
        where=(f"EXISTS (SELECT 1 FROM {t['exchange_partner']} x JOIN {t['org']} p ON p.id = x.organisation_id "
               "WHERE x.factoryexchange_id = e.id AND p.country <> h.country) AND e.approval = 'approved'"),
        start="e.started_on", end="e.cancelled_on", value="SUM(e.students)",
        dimensions={"factory": ("e.factory_id", Label("factory")), "country": ("h.country", None),
                    "organisation": ("f.host_organisation_id", ORGANISATION)})


def floor_products(t):
    return Floor(
        source=(f"FROM {t['product']} p LEFT JOIN (SELECT factoryproduct_id, MIN(learningfactory_id) AS factory_id "
                f"FROM {t['product_factory']} GROUP BY factoryproduct_id) first ON first.factoryproduct_id = p.id "
                f"LEFT JOIN {t['factory']} f ON f.id = first.factory_id"),
        where=(f"p.status IN ('developed', 'retired') AND p.approval = 'approved' AND p.id IN "
               f"(SELECT factoryproduct_id FROM {t['product_org']} GROUP BY factoryproduct_id HAVING COUNT(*) >= 2)"),
        start="p.developed_on", end="p.retired_on",
        dimensions={"factory": ("first.factory_id", Label("factory")),
                    "organisation": ("f.host_organisation_id", ORGANISATION)})


FLOORS = {"alliance-members": floor_members, "cooperation-projects": floor_projects, "mous": floor_mous,
          "observatories": floor_observatories, "skill-gaps": floor_skill_gaps,
          "micro-credentials": floor_micro_credentials, "students-international": floor_students,
          "collaborative-products": floor_products}


def run_floor(on, keys, *, relabel=True):
    """What the roll-up stores for each indicator (value, the value a forecast window before, every breakdown
    row with its label), one hand-written query each.

    ``{measure key: {"total", "before", "rows": {(dimension, key, label, value)}}}``; labels that
    are not columns (a country's name, a choice's label) are the measure's own ``display``.
    """
    tables = _tables()
    params = {"d": on, "before": on - datetime.timedelta(days=rollup.FORECAST_WINDOW_DAYS)}
    results = {}
    with connection.cursor() as cursor:
        for key in keys:
            floor = FLOORS[key](tables)
            names = list(floor.dimensions)
            cursor.execute(floor.sql(connection.vendor, tables), params)
            result = {"total": Decimal(0), "before": Decimal(0), "rows": set()}
            parts = []
            for grouping, *columns, value, before in cursor.fetchall():
                grouped = [name for bit, name in enumerate(reversed(names)) if not grouping >> bit & 1]
                if not grouped:
                    result["total"], result["before"] = Decimal(value or 0), Decimal(before or 0)
                elif value:
                    index = names.index(grouped[0])
                    parts.append((grouped[0], columns[2 * index], columns[2 * index + 1], Decimal(value)))
            # Names that two records share are told apart as the measure tells them apart (its ``labels``:
            # a region, a host, a country added), whatever the floor joined.
            relabelled = {}
            for dimension in registry.get(key).dimensions:
                if relabel and dimension.labels is not None:
                    keys = {part_key for name, part_key, _label, _value in parts if name == dimension.name}
                    relabelled[dimension.name] = dimension.labels(keys - {None, ""})
            for name, part_key, label, value in parts:
                label = relabelled.get(name, {}).get(part_key, label)
                label = registry.get(key).dimension(name).label_for(part_key, label)
                result["rows"].add((name, "" if part_key is None else str(part_key), label, value))
            _fold_like_the_measure(key, result)
            results[key] = result
    return results


def _fold_like_the_measure(key, result):
    """A dimension that stores its largest parts only (``Dimension.max_parts``) is folded here as the roll-up
    folds it: the others summed into one part."""
    for dimension in registry.get(key).dimensions:
        rows = [row for row in result["rows"] if row[0] == dimension.name]
        if dimension.max_parts is None or len(rows) <= dimension.max_parts:
            continue
        rows.sort(key=lambda row: (-row[3], row[1]))
        kept, others = rows[:dimension.max_parts - 1], rows[dimension.max_parts - 1:]
        label = gettext("Others (%(count)d)") % {"count": len(others)}
        result["rows"] -= set(others)
        result["rows"].add((dimension.name, OTHER_PARTS_KEY, label, sum(row[3] for row in others)))
        assert len(kept) == dimension.max_parts - 1


def register_models():
    return _models("organisations.Organisation", "alliance.AllianceMember", "alliance.CooperationProject", "alliance.MoU",
                   "observatories.Observatory", "observatories.SkillGap", "training.MicroCredential",
                   "training.LearningFactory", "training.FactoryExchange", "training.FactoryProduct")


def count_records(**filters):
    return sum(model.objects.filter(**filters).count() for model in register_models())


class Command(BaseCommand):
    help = ("Time rollup_all against hand-written SQL (the floor) on N synthetic register records "
            "(built in bulk and marked as demo, or reused if already there).")

    def add_arguments(self, parser):
        parser.add_argument("--records", type=int, required=True, help="Register records to time the roll-up on.")
        parser.add_argument("--repeat", type=int, default=3, help="Runs of each; the best is kept.")
        parser.add_argument("--batch-size", type=int, default=10000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-backfill", action="store_true", help="Do not time the full backfill (minutes at 1M).")

    def handle(self, *args, records, repeat, batch_size, seed, **options):
        from lcamp import demo
        from lcamp.reference import seed_reference_data

        if records < 1 or repeat < 1:
            raise CommandError("--records and --repeat take a number, 1 or more.")
        seed_reference_data()
        if not Indicator.objects.filter(source=Indicator.Source.MEASURE).exists():
            raise CommandError("No indicator counted from a register: run `python manage.py seed_lcamp` first.")
        existing = count_records(is_demo=True)
        if existing < records:
            self.stdout.write(f"Building {records - existing} synthetic records ({existing} there already)...")
            started = time.perf_counter()
            demo.create_synthetic_records(records - existing, batch_size=batch_size, seed=seed)
            self.stdout.write(f"  built in {time.perf_counter() - started:.1f} s")
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("ANALYZE")
        else:
            self.stdout.write(f"Reusing {existing} synthetic records (marked is_demo).")
        total_records = count_records()
        on = timezone.localdate()
        keys = [i.measure_key for i in Indicator.objects.filter(source=Indicator.Source.MEASURE)
                if i.measure_key in registry]

        rollup.rollup_all(on)  # warm up: caches, and the snapshots exist as in steady state
        rollup_times, floor_times = [], []
        queries = 0
        for _ in range(repeat):
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                snapshots = rollup.rollup_all(on)
                rollup_times.append(time.perf_counter() - started)
            queries = len(captured)
            started = time.perf_counter()
            run_floor(on, keys, relabel=False)  # the labels it joined: what two records share is told apart below
            floor_times.append(time.perf_counter() - started)

        mismatches = self.compare(snapshots, run_floor(on, keys))
        rollup_s, floor_s = min(rollup_times), min(floor_times)
        self.stdout.write(f"database:         {connection.vendor}")
        self.stdout.write(f"records:          {total_records}")
        self.stdout.write(f"queries:          {queries}")
        self.stdout.write(f"roll-up seconds:  {rollup_s:.3f}")
        self.stdout.write(f"floor seconds:    {floor_s:.3f}")
        self.stdout.write(f"ratio:            {rollup_s / floor_s:.2f}")
        if mismatches:
            for line in mismatches:
                self.stderr.write(line)
            raise CommandError("The roll-up and the floor disagree.")
        self.stdout.write("values and breakdowns: identical to the floor")
        self.time_drains_and_backfill(rollup_s, floor_s, backfill=not options["no_backfill"])

    def time_drains_and_backfill(self, rollup_s, floor_s, *, backfill=True):
        """On the same data: the full backfill, then (the month-end history in place, as after the nightly
        backfill) one saved member's drain and a member back-dated two years."""
        from unittest import mock

        from indicators import triggers
        from indicators.models import OutboxEntry

        AllianceMember, Organisation = _models("alliance.AllianceMember", "organisations.Organisation")
        today = timezone.localdate()
        backfill_s = first_backfill_s = None
        if backfill:
            # The first backfill writes the month-end history (or brings it up to date); the nightly one finds it
            # in place and rewrites what changed: best of two.
            started = time.perf_counter()
            rollup.backfill()
            first_backfill_s = time.perf_counter() - started
            nightly = []
            for _ in range(2):
                started = time.perf_counter()
                rollup.backfill()
                nightly.append(time.perf_counter() - started)
            backfill_s = min(nightly)
        OutboxEntry.objects.all().delete()
        organisation = Organisation.objects.create(name="Bench drain organisation", country="ES", is_demo=True)
        # The rows are written as by any save; the drain they would request on commit is
        # timed here instead.
        no_request = mock.patch.object(triggers, "drain_request", lambda: None)
        with no_request:
            member = AllianceMember.objects.create(organisation=organisation, category="vet", joined_on=today,
                                                   is_demo=True)
        started = time.perf_counter()
        drained = rollup.drain()
        one_s = time.perf_counter() - started
        with no_request:
            member.joined_on = today.replace(year=today.year - 2)
            member.save()
        started = time.perf_counter()
        drained_back = rollup.drain()
        back_s = time.perf_counter() - started
        with no_request:
            member.delete()
            organisation.delete()
        rollup.drain()
        if backfill_s is not None:
            self.stdout.write(f"first backfill (writes history): {first_backfill_s:.3f} s "
                              f"({first_backfill_s / rollup_s:.2f}x a full roll-up)")
            self.stdout.write(f"nightly backfill (history kept): {backfill_s:.3f} s ({backfill_s / rollup_s:.2f}x a "
                              "full roll-up)")
        self.stdout.write(f"drain, one saved member:        {one_s:.3f} s ({one_s / rollup_s:.1%} of a full roll-up; "
                          f"{len(drained)} indicator)")
        self.stdout.write(f"drain, member back-dated 2 yrs: {back_s:.3f} s ({back_s / rollup_s:.2f}x a full roll-up; "
                          f"from {next(iter(drained_back.values()), '-')})")
        load = os.getloadavg()
        self.stdout.write(f"load average:                   {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        self.stdout.write(f"full roll-up vs floor:          {rollup_s / floor_s:.2f}x (the floor: one hand-written "
                          "query per indicator, grouping sets, labels included)")

    def compare(self, snapshots, floor):
        """What the roll-up stored against the floor: value, forecast and every breakdown row (key, label, value)."""
        mismatches = []
        by_code = {s.indicator.measure_key: s for s in Snapshot.objects.filter(
            pk__in=[s.pk for s in snapshots]).select_related("indicator").prefetch_related("breakdowns")}
        for key, expected in floor.items():
            snapshot = by_code.get(key)
            if snapshot is None:
                mismatches.append(f"{key}: no snapshot")
                continue
            forecast = rollup.forecast(value=expected["total"], value_before=expected["before"], on=snapshot.date,
                                         target_date=snapshot.indicator.target_date)
            if (snapshot.value, snapshot.forecast) != (expected["total"], forecast):
                mismatches.append(f"{key}: value, forecast {snapshot.value}, {snapshot.forecast} != floor "
                                  f"{expected['total']}, {forecast}")
            stored = {(b.dimension, b.key, b.label, b.value) for b in snapshot.breakdowns.all()}
            if stored != expected["rows"]:
                mismatches.append(f"{key}: breakdown rows only stored {sorted(stored - expected['rows'])[:3]}, "
                                  f"only in the floor {sorted(expected['rows'] - stored)[:3]}")
        return mismatches
