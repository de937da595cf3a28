"""The read side of the dashboard: what the pages and the exports show.

Everything here reads stored snapshots (and, for one indicator's page, a short
list of its latest records); nothing aggregates over the registers, so what a
page costs does not grow with the data.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from registers import l10n
from registers.display import in_sentence

from .models import Breakdown, Indicator, Project, Snapshot
from .registry import NOT_GIVEN, registry

CHANGE_WINDOW_DAYS = 30
# A breakdown shows its largest parts; the rest are summed into one "other" part.
BREAKDOWN_PARTS_SHOWN = 25
LATEST_RECORDS_SHOWN = 10

# The dimensions whose keys are ISO 3166 country codes: a part is named by CLDR in the reader's language,
# whatever label the roll-up stored (a reported indicator's has no measure to name it).
COUNTRY_DIMENSIONS = ("country", "counterpart_country")

STATUS_ICONS: dict[str, str] = {
    Snapshot.Status.ACHIEVED: "✔",
    Snapshot.Status.ON_TRACK: "➜",
    Snapshot.Status.AT_RISK: "⚠",
    Snapshot.Status.BEHIND: "✖",
}


def url_or_empty(name, *args, query=""):
    """The URL for ``name`` (a measure's optional page), or "" when the measure names none.

    A name that does not resolve is a mistake in a measure's declaration and raises.
    """
    if not name:
        return ""
    return reverse(name, args=args) + query


@dataclass
class Card:
    """An indicator with its latest snapshot, as one dashboard card or one export row."""

    indicator: Indicator
    snapshot: Snapshot | None
    value_month_ago: Decimal | None = None
    # The date of that earlier value: the latest stored snapshot at least 30 days back, a month-end
    # (the only days kept besides today), so the change is exact and says since when.
    since: datetime.date | None = None
    # Set by the period source (``indicators.period_source``): behind with no narrative in the open period.
    needs_narrative: bool = False
    open_period: Any = None
    # Set by ``country_cards``: the value is this country's part (its expected value and status are not shown).
    country: str = ""
    country_label: str = ""
    place_dimension: str = "country"  # or "region": ``country`` is then a region's key
    # Set by ``add_sparklines``: the points of the card's trend line.
    sparkline: str = ""
    # Set by ``add_milestones``: the latest interim target due by the card's date, and the next one.
    last_milestone: Any = None
    next_milestone: Any = None

    @property
    def last_milestone_met(self):
        """Whether the value has reached the latest interim target due (None without one)."""
        if self.last_milestone is None or self.snapshot is None or self.country:
            return None
        return self.snapshot.value >= self.last_milestone.value

    @property
    def change(self):
        """The change of the value since ``since`` (None without a snapshot then)."""
        if self.snapshot is None or self.value_month_ago is None:
            return None
        return self.snapshot.value - self.value_month_ago

    @property
    def status_icon(self):
        return STATUS_ICONS.get(self.snapshot.status, "") if self.snapshot else ""

    @property
    def bar_percent(self):
        """Progress as a width for the bar (0 to 100)."""
        return _clamp_percent(self.snapshot.progress * 100) if self.snapshot else 0

    @property
    def expected_percent(self):
        """Where the expected-by-now marker sits on the bar (0 to 100)."""
        if not self.snapshot or not self.snapshot.target:
            return 0
        return _clamp_percent(self.snapshot.expected / self.snapshot.target * 100)

    def add_url(self, next_url="/"):
        """The form a manager uses to add what this indicator counts (or "" if not built)."""
        if self.indicator.is_reported:
            return url_or_empty("indicators:report-create", query=f"?indicator={self.indicator.code}")
        measure = registry.for_indicator(self.indicator)
        if measure is None:
            return ""
        return url_or_empty(measure.add_url_name, query=f"?next={next_url}")


def _clamp_percent(value):
    return float(min(max(value, Decimal(0)), Decimal(100)).quantize(Decimal("0.1")))


def cards(*, public_only=False, on=None, project_id=None):
    """Every indicator (or the public ones, or those of one project) with its latest snapshot: two queries.

    Returns a list of ``Card`` ordered by pillar, then by indicator order.
    """
    on = on or timezone.localdate()
    month_ago = on - datetime.timedelta(days=CHANGE_WINDOW_DAYS)
    latest = Snapshot.objects.current(on).filter(indicator=OuterRef("pk"))
    indicators = (
        Indicator.objects.select_related("project", "pillar")
        .annotate(
            latest_snapshot_id=Subquery(latest.values("pk")[:1]),
            value_month_ago=Subquery(latest.filter(date__lte=month_ago).values("value")[:1]),
            date_month_ago=Subquery(latest.filter(date__lte=month_ago).values("date")[:1]),
        )
        .order_by("project__code", "pillar__order", "pillar__code", "order", "code")
    )
    if public_only:
        indicators = indicators.filter(is_public=True)
    if project_id is not None:
        indicators = indicators.filter(project_id=project_id)
    indicators = list(indicators)
    snapshots = Snapshot.objects.in_bulk([i.latest_snapshot_id for i in indicators if i.latest_snapshot_id])
    return [Card(i, snapshots.get(i.latest_snapshot_id), i.value_month_ago, i.date_month_ago) for i in indicators]


def last_rollup_at():
    """The time the snapshots were last written (ISO 8601), or "" before the first roll-up: one query."""
    at = Snapshot.objects.aggregate(at=Max("computed_at"))["at"]
    return at.isoformat() if at else ""


def group_by_pillar(card_list):
    """[(pillar name, [cards])] in the cards' order."""
    groups = []
    for card in card_list:
        name = card.indicator.pillar.name if card.indicator.pillar else gettext("Other indicators")
        if not groups or groups[-1][0] != name:
            groups.append((name, []))
        groups[-1][1].append(card)
    return groups


def as_of(card_list):
    """The time of the last roll-up among the cards (None before the first)."""
    times = [c.snapshot.computed_at for c in card_list if c.snapshot]
    return max(times) if times else None


@dataclass
class Timeline:
    project: Project
    today: datetime.date
    # False when the figures are read at another date (a period's end, the demo's date): "as of", not "today".
    is_today: bool = True

    @property
    def elapsed_percent(self):
        return float((self.project.elapsed_share(self.today) * 100).quantize(Decimal("0.1")))


def timeline(card_list, on=None, *, is_today=True):
    """The project's timeline, from the cards' project (one more query only without cards)."""
    project = card_list[0].indicator.project if card_list else Project.objects.first()
    return Timeline(project, on or timezone.localdate(), is_today) if project else None


@dataclass
class BreakdownPart:
    key: str
    label: str
    value: Decimal


@dataclass
class BreakdownDimension:
    name: str
    label: str
    overlapping: bool
    parts: list = field(default_factory=list)
    hidden_parts: int = 0

    @property
    def total(self):
        return sum((p.value for p in self.parts), Decimal(0))

    @property
    def label_in_sentence(self):
        """The label after "by" in a heading: "by EQF level", "by country" (never "by eqf level")."""
        return in_sentence(self.label)


# A dimension's name where no measure names it (a reported indicator's breakdown, a measure since renamed).
GENERIC_DIMENSIONS = {"country": _("Country"), "region": _("Region"), "organisation": _("Organisation"),
                      "counterpart_country": _("Counterpart's country"), "factory": _("Learning factory"),
                      "observatory": _("Observatory"), "eqf_level": _("EQF level")}


def _dimension_label(name):
    return str(GENERIC_DIMENSIONS.get(name) or name.replace("_", " ").capitalize())


def _part_label(dimension, row):
    """A part's label in the reader's language (``part_label``) of a ``Breakdown`` row."""
    return part_label(row.dimension, row.key, row.label, dimension)


def part_label(dimension_name, key, label, dimension=None):
    """A part's label in the reader's language.

    The roll-up stores labels in English; a label computed from the key (a country's
    name, a choice's label) is computed again here, in the active language: a country by
    CLDR, another by the measure's ``dimension`` when it has a ``display``. Names typed
    by people (an organisation, an observatory) are shown as stored.
    """
    if key in (None, "") or label == NOT_GIVEN:
        return gettext(NOT_GIVEN)
    if dimension_name in COUNTRY_DIMENSIONS and len(key) == 2 and key.isalpha():
        return l10n.country_name(key)
    if dimension is not None and dimension.display is not None:
        try:
            return str(dimension.display(key) or label or key)
        except Exception:  # noqa: BLE001 - a key the display no longer knows keeps its stored label
            return label or key
    return label or key


def breakdown_dimensions(snapshot, measure=None):
    """The snapshot's breakdowns by dimension (one query), largest parts first.

    Beyond ``BREAKDOWN_PARTS_SHOWN`` parts the rest of a dimension is summed into
    an "other" part (unless parts overlap, where a sum would mean nothing).
    """
    if snapshot is None:
        return []
    measure_dimensions = {d.name: d for d in measure.dimensions} if measure else {}
    dimensions = {}
    for row in Breakdown.objects.filter(snapshot=snapshot).order_by("dimension", "-value", "key"):
        dimension = dimensions.get(row.dimension)
        if dimension is None:
            known = measure_dimensions.get(row.dimension)
            label = str(known.label) if known else _dimension_label(row.dimension)
            dimension = dimensions[row.dimension] = BreakdownDimension(row.dimension, label, row.overlapping)
        if len(dimension.parts) < BREAKDOWN_PARTS_SHOWN:
            dimension.parts.append(BreakdownPart(row.key, _part_label(measure_dimensions.get(row.dimension), row),
                                                 row.value))
        else:
            dimension.hidden_parts += 1
            if not dimension.overlapping:
                if dimension.parts[-1].key != "__other__":
                    dimension.parts.append(BreakdownPart("__other__", gettext("Other"), Decimal(0)))
                dimension.parts[-1].value += row.value
    order = [d.name for d in measure.dimensions] if measure else []
    return sorted(dimensions.values(), key=lambda d: (order.index(d.name) if d.name in order else len(order), d.name))


def monthly_points(snapshots: Iterable[Snapshot]) -> list[Snapshot]:
    """The last snapshot of each month (the latest one included): the history as a short table."""
    points: dict[tuple[int, int], Snapshot] = {}
    for snapshot in snapshots:
        points[(snapshot.date.year, snapshot.date.month)] = snapshot
    return list(points.values())


def latest_records(indicator, on, measure=None):
    """The latest records feeding a counted indicator, each with its link: one bounded query."""
    measure = measure or registry.for_indicator(indicator)
    if measure is None:
        return []
    ordering = f"-{measure.date_field}" if measure.date_field else "-pk"
    records = measure.records(on).select_related().order_by(ordering, "-pk")[:LATEST_RECORDS_SHOWN]
    rows = []
    for record in records:
        date = getattr(record, measure.date_field, None) if measure.date_field else None
        rows.append({"record": record, "date": date, "url": url_or_empty(measure.detail_url_name, record.pk)})
    return rows


@dataclass
class MapData:
    """What the map of a snapshot shows: every country part and the region parts with coordinates."""

    countries: list  # [BreakdownPart] with ISO 3166 alpha-2 keys
    regions: list    # [(BreakdownPart, latitude, longitude)]

    def __bool__(self):
        return bool(self.countries or self.regions)


def map_data(snapshot):
    """The snapshot's country and region breakdowns for a map (two queries), largest first.

    Every part is kept (the bar charts sum the small ones into "Other"); a region's marker
    goes at the coordinates stored on ``organisations.Region``; a region without them has none.
    """
    if snapshot is None:
        return MapData([], [])
    rows = list(Breakdown.objects.filter(snapshot=snapshot, dimension__in=("country", "region"))
                .order_by("-value", "key").values_list("dimension", "key", "label", "value"))
    return _map_data_from(rows)


def first_map_data(snapshots):
    """(snapshot, MapData) of the first of ``snapshots`` with a country or region breakdown,
    or (None, empty MapData): two queries whatever their number."""
    by_snapshot = {}
    for snapshot_id, dimension, key, label, value in Breakdown.objects.filter(
            snapshot__in=[s for s in snapshots if s is not None], dimension__in=("country", "region")).order_by(
            "-value", "key").values_list("snapshot_id", "dimension", "key", "label", "value"):
        by_snapshot.setdefault(snapshot_id, []).append((dimension, key, label, value))
    for snapshot in snapshots:
        if snapshot is not None and snapshot.pk in by_snapshot:
            return snapshot, _map_data_from(by_snapshot[snapshot.pk])
    return None, MapData([], [])


def _map_data_from(rows):
    from organisations.models import Region

    countries = [BreakdownPart(key, part_label(dimension, key, label), value) for dimension, key, label, value in rows
                 if dimension == "country" and len(key) == 2]
    region_rows = [(key, label, value) for dimension, key, label, value in rows if dimension == "region"]
    ids = [int(key) for key, _, _ in region_rows if key.isdigit()]
    places = {str(pk): (latitude, longitude) for pk, latitude, longitude in Region.objects.filter(
        pk__in=ids, latitude__isnull=False, longitude__isnull=False).values_list("pk", "latitude", "longitude")}
    regions = [(BreakdownPart(key, label, value), *places[key]) for key, label, value in region_rows
               if key in places]
    return MapData(countries, regions)


def part_history(indicator, dimension, key, on):
    """[(date, value)] of one breakdown part (a country's) in the month-end and latest snapshots up to ``on``.

    Read from the stored Breakdown rows (two queries), never from the registers. A snapshot
    where the part is absent counts it as zero: the part had nothing then.
    """
    rows = Snapshot.objects.filter(indicator=indicator, date__lte=on).order_by("date").values_list("date", "pk")
    parts = dict(Breakdown.objects.filter(snapshot__indicator=indicator, snapshot__date__lte=on, dimension=dimension,
                                          key=key).values_list("snapshot_id", "value"))
    points = {}
    for date, pk in rows:
        points[(date.year, date.month)] = (date, parts.get(pk, Decimal(0)))
    return list(points.values())


# --- What the dashboard shows: the date, the period, the country -------------------------------------------


@dataclass
class Scope:
    """The dashboard's filters: the date the figures are read at, the period it is the end of (or None),
    the country (ISO 3166 alpha-2, or ""), and whether the date is the ``DASHBOARD_AS_OF`` setting's.

    The same scope drives the cards, the summary, the charts, the breakdowns, the map and the exports.
    """

    on: datetime.date
    period: Any = None
    country: str = ""
    country_label: str = ""
    preset: bool = False  # the date is the DASHBOARD_AS_OF setting's, not today
    # A region of the country (``organisations.Region`` pk as text), for the indicators broken down by region.
    region: str = ""
    region_label: str = ""

    @property
    def place(self):
        """(dimension, key) of the place the figures are narrowed to, or None for all."""
        if self.region:
            return ("region", self.region)
        return ("country", self.country) if self.country else None

    @property
    def place_label(self):
        if self.region:
            return f"{self.region_label} ({self.country_label})"
        return self.country_label

    @property
    def is_today(self):
        return self.period is None and not self.preset

    def query(self, **changes):
        """The filters as a query string ("?period=3&country=ES"), with ``changes`` applied; "" when none."""
        values = {"period": self.period.pk if self.period else "", "country": self.country, "region": self.region,
                  "today": "1" if self.period is None and not self.preset and settings_as_of() else ""}
        values.update(changes)
        pairs = [f"{name}={value}" for name, value in values.items() if value not in ("", None)]
        return "?" + "&".join(pairs) if pairs else ""


def settings_as_of():
    from django.conf import settings

    return getattr(settings, "DASHBOARD_AS_OF", None)


def place_rows(card_list):
    """[(snapshot_id, dimension, key, label, value)]: the country and region parts of the cards' snapshots,
    largest first: one query for every card (the country filter, the breakdowns and the map read them)."""
    snapshots = [c.snapshot.pk for c in card_list if c.snapshot is not None]
    if not snapshots:
        return []
    return list(Breakdown.objects.filter(snapshot_id__in=snapshots, dimension__in=("country", "region"))
                .order_by("-value", "key").values_list("snapshot_id", "dimension", "key", "label", "value"))


def country_cards(card_list, country, rows, label="", dimension="country"):
    """The cards with each snapshot's ``country`` part (from ``place_rows``) in place of its value.

    The part is compared with the project's target; the expected value, the status and the
    forecast are the whole project's, so a scoped card shows none (``card.country`` is set).
    """
    import copy

    parts = {snapshot_id: value for snapshot_id, row_dimension, key, _, value in rows
             if row_dimension == dimension and key == country}
    scoped = []
    for card in card_list:
        snapshot = None
        if card.snapshot is not None:
            snapshot = copy.copy(card.snapshot)
            snapshot.value = parts.get(card.snapshot.pk, Decimal(0))
            snapshot.progress = (snapshot.value / snapshot.target).quantize(Decimal("0.0001")) if snapshot.target \
                else Decimal(0)
            snapshot.forecast = None
        scoped_card = Card(card.indicator, snapshot)
        scoped_card.country = country
        scoped_card.country_label = label
        scoped_card.place_dimension = dimension
        scoped.append(scoped_card)
    return scoped


STATUS_ORDER = [Snapshot.Status.ACHIEVED, Snapshot.Status.ON_TRACK, Snapshot.Status.AT_RISK,
                Snapshot.Status.BEHIND]


def summary(card_list):
    """[(status, label, icon, count)] of the cards' statuses, in the order achieved → behind."""
    counts = {status: 0 for status in STATUS_ORDER}
    for card in card_list:
        if card.snapshot is not None and card.snapshot.status in counts:
            counts[card.snapshot.status] += 1
    return [(status, Snapshot.Status(status).label, STATUS_ICONS[status], counts[status]) for status in STATUS_ORDER]


SPARKLINE_WIDTH = 120
SPARKLINE_HEIGHT = 28
SPARKLINE_MONTHS = 24


def add_sparklines(card_list, on, country="", dimension="country"):
    """Set ``card.sparkline`` (the ``points`` of an SVG polyline, "" with fewer than two) on every card:
    the month-end values of the last two years and the latest, from one query for all cards
    (the stored snapshots, or with a country its stored breakdown parts)."""
    ids = [c.indicator.pk for c in card_list]
    since = on - datetime.timedelta(days=31 * SPARKLINE_MONTHS)
    if country:
        rows = Breakdown.objects.filter(snapshot__indicator_id__in=ids, snapshot__date__gt=since,
                                        snapshot__date__lte=on, dimension=dimension, key=country).values_list(
            "snapshot__indicator_id", "snapshot__date", "value").order_by("snapshot__date")
    else:
        rows = Snapshot.objects.filter(indicator_id__in=ids, date__gt=since, date__lte=on).values_list(
            "indicator_id", "date", "value").order_by("date")
    series: dict[int, dict[tuple[int, int], tuple[datetime.date, Decimal]]] = {}
    for indicator_id, date, value in rows:
        series.setdefault(indicator_id, {})[(date.year, date.month)] = (date, value)
    for card in card_list:
        points = list(series.get(card.indicator.pk, {}).values())
        card.sparkline = sparkline_points(points, card.indicator.target)


def sparkline_points(points, target):
    """The SVG polyline points of (date, value) pairs, on a scale from 0 to the largest of values and target."""
    if len(points) < 2:
        return ""
    top = max([float(v) for _, v in points] + [float(target or 0)]) or 1.0
    first, last = points[0][0], points[-1][0]
    span = (last - first).days or 1
    coordinates = []
    for date, value in points:
        x = (date - first).days / span * SPARKLINE_WIDTH
        y = SPARKLINE_HEIGHT - float(value) / top * (SPARKLINE_HEIGHT - 2) - 1
        coordinates.append(f"{x:.1f},{y:.1f}")
    return " ".join(coordinates)


@dataclass
class Places:
    """The dashboard's breakdown by place: a column per country (or, for one country, per region of it),
    a row per indicator; and the map of the first indicator broken down by place."""

    dimension: str  # "country" or "region"
    columns: list  # [(key, label)]
    rows: list  # [(card, [value or None per column])]
    map_card: Any = None
    map: MapData = field(default_factory=lambda: MapData([], []))


def places(card_list, rows, country="", region=""):
    """``Places`` of the cards from their ``place_rows``: one query (the regions' countries and coordinates)."""
    from organisations.models import Region

    region_ids = {int(key) for _, dimension, key, _, _ in rows if dimension == "region" and key.isdigit()}
    regions = {str(pk): (code, latitude, longitude) for pk, code, latitude, longitude in Region.objects.filter(
        pk__in=region_ids).values_list("pk", "country", "latitude", "longitude")} if region_ids else {}

    def kept(dimension, key):
        if not country:
            return dimension == "country"
        return dimension == "region" and regions.get(key, ("",))[0] == country

    by_snapshot: dict[int, dict[str, Decimal]] = {}
    totals: dict[str, Decimal] = {}
    labels: dict[str, str] = {}
    for snapshot_id, dimension, key, label, value in rows:
        if kept(dimension, key):
            by_snapshot.setdefault(snapshot_id, {})[key] = value
            totals[key] = totals.get(key, Decimal(0)) + value
            labels.setdefault(key, str(part_label(dimension, key, label)))
    columns = [(key, labels[key]) for key in sorted(totals, key=lambda k: (-totals[k], labels[k]))]
    table = [(card, [by_snapshot.get(card.snapshot.pk, {}).get(key) for key, _ in columns])
             for card in card_list if card.snapshot is not None and card.snapshot.pk in by_snapshot]
    result = Places("region" if country else "country", columns, table)
    for card in card_list:
        if card.snapshot is None:
            continue
        mine = [row for row in rows if row[0] == card.snapshot.pk]
        if not mine:
            continue
        countries = [BreakdownPart(key, str(part_label("country", key, label)), value)
                     for _, dimension, key, label, value in mine
                     if dimension == "country" and len(key) == 2 and (not country or key == country)]
        located = [(BreakdownPart(key, label, value), regions[key][1], regions[key][2])
                   for _, dimension, key, label, value in mine
                   if dimension == "region" and key in regions and regions[key][1] is not None
                   and (not country or regions[key][0] == country) and (not region or key == region)]
        if region:
            countries = []
        if countries or located:
            result.map_card, result.map = card, MapData(countries, located)
            break
    return result


def add_milestones(card_list, on):
    """Set ``card.last_milestone`` (due on or before ``on``) and ``card.next_milestone`` on every card:
    one query for all cards."""
    from .models import Milestone

    by_indicator: dict[int, list] = {}
    for milestone in Milestone.objects.filter(indicator_id__in=[c.indicator.pk for c in card_list]).order_by("date"):
        by_indicator.setdefault(milestone.indicator_id, []).append(milestone)
    for card in card_list:
        milestones = by_indicator.get(card.indicator.pk, [])
        card.last_milestone = next((m for m in reversed(milestones) if m.date <= on), None)
        card.next_milestone = next((m for m in milestones if m.date > on), None)
