"""Time the roll-up against hand-written SQL computing the same values and breakdowns (the floor).

    python manage.py bench_rollup --records 1000000

Builds (or reuses) N synthetic register records, marked as demo (``demo_data
--scale``'s generator), on the configured database; then times ``rollup_all`` and
the floor, best of ``--repeat`` runs each, checks that both give the same numbers,
and prints: records, queries, roll-up seconds, floor seconds, ratio.
"""

# ruff: noqa: S608 - the SQL is built from model table names only; the date is a parameter.

import datetime
import time
from decimal import Decimal

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from indicators import rollup as services
from indicators.models import Indicator, Snapshot
from indicators.registry import registry


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
    }


def floor_queries():
    """{measure key: {"total": sql, dimension name: sql}}: the same rules, written by hand.

    Each query takes the date as its only parameter (``%(d)s``); a breakdown query
    returns (key, value) rows.
    """
    t = _tables()
    member = (f"FROM {t['member']} m JOIN {t['org']} o ON o.id = m.organisation_id "
              "WHERE m.joined_on <= %(d)s AND (m.left_on IS NULL OR m.left_on > %(d)s)")
    project = (f"FROM {t['project']} p JOIN {t['org']} o ON o.id = p.lead_organisation_id "
               "WHERE p.started_on <= %(d)s AND p.status <> 'planned' "
               "AND (p.cancelled_on IS NULL OR p.cancelled_on > %(d)s) "
               f"AND (SELECT COUNT(*) FROM {t['participant']} x WHERE x.cooperationproject_id = p.id AND EXISTS ("
               f"SELECT 1 FROM {t['member']} a WHERE a.organisation_id = x.organisation_id "
               "AND a.joined_on <= p.started_on AND (a.left_on IS NULL OR a.left_on > p.started_on))) >= 2")
    mou = (f"FROM {t['mou']} u JOIN {t['org']} o ON o.id = u.counterpart_id "
           "WHERE u.status = 'approved' AND u.signed_on <= %(d)s")
    observatory = (f"FROM {t['observatory']} b JOIN {t['region']} r ON r.id = b.region_id "
                   "WHERE b.status <> 'planned' AND b.launched_on <= %(d)s "
                   "AND (b.closed_on IS NULL OR b.closed_on > %(d)s)")
    gap = (f"FROM {t['gap']} g JOIN {t['observatory']} b ON b.id = g.observatory_id "
           "WHERE g.critical AND g.status IN ('validated', 'retired') AND g.identified_on <= %(d)s "
           "AND (g.retired_on IS NULL OR g.retired_on > %(d)s)")
    credential = (f"FROM {t['credential']} c JOIN {t['org']} o ON o.id = c.awarding_body_id "
                  "WHERE c.status IN ('published', 'retired') AND c.published_on <= %(d)s AND c.eqf_level BETWEEN 3 AND 6 "
                  "AND (c.retired_on IS NULL OR c.retired_on > %(d)s)")
    exchange = (f"FROM {t['exchange']} e JOIN {t['factory']} f ON f.id = e.factory_id "
                f"JOIN {t['org']} h ON h.id = f.host_organisation_id "
                "WHERE (e.cancelled_on IS NULL OR e.cancelled_on > %(d)s) AND e.started_on <= %(d)s AND EXISTS ("
                f"SELECT 1 FROM {t['exchange_partner']} x JOIN {t['org']} p ON p.id = x.organisation_id "
                "WHERE x.factoryexchange_id = e.id AND p.country <> h.country)")
    product = (f"FROM {t['product']} p LEFT JOIN (SELECT factoryproduct_id, MIN(learningfactory_id) AS factory_id "
               f"FROM {t['product_factory']} GROUP BY factoryproduct_id) first ON first.factoryproduct_id = p.id "
               "WHERE p.status IN ('developed', 'retired') AND p.developed_on <= %(d)s "
               "AND (p.retired_on IS NULL OR p.retired_on > %(d)s) "
               f"AND p.id IN (SELECT factoryproduct_id FROM {t['product_org']} "
               "GROUP BY factoryproduct_id HAVING COUNT(*) >= 2)")
    count_members = "COUNT(DISTINCT m.organisation_id)"
    return {
        "alliance-members": {
            "total": f"SELECT {count_members} {member}",
            "country": f"SELECT o.country, {count_members} {member} GROUP BY o.country",
            "region": f"SELECT o.region_id, {count_members} {member} GROUP BY o.region_id",
            "kind": f"SELECT o.kind, {count_members} {member} GROUP BY o.kind",
            "category": f"SELECT m.category, {count_members} {member} GROUP BY m.category",
        },
        "cooperation-projects": {
            "total": f"SELECT COUNT(*) {project}",
            "lead_country": f"SELECT o.country, COUNT(*) {project} GROUP BY o.country",
        },
        "mous": {
            "total": f"SELECT COUNT(*) {mou}",
            "counterpart_country": f"SELECT o.country, COUNT(*) {mou} GROUP BY o.country",
            "counterpart_kind": f"SELECT o.kind, COUNT(*) {mou} GROUP BY o.kind",
        },
        "observatories": {
            "total": f"SELECT COUNT(*) {observatory}",
            "country": f"SELECT r.country, COUNT(*) {observatory} GROUP BY r.country",
            "region": f"SELECT b.region_id, COUNT(*) {observatory} GROUP BY b.region_id",
        },
        "skill-gaps": {
            "total": f"SELECT COUNT(*) {gap}",
            "observatory": f"SELECT g.observatory_id, COUNT(*) {gap} GROUP BY g.observatory_id",
            "region": f"SELECT b.region_id, COUNT(*) {gap} GROUP BY b.region_id",
            "nace_section": f"SELECT SUBSTR(g.nace_code, 1, 1), COUNT(*) {gap} GROUP BY SUBSTR(g.nace_code, 1, 1)",
        },
        "micro-credentials": {
            "total": f"SELECT COUNT(*) {credential}",
            "eqf_level": f"SELECT c.eqf_level, COUNT(*) {credential} GROUP BY c.eqf_level",
            "country": f"SELECT o.country, COUNT(*) {credential} GROUP BY o.country",
        },
        "students-international": {
            "total": f"SELECT COALESCE(SUM(e.students), 0) {exchange}",
            "factory": f"SELECT e.factory_id, SUM(e.students) {exchange} GROUP BY e.factory_id",
            "country": f"SELECT h.country, SUM(e.students) {exchange} GROUP BY h.country",
        },
        "collaborative-products": {
            "total": f"SELECT COUNT(*) {product}",
            "factory": f"SELECT first.factory_id, COUNT(*) {product} GROUP BY first.factory_id",
        },
    }


def run_floor(on, keys):
    """Every value (on ``on`` and 90 days earlier, as the forecast needs) and breakdown, by hand-written SQL."""
    queries = floor_queries()
    before = on - datetime.timedelta(days=services.FORECAST_WINDOW_DAYS)
    results = {}
    with connection.cursor() as cursor:
        for key in keys:
            result = {}
            for name, sql in queries[key].items():
                if name == "total":
                    cursor.execute(sql, {"d": on})
                    result["total"] = Decimal(cursor.fetchone()[0] or 0)
                    cursor.execute(sql, {"d": before})
                    result["before"] = Decimal(cursor.fetchone()[0] or 0)
                else:
                    cursor.execute(sql, {"d": on})
                    result[name] = {"" if k is None else str(k): Decimal(v) for k, v in cursor.fetchall()}
            results[key] = result
    return results


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

        services.rollup_all(on)  # warm up: caches, and the snapshots exist as in steady state
        rollup_times, floor_times = [], []
        queries = 0
        for _ in range(repeat):
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                snapshots = services.rollup_all(on)
                rollup_times.append(time.perf_counter() - started)
            queries = len(captured)
            started = time.perf_counter()
            floor = run_floor(on, keys)
            floor_times.append(time.perf_counter() - started)

        mismatches = self.compare(snapshots, floor)
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
        """On the same data: one saved member's drain, a member back-dated two years, the full backfill."""
        from unittest import mock

        from indicators import triggers
        from indicators.models import OutboxEntry

        AllianceMember, Organisation = _models("alliance.AllianceMember", "organisations.Organisation")
        today = timezone.localdate()
        OutboxEntry.objects.all().delete()
        organisation = Organisation.objects.create(name="Bench drain organisation", country="ES", is_demo=True)
        # The rows are written as by any save; the drain they would request on commit is
        # timed here instead.
        no_request = mock.patch.object(triggers, "drain_request", lambda: None)
        with no_request:
            member = AllianceMember.objects.create(organisation=organisation, category="vet", joined_on=today,
                                                   is_demo=True)
        started = time.perf_counter()
        drained = services.drain()
        one_s = time.perf_counter() - started
        with no_request:
            member.joined_on = today.replace(year=today.year - 2)
            member.save()
        started = time.perf_counter()
        drained_back = services.drain()
        back_s = time.perf_counter() - started
        backfill_s = None
        if backfill:
            started = time.perf_counter()
            services.backfill()
            backfill_s = time.perf_counter() - started
        with no_request:
            member.delete()
            organisation.delete()
        services.drain()
        self.stdout.write(f"drain, one saved member:        {one_s:.3f} s ({one_s / rollup_s:.1%} of a full roll-up; "
                          f"{len(drained)} indicator)")
        self.stdout.write(f"drain, member back-dated 2 yrs: {back_s:.3f} s ({back_s / rollup_s:.2f}x a full roll-up; "
                          f"from {next(iter(drained_back.values()), '-')})")
        if backfill_s is not None:
            self.stdout.write(f"full backfill:                  {backfill_s:.3f} s ({backfill_s / rollup_s:.2f}x a "
                              "full roll-up)")
        self.stdout.write(f"full roll-up vs floor:          {rollup_s / floor_s:.2f}x (the floor: one hand-written "
                          "query per value and breakdown, labels not included)")

    def compare(self, snapshots, floor):
        mismatches = []
        by_code = {s.indicator.measure_key: s for s in Snapshot.objects.filter(
            pk__in=[s.pk for s in snapshots]).select_related("indicator").prefetch_related("breakdowns")}
        for key, expected in floor.items():
            snapshot = by_code.get(key)
            if snapshot is None:
                mismatches.append(f"{key}: no snapshot")
                continue
            if snapshot.value != expected["total"]:
                mismatches.append(f"{key}: value {snapshot.value} != floor {expected['total']}")
            for name, parts in expected.items():
                if name in ("total", "before"):
                    continue
                stored = {b.key: b.value for b in snapshot.breakdowns.all() if b.dimension == name}
                if stored != parts:
                    mismatches.append(f"{key}/{name}: {sorted(stored.items())[:5]} != {sorted(parts.items())[:5]}")
        return mismatches
