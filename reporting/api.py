"""The review inbox in the API (``/api/v1/inbox/``): what waits for a coordinator, and its decisions.

The same list, filters and services as the page (``reporting.inbox``): GET lists the waiting
items oldest first (``register``, ``organisation``, ``older_than`` as query parameters); POST
``<key>/approve/`` or ``<key>/reject/`` (with the reason in ``note``) decides one. Coordinators only
(403 otherwise); an unknown key answers 404, a refused decision (their own submission) 403 with the
reason, a record not ready or a rejection without a reason 400 with field messages.
"""

import datetime
import json

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from accounts import roles
from indicators.models import Indicator, Snapshot
from registers import reviews
from registers.api import (
    ApiSchema,
    Pagination,
    ReadOnlyViewSet,
    RegisterViewSet,
    ReviewSerializer,
    StaleVersion,
    StorableIdRelatedField,
    ThrottleFirstMixin,
    exception_handler,
    validation_error_detail,
)

from . import downloads, inbox, narratives, partner_narratives, periods, report
from .models import Narrative, PartnerNarrative, ReportingPeriod


class CoordinatorPermission(permissions.BasePermission):
    def has_permission(self, request, view):
        return inbox.may_review(request.user)


class InboxPagination(Pagination):
    django_paginator_class = Paginator  # an exact count: the union of the sources has no planner estimate


class LabelValueSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField()


class LabelUrlSerializer(serializers.Serializer):
    label = serializers.CharField()
    url = serializers.CharField()


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField(required=False)
    label = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class InboxItemSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="`<source>:<id>`, e.g. `submission:12`, `mou:3`, `report:7`.")
    source = serializers.CharField()
    register = serializers.CharField(help_text="The register key, e.g. `training:micro-credential`, `mou`.")
    register_label = serializers.CharField()
    organisation = serializers.IntegerField(source="organisation_id", allow_null=True)
    organisation_name = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField(help_text="The record's page on the site.")
    status = serializers.CharField()
    kind = serializers.CharField(source="kind_label")
    submitted_at = serializers.DateTimeField()
    submitted_by = serializers.CharField()
    changes = ChangeSerializer(many=True, help_text="A proposed change: each field's old and new value.")
    facts = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    review_note = serializers.CharField()

    @extend_schema_field(LabelValueSerializer(many=True))
    def get_facts(self, item) -> list[dict]:
        return [{"label": label, "value": value} for label, value in item.facts]

    @extend_schema_field(LabelUrlSerializer(many=True))
    def get_evidence(self, item) -> list[dict]:
        return [{"label": label, "url": url} for label, url in item.evidence]


FILTERS = [
    OpenApiParameter("register", OpenApiTypes.STR, OpenApiParameter.QUERY,
                     description="Only this register (a register key such as `training:micro-credential`, or `mou`, "
                                 "`report`)."),
    OpenApiParameter("organisation", OpenApiTypes.INT, OpenApiParameter.QUERY,
                     description="Only this responsible organisation's items (its id)."),
    OpenApiParameter("older_than", OpenApiTypes.INT, OpenApiParameter.QUERY,
                     description="Only items waiting for more than this many days (0 to 3650)."),
]


@extend_schema_view(
    list=extend_schema(parameters=FILTERS, description="Everything waiting for a coordinator, oldest first."),
    approve=extend_schema(request=ReviewSerializer, responses={200: InboxItemSerializer},
                          description="Approve a waiting item: from then on it counts. Nobody approves what they "
                                      "submitted themselves (403)."),
    reject=extend_schema(request=ReviewSerializer, responses={200: InboxItemSerializer},
                         description="Reject a waiting item, with the reason in `note` (required: 400 without)."),
)
class InboxViewSet(ThrottleFirstMixin, viewsets.GenericViewSet):
    authentication_classes = RegisterViewSet.authentication_classes
    permission_classes = [permissions.IsAuthenticated, CoordinatorPermission]
    serializer_class = InboxItemSerializer
    pagination_class = InboxPagination
    filter_backends: list = []
    lookup_field = "item"  # "key" names a picker's in the URL conf
    lookup_value_regex = r"[a-z_]+:[0-9]{1,18}"
    schema = ApiSchema()
    query_errors = True

    def get_exception_handler(self):
        return exception_handler

    def get_queryset(self):  # the schema asks; the list pages through ``inbox.rows``
        return None

    def list(self, request):
        form = inbox.FilterForm(request.query_params)
        if not form.is_valid():
            raise exceptions.ValidationError({name: list(errors) for name, errors in form.errors.items()})
        rows = self.paginate_queryset(inbox.rows(inbox.Filters.from_form(form)))
        items = inbox.items_for([(row[0], row[1]) for row in rows])
        return self.get_paginated_response(self.get_serializer(items, many=True).data)

    def _item(self, key):
        try:
            parsed = inbox.parse_key(key)
        except DjangoValidationError as error:
            raise exceptions.NotFound() from error
        found = inbox.items_for([parsed])
        if not found:
            raise exceptions.NotFound()
        return found[0]

    def _decide(self, request, key, decision):
        item = self._item(key)
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        note = (body.validated_data.get("note") or "").strip()
        if decision == reviews.Decision.REJECT and not note:
            raise exceptions.ValidationError(
                {"note": [gettext("Give the reason for the rejection: the submitter will read it.")]})
        try:
            inbox.inbox.get(item.source).decide(item.obj, request.user, decision, note)
        except DjangoPermissionDenied as refused:
            raise exceptions.PermissionDenied(str(getattr(refused, "message", refused))) from refused
        except DjangoValidationError as error:
            detail = {("note" if field == "review_note" else field): messages
                      for field, messages in validation_error_detail(error).items()}
            raise exceptions.ValidationError(detail) from error
        return Response(self.get_serializer(self._item(key)).data)

    @action(detail=True, methods=["post"])
    def approve(self, request, item=None):
        return self._decide(request, item, reviews.Decision.APPROVE)

    @action(detail=True, methods=["post"])
    def reject(self, request, item=None):
        return self._decide(request, item, reviews.Decision.REJECT)


# --- Reporting periods, narratives, partner notes, reports ---------------------------------------


class ReaderPermission(permissions.BasePermission):
    """Coordinators, staff and administrators read (as the narratives' pages); coordinators write."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return roles.can_view_registers(request.user)
        return roles.can_edit_registers(request.user)


class PartnerNotePermission(permissions.BasePermission):
    """Partner notes: coordinators, staff and administrators read every organisation's, a partner its own
    organisation's; only a partner editor with an organisation writes (its organisation's)."""

    def has_permission(self, request, view):
        user = request.user
        if request.method in permissions.SAFE_METHODS:
            return roles.can_view_registers(user) or roles.partner_organisation_id(user) is not None
        return partner_narratives.may_write(user)


class DueMilestoneSerializer(serializers.Serializer):
    date = serializers.DateField()
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    label = serializers.CharField()


class NarrativeSerializer(serializers.ModelSerializer):
    """A narrative: written by a coordinator for one indicator in one period (``narratives.narrative_save``)."""

    serializer_related_field = StorableIdRelatedField
    indicator = serializers.SlugField(source="indicator.code", max_length=60,
                                      help_text="The indicator's code (an indicator of the period's project).")
    version = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1,
        help_text="Counter of saves. Optional on update: send the version you read, and if the narrative changed "
                  "meanwhile the update answers 409 and writes nothing.")

    class Meta:
        model = Narrative
        fields = ["id", "period", "indicator", *Narrative.PARTS, "is_public", "version", "written_by", "updated_at",
                  "reviewed_by", "reviewed_at"]
        read_only_fields = ["written_by", "updated_at", "reviewed_by", "reviewed_at"]
        validators: list = []  # one narrative per indicator and period: checked in ``validate``

    def validate(self, attrs):
        code = attrs.pop("indicator", {}).get("code")
        period = attrs.get("period")
        if self.instance is not None:
            if (period is not None and period != self.instance.period) or (
                    code is not None and code != self.instance.indicator.code):
                raise serializers.ValidationError({"period": [gettext(
                    "A narrative stays with its indicator and period; write another one instead.")]})
            attrs["period"], attrs["indicator"] = self.instance.period, self.instance.indicator
            return attrs
        indicator = Indicator.objects.filter(project_id=period.project_id, code=code).first()
        if indicator is None:
            raise serializers.ValidationError({"indicator": [gettext(
                "No indicator with this code in the period's project.")]})
        existing = Narrative.objects.filter(period=period, indicator=indicator).values_list("pk", flat=True).first()
        if existing is not None:
            raise serializers.ValidationError({"indicator": [gettext(
                "This indicator has a narrative in this period already (id %(id)s): update it.") % {"id": existing}]})
        attrs["indicator"] = indicator
        return attrs

    def save(self, **kwargs):
        data = self.validated_data
        parts = {name: data[name] for name in (*Narrative.PARTS, "is_public") if name in data}
        user = self.context["request"].user
        version = data.get("version")
        if self.instance is not None:
            if version is not None and version != self.instance.version:
                raise StaleVersion(gettext("Somebody changed this narrative since you read it: it is now at version "
                                           "%(version)s; read it again and redo your change.")
                                   % {"version": self.instance.version})
            version = self.instance.version
        try:
            self.instance = narratives.narrative_save(indicator=data["indicator"], period=data["period"], user=user,
                                                      data=parts, version=version)
        except DjangoPermissionDenied as refused:
            raise exceptions.PermissionDenied() from refused
        except DjangoValidationError as error:
            raise exceptions.ValidationError(validation_error_detail(error)) from error
        return self.instance


class PartnerNoteSerializer(serializers.ModelSerializer):
    """A partner organisation's note on its contribution to one indicator in one period."""

    serializer_related_field = StorableIdRelatedField
    indicator = serializers.SlugField(source="indicator.code", max_length=60,
                                      help_text="The indicator's code (an indicator of the period's project).")
    text = serializers.CharField(max_length=PartnerNarrative.MAX_LENGTH, help_text="Markdown.")

    class Meta:
        model = PartnerNarrative
        fields = ["id", "period", "indicator", "organisation", "text", "author", "updated_at"]
        read_only_fields = ["organisation", "author", "updated_at"]
        validators: list = []  # one note per organisation, indicator and period: written or replaced

    def validate(self, attrs):
        code = attrs.pop("indicator", {}).get("code")
        indicator = Indicator.objects.filter(project_id=attrs["period"].project_id, code=code).first()
        if indicator is None:
            raise serializers.ValidationError({"indicator": [gettext(
                "No indicator with this code in the period's project.")]})
        attrs["indicator"] = indicator
        return attrs

    def create(self, validated_data):
        user = self.context["request"].user
        try:
            return partner_narratives.partner_narrative_save(
                period=validated_data["period"], indicator=validated_data["indicator"],
                organisation_id=user.organisation_id, user=user, text=validated_data["text"])
        except DjangoPermissionDenied as refused:
            raise exceptions.PermissionDenied(str(refused) or None) from refused
        except DjangoValidationError as error:
            raise exceptions.ValidationError(validation_error_detail(error)) from error


class PeriodIndicatorSerializer(serializers.Serializer):
    """One indicator in a period: its figures at the period's end (or today while it runs)."""

    code = serializers.CharField(source="indicator.code")
    title = serializers.CharField(source="indicator.title")
    unit = serializers.CharField(source="indicator.unit")
    baseline = serializers.DecimalField(source="indicator.baseline", max_digits=14, decimal_places=2)
    target = serializers.DecimalField(source="indicator.target", max_digits=14, decimal_places=2)
    as_of = serializers.DateField(source="snapshot.date", allow_null=True,
                                  help_text="The date of the figures; null before the first roll-up.")
    value = serializers.DecimalField(source="snapshot.value", max_digits=14, decimal_places=2, allow_null=True)
    expected = serializers.DecimalField(source="snapshot.expected", max_digits=14, decimal_places=2, allow_null=True)
    progress = serializers.DecimalField(source="snapshot.progress", max_digits=7, decimal_places=4, allow_null=True)
    status = serializers.ChoiceField(source="snapshot.status", choices=Snapshot.Status.choices, allow_null=True)
    value_before = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True,
                                            help_text="The value before the period began.")
    change = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True,
                                      help_text="The value less the one before the period (or the baseline).")
    milestone = DueMilestoneSerializer(allow_null=True, help_text="The milestone due in the period, if any.")
    narrative = serializers.SerializerMethodField(help_text="The indicator's narrative in the period, if any (and "
                                                            "if you may read it).")
    partner_notes = serializers.SerializerMethodField(help_text="The partner organisations' notes you may read.")

    @extend_schema_field(NarrativeSerializer(allow_null=True))
    def get_narrative(self, row) -> dict | None:
        narrative = row.narrative
        if narrative is None or not narratives.can_read(self.context["request"].user, narrative):
            return None
        return NarrativeSerializer(narrative).data

    @extend_schema_field(PartnerNoteSerializer(many=True))
    def get_partner_notes(self, row) -> list[dict]:
        return PartnerNoteSerializer(self.context["notes"].get(row.indicator.pk, []), many=True).data


class PeriodSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="code", read_only=True)
    as_of = serializers.SerializerMethodField(help_text="The date the period's figures are read at: its end, or "
                                                        "today while it runs.")
    report_pdf = serializers.SerializerMethodField(help_text="The period's report (PDF) in the API; null when you "
                                                             "may not download it.")
    report_xlsx = serializers.SerializerMethodField(help_text="The period's report (XLSX) in the API; null when "
                                                              "you may not download it.")

    class Meta:
        model = ReportingPeriod
        fields = ["id", "project", "name", "start_on", "end_on", "state", "as_of", "report_pdf", "report_xlsx"]

    def get_as_of(self, period) -> datetime.date:
        return periods.as_of(period)

    def _report(self, period, fmt):
        request = self.context["request"]
        if not roles.can_view_registers(request.user):
            return None
        return request.build_absolute_uri(reverse("api:period-report", args=[period.pk, fmt]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_report_pdf(self, period) -> str | None:
        return self._report(period, "pdf")

    @extend_schema_field(OpenApiTypes.URI)
    def get_report_xlsx(self, period) -> str | None:
        return self._report(period, "xlsx")


class PeriodDetailSerializer(PeriodSerializer):
    indicators = serializers.SerializerMethodField(help_text="Every indicator of the period's project.")

    class Meta(PeriodSerializer.Meta):
        fields = [*PeriodSerializer.Meta.fields, "indicators"]

    @extend_schema_field(PeriodIndicatorSerializer(many=True))
    def get_indicators(self, period) -> list[dict]:
        user = self.context["request"].user
        notes: dict[int, list] = {}
        for note in partner_narratives.visible(user, PartnerNarrative.objects.filter(period=period).select_related(
                "indicator").order_by("organisation__name", "pk")):
            notes.setdefault(note.indicator_id, []).append(note)
        rows = periods.period_rows(period, with_breakdowns=False)
        return PeriodIndicatorSerializer(rows, many=True, context={**self.context, "notes": notes}).data


class ReportProgressSerializer(serializers.Serializer):
    detail = serializers.CharField()
    done = serializers.IntegerField(help_text="Records written so far.")
    total = serializers.IntegerField(help_text="Records to write (0 until known).")


class FileRenderer(BaseRenderer):
    """Names a file's media type for the content negotiation; the report's bytes are sent as they are."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else json.dumps(data).encode()


class PdfRenderer(FileRenderer):
    media_type = report.CONTENT_TYPES["pdf"]
    format = "pdf"


class XlsxRenderer(FileRenderer):
    media_type = report.CONTENT_TYPES["xlsx"]
    format = "xlsx"


class PeriodViewSet(ReadOnlyViewSet):
    """Reporting periods with their figures, narratives and notes; their reports as files. Read by whoever
    reads the periods' pages (administrators, coordinators, staff, and partners when the project lets
    them read the dashboard); the reports by administrators, coordinators and staff only."""

    queryset = ReportingPeriod.objects.select_related("project").order_by("project__code", "start_on", "pk")
    filterset_fields = {"project__code": ["exact"], "state": ["exact"], "start_on": ["gte", "lte"],
                        "end_on": ["gte", "lte"]}
    ordering_fields = ["start_on", "end_on", "name"]
    lookup_value_regex = "[0-9]{1,18}"

    def get_serializer_class(self):
        return PeriodDetailSerializer if self.action == "retrieve" else PeriodSerializer

    def _json(self):
        """Answer in JSON whatever renderer the request chose (an error, or a report still being built)."""
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if getattr(self.request, "accepted_renderer", None) is not None:
            self._json()
        return response

    @extend_schema(
        parameters=[OpenApiParameter("fmt", OpenApiTypes.STR, OpenApiParameter.PATH, enum=["pdf", "xlsx"],
                                     description="The file's format.")],
        responses={
            (200, report.CONTENT_TYPES["pdf"]): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF report."),
            (200, report.CONTENT_TYPES["xlsx"]): OpenApiResponse(OpenApiTypes.BINARY,
                                                                 description="The XLSX report."),
            (202, "application/json"): OpenApiResponse(ReportProgressSerializer, description=(
                "A large report is being built by a worker: ask again after the Retry-After header's seconds.")),
        },
        description="The period's report for the funder (its figures, narratives, notes and annexes), as the "
                    "period's page offers it. Administrators, coordinators and staff only.",
    )
    @action(detail=True, methods=["get"], url_path=r"report/(?P<fmt>pdf|xlsx)", filter_backends=[],
            pagination_class=None, renderer_classes=[JSONRenderer, PdfRenderer, XlsxRenderer])
    def report(self, request, pk=None, fmt=None):
        if not roles.can_view_registers(request.user):
            raise exceptions.PermissionDenied()
        period = self.get_object()
        content, progress = downloads.report_or_progress(period, fmt)
        if content is None:
            self._json()
            return Response({"detail": gettext("The report is being built; ask again in a moment."), **progress},
                            status=202, headers={"Retry-After": "10"})
        response = HttpResponse(content, content_type=report.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{report.file_name(period, fmt)}"'
        return response


class NarrativeViewSet(ThrottleFirstMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin,
                       mixins.UpdateModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Narratives: read by administrators, coordinators and staff; written by coordinators (a narrative
    is created once per indicator and period, then updated; never in a closed period)."""

    authentication_classes = RegisterViewSet.authentication_classes
    permission_classes = [permissions.IsAuthenticated, ReaderPermission]
    serializer_class = NarrativeSerializer
    queryset = Narrative.objects.select_related("indicator").order_by("period_id", "indicator__order",
                                                                      "indicator__code", "pk")
    pagination_class = Pagination
    filter_backends = RegisterViewSet.filter_backends
    filterset_fields = {"period": ["exact"], "indicator__code": ["exact"], "is_public": ["exact"]}
    search_fields = list(Narrative.PARTS)
    ordering_fields = ["updated_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = "[0-9]{1,18}"
    schema = ApiSchema()

    def get_exception_handler(self):
        return exception_handler


class PartnerNoteViewSet(ThrottleFirstMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin,
                         mixins.ListModelMixin, viewsets.GenericViewSet):
    """Partner organisations' notes on their contribution: a partner editor writes (or replaces) its
    organisation's note on an indicator while the period is open; readers as ``PartnerNotePermission``."""

    authentication_classes = RegisterViewSet.authentication_classes
    permission_classes = [permissions.IsAuthenticated, PartnerNotePermission]
    serializer_class = PartnerNoteSerializer
    pagination_class = Pagination
    filter_backends = RegisterViewSet.filter_backends
    filterset_fields = {"period": ["exact"], "indicator__code": ["exact"], "organisation": ["exact"]}
    ordering_fields = ["updated_at"]
    lookup_value_regex = "[0-9]{1,18}"
    schema = ApiSchema()

    def get_exception_handler(self):
        return exception_handler

    def get_queryset(self):
        notes = PartnerNarrative.objects.select_related("indicator").order_by("period_id", "indicator__code",
                                                                              "organisation_id", "pk")
        return partner_narratives.visible(self.request.user, notes)

    @extend_schema(description="Write your organisation's note on an indicator in an open period, or replace it "
                               "(one note per organisation, indicator and period).")
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)
