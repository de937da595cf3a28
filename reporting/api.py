"""The review inbox in the API (``/api/v1/inbox/``): what waits for a coordinator, and its decisions.

The same list, filters and services as the page (``reporting.inbox``): GET lists the waiting
items oldest first (``register``, ``organisation``, ``older_than`` as query parameters); POST
``<key>/approve/`` or ``<key>/reject/`` (with the reason in ``note``) decides one. Coordinators only
(403 otherwise); an unknown key answers 404, a refused decision (their own submission) 403 with the
reason, a record not ready or a rejection without a reason 400 with field messages.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from registers import reviews
from registers.api import (
    ApiSchema,
    Pagination,
    RegisterViewSet,
    ReviewSerializer,
    ThrottleFirstMixin,
    exception_handler,
    validation_error_detail,
)

from . import inbox


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
