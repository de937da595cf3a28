"""API v1 of the indicators: their latest figures, history and breakdowns (read only), and reports.

Figures come from the stored snapshots only, like the dashboard: nothing is
aggregated on a request.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from registers.api import (
    Pagination,
    ReadOnlyViewSet,
    RegisterViewSet,
    ReviewActionsMixin,
    ReviewSerializer,
    TrackedSerializer,
    review_actions_schema,
)

from .dashboard import part_label
from .models import Breakdown, Indicator, Milestone, Report, Snapshot
from .registry import registry
from .reported.services import report_submit


class SnapshotSerializer(serializers.ModelSerializer):
    as_of = serializers.DateField(source="date", help_text="The date the figures are computed for.")

    class Meta:
        model = Snapshot
        fields = ["as_of", "value", "target", "expected", "progress", "status", "forecast"]


class PaginatedSnapshotSerializer(serializers.Serializer):
    """A page of an indicator's snapshots (for the schema)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SnapshotSerializer(many=True)


def _latest(field, name, **kwargs):
    """A read-only field giving the latest snapshot's ``name`` (null before the first roll-up)."""
    return field(source=f"latest_snapshot.{name}", read_only=True, allow_null=True,
                 help_text="From the latest snapshot (as in `latest`); null before the first roll-up.", **kwargs)


class IndicatorSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="code", read_only=True)
    pillar = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    # The latest figures, at the top level for a reader of the list, and again as ``latest``.
    value = _latest(serializers.DecimalField, "value", max_digits=14, decimal_places=2)
    expected = _latest(serializers.DecimalField, "expected", max_digits=14, decimal_places=2)
    progress = _latest(serializers.DecimalField, "progress", max_digits=7, decimal_places=4)
    status = _latest(serializers.ChoiceField, "status", choices=Snapshot.Status.choices)
    forecast = _latest(serializers.DecimalField, "forecast", max_digits=14, decimal_places=2)
    as_of = _latest(serializers.DateField, "date")
    latest = serializers.SerializerMethodField(help_text="The latest snapshot, or null before the first roll-up.")

    class Meta:
        model = Indicator
        fields = ["code", "title", "description", "project", "pillar", "unit", "baseline", "target", "target_date",
                  "is_public", "is_cumulative", "source", "time_rule", "value", "expected", "progress", "status",
                  "forecast", "as_of", "latest"]

    @extend_schema_field(SnapshotSerializer(allow_null=True))
    def get_latest(self, indicator):
        latest = indicator.latest_snapshot
        return SnapshotSerializer(latest).data if latest else None


def latest_snapshots_prefetch():
    """Each indicator's latest snapshot, in one query for any number of indicators."""
    newest = Snapshot.objects.current().filter(indicator=OuterRef("indicator")).values("pk")[:1]
    return Prefetch("snapshots", queryset=Snapshot.objects.filter(pk=Subquery(newest)), to_attr="latest_snapshots")


class BreakdownPartSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField(
        help_text="The part's name in the request's language (Accept-Language): a country by CLDR, whatever "
                  "language the roll-up stored it in; names people typed as stored.")

    class Meta:
        model = Breakdown
        fields = ["key", "label", "value"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_label(self, part):
        return part_label(part.dimension, part.key, part.label)


class BreakdownSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text="The indicator's code.")
    dimension = serializers.CharField()
    as_of = serializers.DateField(allow_null=True, help_text="The date of the snapshot; null before the first roll-up.")
    value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True,
                                     help_text="The snapshot's total value.")
    overlapping = serializers.BooleanField(
        help_text="True when one record may count in several parts, so the parts do not sum to the total.")
    parts = BreakdownPartSerializer(many=True)


class IndicatorViewSet(ReadOnlyViewSet):
    """Indicators with their latest figures. Read by admins, managers and staff."""

    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    serializer_class = IndicatorSerializer
    filterset_fields = ["source", "is_public", "pillar__code", "project__code"]
    search_fields = ["code", "title", "description"]
    ordering_fields = ["order", "code", "title", "target"]

    def get_queryset(self):
        return Indicator.objects.select_related("project", "pillar").prefetch_related(latest_snapshots_prefetch())

    def get_object(self):
        # A code is unique per project; the first project's indicator answers.
        indicator = self.get_queryset().filter(code=self.kwargs["code"]).order_by("project__code").first()
        if indicator is None:
            raise Http404(gettext("No indicator with this code."))
        self.check_object_permissions(self.request, indicator)
        return indicator

    def _indicator(self):
        indicator = Indicator.objects.filter(code=self.kwargs["code"]).order_by("project__code").first()
        if indicator is None:
            raise Http404(gettext("No indicator with this code."))
        return indicator

    @extend_schema(
        parameters=[
            OpenApiParameter("page", OpenApiTypes.INT, OpenApiParameter.QUERY, description="A page number."),
            OpenApiParameter("page_size", OpenApiTypes.INT, OpenApiParameter.QUERY,
                             description="Snapshots a page (50 unless asked, at most 500)."),
        ],
        responses={200: PaginatedSnapshotSerializer},
        description="The indicator's time series: its snapshots (month-ends, today and "
                    "the frozen snapshots of closed periods), oldest first, "
                    "paginated like every list (`count`, `next`, `previous`, `results`).",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=Pagination)
    def history(self, request, code=None):
        indicator = self._indicator()
        page = self.paginate_queryset(indicator.snapshots.order_by("date"))
        return self.get_paginated_response(SnapshotSerializer(page, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter(
            "dimension", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True,
            description="The breakdown dimension, e.g. country, region, organisation_kind: one of the indicator's "
                        "dimensions (an unknown one answers 400 with {\"dimension\": [...]}).")],
        responses={200: BreakdownSerializer},
        description="The latest snapshot's value broken down along one dimension.",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None, query_errors=True)
    def breakdown(self, request, code=None):
        indicator = self._indicator()
        snapshot = indicator.snapshots.current().first()
        dimension = request.query_params.get("dimension", "")
        known = self.dimensions_of(indicator, snapshot)
        if not dimension:
            raise serializers.ValidationError({"dimension": [
                gettext("This query parameter is required; one of: %(dimensions)s.")
                % {"dimensions": ", ".join(known) or gettext("(none yet)")}]})
        if dimension not in known:
            raise serializers.ValidationError({"dimension": [
                gettext("Unknown dimension %(dimension)s for %(indicator)s; one of: %(dimensions)s.")
                % {"dimension": repr(dimension), "indicator": indicator.code,
                   "dimensions": ", ".join(known) or gettext("(none yet)")}]})
        parts = list(snapshot.breakdowns.filter(dimension=dimension)) if snapshot else []
        return Response(BreakdownSerializer({
            "indicator": indicator.code,
            "dimension": dimension,
            "as_of": snapshot.date if snapshot else None,
            "value": snapshot.value if snapshot else None,
            "overlapping": any(part.overlapping for part in parts) or self._dimension_overlaps(indicator, dimension),
            "parts": parts,
        }).data)

    @staticmethod
    def dimensions_of(indicator, snapshot):
        """The measure's dimensions, plus any the stored breakdowns carry (reported indicators)."""
        names = []
        if indicator.measure_key and indicator.measure_key in registry:
            names = [d.name for d in registry.get(indicator.measure_key).dimensions]
        if snapshot:
            names += [n for n in snapshot.breakdowns.values_list("dimension", flat=True).distinct() if n not in names]
        return names

    @staticmethod
    def _dimension_overlaps(indicator, dimension):
        if indicator.measure_key and indicator.measure_key in registry:
            try:
                return registry.get(indicator.measure_key).dimension(dimension).overlapping
            except KeyError:
                return False
        return False


class ReportSerializer(TrackedSerializer):
    indicator = serializers.SlugRelatedField(
        slug_field="code", queryset=Indicator.objects.filter(source=Indicator.Source.REPORTED),
        help_text="The code of a reported indicator.")

    class Meta:
        model = Report
        fields = ["id", "indicator", "organisation", "as_of", "value", "evidence_url", "note", "status",
                  "submitted_by", "submitted_at", "reviewed_by", "reviewed_at", "review_note", "version", "created_at",
                  "updated_at"]
        read_only_fields = ["status", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at", "review_note",
                            "created_at", "updated_at"]

    def save_record(self, *, instance, m2m, expected_version, user):
        if instance.pk is None:
            # The browser's rule: a report carries its evidence (here its URL; files through the form).
            return report_submit(report=instance, user=user)
        if instance.status != Report.Status.SUBMITTED:
            # A reviewed value changes only by a new report, reviewed in turn.
            raise DjangoValidationError({"status": gettext("Only a submitted report can be changed; this one is "
                                                           "%(status)s.")
                                                   % {"status": instance.get_status_display().lower()}})
        return super().save_record(instance=instance, m2m=m2m, expected_version=expected_version, user=user)


@review_actions_schema(request=ReviewSerializer, response=ReportSerializer)
class ReportViewSet(ReviewActionsMixin, RegisterViewSet):
    """Reported values. Managers submit them; a manager of another organisation (or an admin) reviews them."""

    queryset = Report.objects.select_related("indicator", "organisation", "submitted_by", "reviewed_by")
    serializer_class = ReportSerializer
    filterset_fields = {
        "indicator__code": ["exact"],
        "organisation": ["exact"],
        "status": ["exact"],
        "as_of": ["gte", "lte"],
    }
    search_fields = ["note", "organisation__name"]
    ordering_fields = ["as_of", "value", "created_at"]


class MilestoneSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="The indicator's code.")
    project = serializers.SlugRelatedField(source="indicator.project", slug_field="code", read_only=True,
                                           help_text="The code of the indicator's project.")

    class Meta:
        model = Milestone
        fields = ["id", "indicator", "project", "date", "value", "label", "is_assumed"]


class MilestoneViewSet(ReadOnlyViewSet):
    """The indicators' interim targets, by indicator and date. Read by whoever reads the indicators."""

    queryset = Milestone.objects.select_related("indicator__project").order_by("indicator__project__code",
                                                                                "indicator__code", "date", "pk")
    serializer_class = MilestoneSerializer
    filterset_fields = {"indicator__code": ["exact"], "indicator__project__code": ["exact"],
                        "date": ["gte", "lte"]}
    search_fields = ["label"]
    ordering_fields = ["date", "value"]
    lookup_value_regex = "[0-9]{1,18}"
