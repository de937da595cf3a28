"""The progress dashboard, one indicator's page, the exports and the public page.

The pages read stored snapshots only (see ``indicators.dashboard``); the roll-up
writes them.
"""

import hashlib
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from accounts import roles
from registers import csvformat, generations, l10n, pagecache

from . import charts, dashboard, exports, period_source, services, triggers
from .forms import MilestoneFormSet
from .models import Indicator, OutboxEntry
from .registry import registry

PUBLIC_MAX_AGE = 300
# The dashboard's cards are cached under a key that changes with every roll-up;
# the timeout bounds how long an edit of an indicator's title takes to show.
DASHBOARD_CACHE_SECONDS = 60
# A figure is cached under a hash of the data it is drawn from: it never goes stale.
FIGURE_CACHE_SECONDS = 60 * 60
# The time of the last roll-up is cached under the generation a roll-up bumps: it is never stale.
ROLLUP_AT_SECONDS = 24 * 60 * 60


def _require_viewer(request):
    """Staff, managers and admins read the dashboard; anybody else gets 403."""
    if not roles.can_view_dashboard(request.user):
        raise PermissionDenied


@require_GET
@login_required
def dashboard_view(request):
    # Partners read the dashboard when the project lets them (``Project.partners_see_dashboard``).
    if roles.is_partner(request.user) and not roles.can_view_dashboard(request.user):
        return redirect(settings.PARTNER_HOME_URL_NAME)
    _require_viewer(request)
    can_add = roles.can_edit_registers(request.user)
    scope = _scope(request)
    # Read before the cards: a roll-up in between makes the page reload its cards once more, never miss one.
    generation = generations.current(generations.ROLLUP) or ""
    built = _dashboard_content(scope, can_add=can_add, coordinator=roles.can_edit_registers(request.user))
    return render(request, "indicators/dashboard.html", {
        "cards_html": built["html"],
        "has_figures": built["has_figures"],
        "scope": scope,
        "can_add": can_add and scope.is_today,
        # Today's figures follow the roll-ups by themselves; a past date's do not move.
        "live": scope.is_today,
        "generation": generation,
    })


def _scope(request):
    """The dashboard's filters from the query (``?period=<id>``, ``?country=ES``, ``?today=1``).

    Without a period the figures are today's, or the ``DASHBOARD_AS_OF`` setting's date (a demo whose
    records stop before today) unless ``?today=1`` asks for today's. A value that names nothing is ignored.
    """
    from django_countries import countries

    today = timezone.localdate()
    period = _selected_period(request.GET.get("period", ""))
    country = request.GET.get("country", "").strip().upper()
    label = l10n.country_name(country) if re.fullmatch(r"[A-Z]{2}", country) and countries.name(country) else ""
    if not label:
        country = ""
    # A region narrows a country further (one query): one of its regions, or nothing.
    region, region_label = request.GET.get("region", "").strip(), ""
    if country and re.fullmatch(r"\d{1,12}", region):
        from organisations.models import Region

        region_label = Region.objects.filter(pk=int(region), country=country).values_list("name", flat=True).first()
    if not region_label:
        region, region_label = "", ""
    places = {"country": country, "country_label": label, "region": region, "region_label": region_label}
    if period is not None:
        return dashboard.Scope(_period_end(period, today), period, **places)
    as_of = settings.DASHBOARD_AS_OF
    if as_of and as_of < today and request.GET.get("today", "") != "1":
        return dashboard.Scope(as_of, None, preset=True, **places)
    return dashboard.Scope(today, None, **places)


def _dashboard_content(scope, *, can_add, coordinator=False):
    """The summary, the cards, the charts and the breakdowns of the dashboard for ``scope``, rendered once per
    roll-up (and day, filters and role) and cached: ``{"html", "has_figures"}``.

    They are the same for every viewer of a role; the rest of the page (user name, CSRF token) is rendered
    per request.
    """
    today = timezone.localdate()
    period = scope.period
    key = (f"indicators:dashboard:{today.isoformat()}:{scope.on.isoformat()}:{period.pk if period else ''}:"
           f"{scope.country}:{scope.region}:{int(scope.preset)}:{int(can_add)}:{int(coordinator)}")

    def build():
        cards = dashboard.cards(on=scope.on, project_id=period.project_id if period else None)
        if period is not None:
            # The change over the last 30 days means nothing at a period's end: the period's page gives
            # the change over the period.
            for card in cards:
                card.value_month_ago = card.since = None
        selector_periods = period_source.source().flag_missing_narratives(cards, scope.on)
        todo = period_source.source().narratives_due(cards, scope.on) if coordinator else []
        if period is not None:
            for card in cards:
                card.needs_narrative = False
        rows = dashboard.place_rows(cards)
        countries = _country_choices(rows)
        status_cards = cards
        place = scope.place
        if place:
            cards = dashboard.country_cards(cards, place[1], rows, scope.place_label, dimension=place[0])
        dashboard.add_sparklines(cards, scope.on, *((place[1], place[0]) if place else ()))
        dashboard.add_milestones(cards, scope.on)
        places = dashboard.places(cards, rows, scope.country, scope.region)
        shown = [c for c in cards if c.snapshot]
        progress = _figure(("progress", scope.country, scope.region, [(c.indicator.title, c.snapshot.progress, c.expected_percent)
                                                        for c in shown]),
                           lambda: charts.progress_figure(cards)) if shown else None
        breakdown = _places_figure(places)
        map_context = _map_context(None, places.map_card.indicator.unit, places.map) if places.map_card else \
            {"map_figure": None}
        if places.map_card:
            map_context["map_heading"] = gettext("Where: %(indicator)s") % {"indicator": places.map_card.indicator.title}
        html = render_to_string("indicators/_dashboard_cards.html", {
            "scope": scope,
            "selector_periods": selector_periods,
            "countries": countries,
            "groups": dashboard.group_by_pillar(cards),
            "summary": dashboard.summary(status_cards),
            "timeline": dashboard.timeline(cards, on=scope.on, is_today=scope.is_today),
            "as_of": dashboard.as_of(cards) if scope.is_today else None,
            "as_of_period": period, "as_of_date": scope.on,
            "can_add": can_add and scope.is_today,
            "todo": todo,
            "cards": cards,
            "progress_figure": progress,
            "progress_csv": _csv_data([gettext("Indicator"), gettext("Value"), gettext("Target"), gettext("Progress %"),
                                       gettext("Expected by now %")],
                                      [[c.indicator.title, c.snapshot.value, c.snapshot.target,
                                        c.snapshot.progress_percent, "" if c.country else c.expected_percent]
                                       for c in shown]),
            "places": places,
            "places_figure": breakdown,
            "places_csv": _csv_data([gettext("Indicator")] + [label for _, label in places.columns],
                                    [[card.indicator.title] + ["" if v is None else v for v in values]
                                     for card, values in places.rows]),
            **map_context,
        })
        return {"html": html, "has_figures": bool(progress or breakdown or map_context["map_figure"])}

    return _cached(key, build)


def _country_choices(rows):
    """[(code, name)] of the countries some card's snapshot has a part in, by name in the reader's language."""
    codes = {key for _, dimension, key, _, _ in rows if dimension == "country" and len(key) == 2}
    return sorted(((code, l10n.country_name(code)) for code in codes), key=lambda pair: l10n.sort_key(pair[1]))


def _places_figure(places):
    """The breakdown by place of the first indicator broken down so (the map's), as a bar chart."""
    if not places.columns or places.map_card is None:
        return None
    values = next((values for card, values in places.rows if card is places.map_card), None)
    if values is None:
        return None
    label = gettext("By region") if places.dimension == "region" else gettext("By country")
    dimension = dashboard.BreakdownDimension(places.dimension, label, False, [
        dashboard.BreakdownPart(key, name, value) for (key, name), value in zip(places.columns, values, strict=True)
        if value is not None][:dashboard.BREAKDOWN_PARTS_SHOWN])
    unit = places.map_card.indicator.unit
    return _figure(("places", unit, label, [(p.key, p.label, p.value) for p in dimension.parts]),
                   lambda: charts.breakdown_figure(dimension, unit))


def _csv_data(header, table):
    """A small table as a ``data:`` URL a link downloads (the CSV under a chart): no request, no script.

    In the reader's language's CSV variant (``registers.csvformat``: ``;`` and decimal commas but in
    English), with a BOM: the page is cached per language, so is its CSV."""
    from urllib.parse import quote

    from registers.exports import neutralise

    rows = [[neutralise(value) if isinstance(value, str) else value for value in row] for row in table]
    return "data:text/csv;charset=utf-8," + quote(csvformat.text(headers=header, rows=rows,
                                                                 dialect=csvformat.dialect()))


def _selected_period(value):
    """The period chosen on the dashboard (``?period=<id>``), or None for today's figures."""
    if not (value or "").isdigit():
        return None
    return period_source.source().get(int(value))


def _period_end(period, today=None):
    """The date a period's figures are read at: its end, or today while it runs."""
    return min(period.end_on, today or timezone.localdate())


def _cached(key, build, timeout=DASHBOARD_CACHE_SECONDS, *, by_generation=True):
    """``build()``, cached under ``key`` and the current generation for ``timeout`` seconds.

    Every roll-up bumps the generation (``registers.generations.ROLLUP``), so it shows at once.
    Without a shared cache (or with Redis down) the value is built on every request.
    A key naming its content (``by_generation=False``) outlives the generations.
    """
    # The HTML and the figures' labels are translated: the active language is part of the key.
    key = f"{key}:{translation.get_language()}"
    if by_generation:
        current = generations.current(generations.ROLLUP)
        if current is None:
            return build()
        key = f"{key}:{current}"
    return pagecache.get_or_build(key, build, timeout)


@require_GET
@login_required
def indicator_detail(request, code):
    _require_viewer(request)
    requested = request.GET.get("dimension", "")
    if not re.fullmatch(r"[\w-]{1,64}", requested):
        requested = ""
    country = request.GET.get("country", "").upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        country = ""
    # ?period=<id>: the figures as of the period's end (its month-end snapshots), like the dashboard.
    period_id = request.GET.get("period", "")
    if not re.fullmatch(r"\d{1,12}", period_id):
        period_id = ""
    can_add = roles.can_edit_registers(request.user)
    # A partner reads the figures only: no other organisation's records nor links to pages it may not open.
    partner = roles.is_partner(request.user)
    today = timezone.localdate()

    def build():
        return _indicator_page(request, code, today=today, requested=requested, country=country,
                               period_id=period_id, can_add=can_add, partner=partner)

    # The page's content is the same for every viewer with the same rights: built once per
    # roll-up (the snapshots) and generation of the records it shows (the indicator, its reports,
    # periods and narratives), and cached; only the page around it (user, CSRF) is rendered per
    # request. A code that names no indicator raises 404 from ``build`` and is never cached.
    records = generations.current(*generations.around(Indicator))
    built = build() if records is None else _cached(
        f"indicators:detail:{code}:{today.isoformat()}:{period_id}:{requested}:{country}:{int(can_add)}:{int(partner)}:"
        f"{records}",
        build)
    return render(request, "indicators/indicator_detail.html", built)


def _indicator_page(request, code, *, today, requested, country, period_id, can_add, partner=False):
    """``{"title", "content"}``: the indicator's page content as HTML (``_indicator_detail_content.html``)."""
    indicator = Indicator.objects.select_related("project", "pillar").filter(code=code).order_by("project_id").first()
    if indicator is None:
        raise Http404(gettext("No such indicator."))
    period = _selected_period(period_id)
    on = _period_end(period, today) if period else today
    # The snapshot parts are the same for every viewer: built once per roll-up (and day, period,
    # selected breakdown and country) and cached under the generation, read before the snapshots:
    # a roll-up committing in between then leaves what was built from the older snapshots under
    # the older generation, never under the newer one.
    key = f"indicators:page:{indicator.pk}:{today.isoformat()}:{period.pk if period else ''}:{requested}:{country}" \
          f":{int(partner)}"
    built = _cached(key, lambda: {**_indicator_snapshot_parts(indicator, on, requested, country=country,
                                                              period=period, hide_records=partner),
                                  # The same for every viewer (staff, managers, admins).
                                  "narrative": period_source.source().latest_narrative(indicator, request.user),
                                  "selector_periods": period_source.source().choices(indicator.project_id),
                                  # Recorded with a register change, whose drain is a roll-up.
                                  "late_periods": late_periods(indicator)})
    card = dashboard.Card(indicator, built["latest"], built["value_month_ago"], built["date_month_ago"])
    reports = []
    if indicator.is_reported:
        reports = list(indicator.reports.select_related("organisation").order_by("-as_of", "-id")[:20])
    content = render_to_string("indicators/_indicator_detail_content.html", {
        "indicator": indicator,
        "card": card,
        "snapshot": built["latest"],
        "charts_html": built["charts_html"],
        "reports": reports,
        "can_add": can_add,
        "partner": partner,
        "add_url": card.add_url(next_url=request.path),
        "narrative": built["narrative"][0],
        "narrative_parts": built["narrative"][1],
        "as_of_period": period, "as_of_date": on,
        "selector_periods": built["selector_periods"],
        "late_periods": built["late_periods"],
    })
    return {"title": indicator.title, "content": content}


def late_periods(indicator):
    """``[{"name", "start_on", "end_on", "reported", "facts"}]``: each closed period with records recorded after
    its closing, its reported (frozen) value at its end beside them. Three queries.

    A period is named in the reader's language (``period_source``), or by the name copied with the fact when
    the period is gone."""
    facts = list(indicator.late_facts.pending().select_related("recorded_by"))
    if not facts:
        return []
    ends = {fact.period_end for fact in facts}
    reported = dict(indicator.snapshots.filter(date__in=ends).values_list("date", "value"))
    names = {period.pk: period.name for period in period_source.source().closed([indicator.project_id])}
    periods = {}
    for fact in facts:
        period = periods.setdefault(fact.period_id, {
            "name": names.get(fact.period_id) or fact.period_name, "start_on": fact.period_start,
            "end_on": fact.period_end,
            "reported": reported.get(fact.period_end), "facts": []})
        period["facts"].append(fact)
    return list(periods.values())


def _indicator_snapshot_parts(indicator, today, requested_dimension, *, country="", period=None,
                              hide_records=False):
    """The latest snapshot, the value a month before, and the charts with their tables
    and the latest records rendered as HTML (``_indicator_charts.html``).

    Building the Plotly figures is most of what the page costs. Records saved since
    the last roll-up show with the next one (a moment later), like the value they
    count towards; an edit of the indicator (unit, milestones) when the cache entry
    expires.
    """
    snapshots = list(indicator.snapshots.current(today).order_by("date"))
    latest = snapshots[-1] if snapshots else None
    measure = registry.for_indicator(indicator)
    prefetch_related_objects([indicator], "milestones")  # one query for the trajectory and its table
    trajectory = indicator.trajectory()
    by_date = {m.date: m for m in indicator.milestones.all()}
    dimensions = dashboard.breakdown_dimensions(latest, measure)
    names = [d.name for d in dimensions]
    selected = requested_dimension if requested_dimension in names else (names[0] if names else "")
    month_ago = [s for s in snapshots if (today - s.date).days >= dashboard.CHANGE_WINDOW_DAYS]
    charts_html = render_to_string("indicators/_indicator_charts.html", {
        "indicator": indicator,
        "trajectory": trajectory,
        "trajectory_rows": [(date, value, by_date.get(date)) for date, value in trajectory],
        "history_csv": _csv_data([gettext("Date"), gettext("Value"), gettext("Expected"), gettext("Status")],
                                 [[p.date.isoformat(), p.value, p.expected, p.get_status_display()]
                                  for p in dashboard.monthly_points(snapshots)]),
        "monthly": dashboard.monthly_points(snapshots),
        "history_figure": _figure(
            ("history", indicator.unit, indicator.target, indicator.target_date, today, bool(period), trajectory,
             [(s.date, s.value) for s in snapshots]),
            lambda: charts.history_figure(indicator, snapshots, trajectory, today,
                                          *([gettext("period end")] if period else []))),
        "dimensions": [
            {"dimension": d,
             "figure": _figure(("breakdown", indicator.unit, d.label, [(p.key, p.label, p.value) for p in d.parts]),
                               lambda d=d: charts.breakdown_figure(d, indicator.unit)),
             "figure_id": f"breakdown-figure-{d.name}", "selected": d.name == selected,
             "csv": _csv_data([str(d.label), gettext("Value")], [[str(p.label), p.value] for p in d.parts])}
            for d in dimensions
        ],
        "records": [] if hide_records else dashboard.latest_records(indicator, today, measure),
        "hide_records": hide_records,
        "period": period,
        **_map_context(latest, indicator.unit),
        **_country_context(indicator, latest, today, country, dimensions),
    })
    return {"latest": latest, "value_month_ago": month_ago[-1].value if month_ago else None,
            "date_month_ago": month_ago[-1].date if month_ago else None,
            "charts_html": charts_html}


def _map_context(snapshot, unit, data=None):
    """The map of a snapshot's country and region breakdowns, if it has any (``_map.html``)."""
    data = dashboard.map_data(snapshot) if data is None else data
    if not data:
        return {"map_figure": None}
    return {
        "map_figure": _figure(("map", unit, [(p.key, p.label, p.value) for p in data.countries],
                               [(p.key, p.label, p.value, lat, lon) for p, lat, lon in data.regions]),
                              lambda: charts.map_figure(data, unit)),
        "map_countries": data.countries, "map_regions": [part for part, _, _ in data.regions],
        # Countries the map of Europe does not draw: listed beside it rather than lost.
        "map_outside": [part for part in data.countries if part.key not in set(charts.europe_countries())],
        "topojson_url": static(charts.TOPOJSON_DIRECTORY),
        "map_csv": _csv_data([gettext("Country or region"), gettext("Value")],
                             [[str(p.label), p.value] for p in data.countries]
                             + [[str(p.label), p.value] for p, _, _ in data.regions]),
    }


def _country_context(indicator, latest, on, country, dimensions):
    """The country filter: the countries of the latest country breakdown, and the chosen one's history."""
    countries = [part for d in dimensions if d.name == "country" for part in d.parts if len(part.key) == 2]
    if not countries:
        return {"countries": []}
    chosen = next((part for part in countries if part.key == country), None)
    if chosen is None:
        return {"countries": countries, "country": None}
    points = dashboard.part_history(indicator, "country", chosen.key, on)
    return {
        "countries": countries, "country": chosen, "country_points": points,
        "country_csv": _csv_data([gettext("Date"), str(chosen.label)], [[d.isoformat(), v] for d, v in points]),
        "country_figure": _figure(("part", indicator.unit, chosen.key, str(chosen.label), points),
                                  lambda: charts.part_history_figure(chosen.label, points, indicator.unit)),
    }


def _public_map_context(cards):
    """The map of the first public indicator with a country or region breakdown, titled with it."""
    snapshot, data = dashboard.first_map_data([card.snapshot for card in cards])
    if snapshot is None:
        return {"map_figure": None}
    indicator = next(card.indicator for card in cards if card.snapshot == snapshot)
    return {**_map_context(snapshot, indicator.unit, data),
            "map_heading": gettext("Where: %(indicator)s") % {"indicator": indicator.title}}


def _figure(data, build):
    """The JSON data of the figure ``build()`` makes from ``data``, cached under a hash of it.

    A roll-up that changed nothing (most of them) gives the pages a new generation; their
    figures are then found here instead of being built again with Plotly.
    """
    key = "indicators:figure:" + hashlib.sha256(repr(data).encode()).hexdigest()
    return _cached(key, lambda: charts.figure_data(build()), timeout=FIGURE_CACHE_SECONDS, by_generation=False)


def _export_cards(request):
    """The scope of the dashboard the export was asked from (``?period=``, ``?country=``, ``?today=``) and its
    cards: the export holds what the page shows."""
    _require_viewer(request)
    scope = _scope(request)
    cards = dashboard.cards(on=scope.on, project_id=scope.period.project_id if scope.period else None)
    place = scope.place
    if place:
        cards = dashboard.country_cards(cards, place[1], dashboard.place_rows(cards), scope.place_label,
                                        dimension=place[0])
    return scope, cards


def _export_name(scope, extension, *, history=False):
    name = exports.file_name(extension, scope.on, history=history)
    place = "-".join(part for part in (scope.country, scope.region) if part)
    return name.replace("lcamp-indicators", f"lcamp-indicators-{place}") if place else name


@require_GET
@login_required
def export_csv(request):
    """A row per indicator as the dashboard shows it (its date, period and country); with ``?history=1`` the
    month-end history up to that date instead (one row per month end). In the CSV variant of ``?variant=``
    (``registers.csvformat``; by default the reader's language's); an unknown variant is a 400."""
    try:
        dialect = csvformat.from_request(request)
    except csvformat.BadVariant as error:
        _require_viewer(request)
        return csvformat.bad_variant_response(error)
    scope, cards = _export_cards(request)
    history = request.GET.get("history", "") in ("1", "true", "yes")
    content = exports.history_as_csv(exports.history_rows(cards, scope.on), dialect) if history else \
        exports.as_csv(exports.rows(cards), dialect)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(scope, "csv", history=history)}"'
    return response


@require_GET
@login_required
def export_xlsx(request):
    """Two sheets: a row per indicator as the dashboard shows it, and the month-end history up to that date."""
    _require_viewer(request)
    scope = _scope(request)

    def build():
        _, cards = _export_cards(request)
        return exports.as_xlsx(exports.rows(cards), exports.history_rows(cards, scope.on))

    # The workbook changes only with a roll-up: built (cards included) once per generation,
    # day, filters and language; a cached request reads no snapshot.
    key = (f"indicators:export:xlsx:{timezone.localdate().isoformat()}:{scope.on.isoformat()}:"
           f"{scope.period.pk if scope.period else ''}:{scope.country}:{scope.region}")
    response = HttpResponse(
        _cached(key, build),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name(scope, "xlsx")}"'
    return response


@require_GET
def public(request):
    """The indicators marked public: aggregates only, no login, cacheable."""
    today = timezone.localdate().isoformat()

    def build():
        cards = dashboard.cards(public_only=True)
        key = f"indicators:public:progress:{today}"
        context = {
            "cards": cards,
            "timeline": dashboard.timeline(cards),
            "as_of": dashboard.as_of(cards),
            "narratives": period_source.source().public_narratives(),
            "progress_figure": _cached(key, lambda: charts.figure_data(charts.progress_figure(cards)))
            if any(c.snapshot for c in cards) else None,
            **_public_map_context(cards),
        }
        has_figures = bool(context["progress_figure"] or context["map_figure"])
        return render_to_string("indicators/public_content.html", context, request), has_figures

    # The same for every visitor: built once per roll-up, day and language; the indicators and
    # narratives are records, so a published narrative (a record change) builds it afresh too.
    records = generations.current(*generations.around(Indicator))
    content, has_figures = build() if records is None else _cached(
        f"indicators:public:content:{today}:{records}", build)
    response = render(request, "indicators/public.html", {"content": content, "has_figures": has_figures})
    if request.user.is_authenticated:
        # The page header then carries the user's name and a CSRF token: no shared cache.
        patch_cache_control(response, private=True, max_age=PUBLIC_MAX_AGE)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


@require_GET
@login_required
def version(request):
    """What the dashboard polls: the roll-up generation, the time of the last roll-up and the indicators a
    drain has still to update.

    Polled by every open dashboard (every second after a save, every 30 seconds otherwise): the time is
    read from the cache under the generation (the snapshots are read once per roll-up), the waiting
    indicators from the outbox (one small query). Never cached by the browser.
    """
    _require_viewer(request)
    pending = sorted(set(OutboxEntry.objects.values_list("indicator__code", flat=True)))
    response = JsonResponse({"generation": generations.current(generations.ROLLUP) or "", "pending": pending,
                             "as_of": _cached("indicators:rollup-at", dashboard.last_rollup_at, ROLLUP_AT_SECONDS)})
    patch_cache_control(response, no_store=True)
    return response


@login_required
def milestones_edit(request, code):
    """A coordinator edits an indicator's interim targets (date, value, label, assumed): all saved or none."""
    if not roles.is_coordinator(request.user):
        raise PermissionDenied
    indicator = Indicator.objects.select_related("project").filter(code=code).order_by("project_id").first()
    if indicator is None:
        raise Http404(gettext("No such indicator."))
    formset = MilestoneFormSet(request.POST or None, instance=indicator, prefix="milestones")
    if request.method == "POST":
        if formset.is_valid():
            services.milestones_save(formset=formset)
            messages.success(request, gettext("Interim targets saved: the expected values are computed again."))
            return redirect("indicators:indicator-detail", code=indicator.code)
        return render(request, "indicators/milestones.html", {"indicator": indicator, "formset": formset},
                      status=400)
    return render(request, "indicators/milestones.html", {"indicator": indicator, "formset": formset})


@require_POST
@login_required
def refresh(request):
    """A manager asks for a roll-up now; it is queued, the page says so."""
    if not roles.can_edit_registers(request.user):
        raise PermissionDenied
    if not triggers.refresh_now():
        messages.error(request, gettext("The roll-up could not be queued: the task queue does not answer. "
                                        "Try again later."))
    else:
        messages.success(request, gettext("Roll-up queued: the figures update in a moment."))
    return redirect("indicators:dashboard")
