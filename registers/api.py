"""Shared pieces of the REST API v1: permissions, the base serializer and viewset, errors, schema.

The API follows the browser's rules: permissions ask the same questions of
``lcamp.roles``, serializers validate through the model's ``full_clean()`` (and
the model's own many-to-many rules), and a Django ``ValidationError`` raised by a
service answers 400 with ``{"field": ["message"]}`` like a form would.
"""

import copy
import json

from django import forms as django_forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django_filters import rest_framework as filters
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from accounts import roles

from . import generations, pagecache, records, reviews, submissions
from .access import OWN, allowed
from .authentication import TokenOrBearerAuthentication
from .counting import EstimatedCountPaginator
from .search import lookup_crosses_to_many, order_terms, search_condition

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


def validation_error_detail(error):
    """A Django ValidationError as DRF's ``{"field": ["message"]}`` (non-field errors under ``non_field_errors``)."""
    if hasattr(error, "error_dict"):
        return {NON_FIELD if field == "__all__" else field: messages
                for field, messages in error.message_dict.items()}
    return {NON_FIELD: error.messages}


def exception_handler(exc, context):
    """DRF's handler, plus: a Django ValidationError (from a model or a service) answers 400 with field messages."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_error_detail(exc))
    return drf_exception_handler(exc, context)


class StaleVersion(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This record was changed by somebody else since you read it; read it again and redo your change.")
    default_code = "stale_version"


# --- Authentication ------------------------------------------------------------------------


class TokenOrBearerScheme(OpenApiAuthenticationExtension):
    """The schema's security scheme: HTTP bearer (what generated clients send by default), ``Token`` too."""

    target_class = TokenOrBearerAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "The API token of your profile page, as `Authorization: Bearer <key>` or "
                               "`Authorization: Token <key>`."}


# --- Permissions ---------------------------------------------------------------------------


class RegisterPermission(permissions.BasePermission):
    """Registers, as on their pages (``registers.access.allowed``): coordinators and admins read and
    write, staff read; in a register of records with a responsible organisation (the view's
    ``partner_access`` "own") partner editors read and write their own organisation's records (as
    submissions) and partner viewers read them; the view's queryset holds only those, so another
    organisation's record answers 404. A partner editor without an organisation writes nothing."""

    def has_permission(self, request, view):
        user = request.user
        edit = request.method not in permissions.SAFE_METHODS
        if not allowed(user, edit=edit, partners=getattr(view, "partner_access", "")):
            return False
        return not (edit and roles.is_partner(user) and not submissions.may_write(user))


class DashboardPermission(permissions.BasePermission):
    """Indicators and their figures: whoever sees the dashboard (admins, managers, staff)."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS and roles.can_view_dashboard(request.user)


MAX_ID = 2**63 - 1
ID_REGEX = r"[0-9]{1,18}"


def is_storable_id(value):
    try:
        return abs(int(str(value).strip())) <= MAX_ID
    except (TypeError, ValueError):
        return True  # not an integer at all: the field's own validation answers


class StorableIdRelatedField(serializers.PrimaryKeyRelatedField):
    def to_internal_value(self, data):
        if not isinstance(data, bool) and not is_storable_id(data):
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class RelatedIdFilter(filters.NumberFilter):
    """A filter on a related record's id: any whole number, and an id that names no record (or that no
    record could have, past 64 bits) gives an empty list, as the schema's integer promises, not a 400.
    Who may see the related record does not matter: the list holds only what the reader may see."""

    field_class = django_forms.IntegerField

    def __init__(self, *args, queryset=None, **kwargs):  # django-filter's defaults pass the related queryset
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        if abs(value) > MAX_ID:
            return qs.none()
        return super().filter(qs, value)


def _related_id_defaults():
    from django.db import models

    defaults = dict(filters.FilterSet.FILTER_DEFAULTS)
    for field_class in (models.ForeignKey, models.OneToOneField, models.OneToOneRel):
        defaults[field_class] = {"filter_class": RelatedIdFilter}
    for field_class in (models.ManyToManyField, models.ManyToOneRel, models.ManyToManyRel):
        defaults[field_class] = {"filter_class": RelatedIdFilter, "extra": lambda field: {"distinct": True}}
    return defaults


class ApiFilterSet(filters.FilterSet):
    """django-filter's FilterSet, with relation filters on ids (``RelatedIdFilter``)."""

    FILTER_DEFAULTS = _related_id_defaults()


class ApiFilterBackend(filters.DjangoFilterBackend):
    filterset_base = ApiFilterSet

    def to_html(self, request, queryset, view):
        """No filter form in the browsable API: its relation filters would render every
        organisation as an <option> (a page of megabytes at a million records)."""
        return ""


# --- Serializers ----------------------------------------------------------------------------


class CleanModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer that validates through the model's ``full_clean()``, as the forms do.

    Subclasses add many-to-many rules in ``validate_related(attrs, instance)`` and
    what the server decides in ``prepare_instance(instance)``.
    """

    serializer_related_field = StorableIdRelatedField

    def _many_to_many_names(self):
        return {f.name for f in self.Meta.model._meta.many_to_many}

    def validate(self, attrs):
        attrs = super().validate(attrs)
        m2m = self._many_to_many_names()
        instance = copy.copy(self.instance) if self.instance is not None else self.Meta.model()
        for name, value in attrs.items():
            if name not in m2m and name != "version":
                setattr(instance, name, value)
        try:
            instance = self.prepare_instance(instance)
            instance.full_clean(exclude=list(m2m))
            self.validate_related(attrs, instance)
            if self.submits():
                submissions.check_owner(instance, self._user(), {name: self.related_value(attrs, name)
                                                                 for name in m2m})
        except DjangoValidationError as error:
            raise serializers.ValidationError(validation_error_detail(error)) from error
        return attrs

    def prepare_instance(self, instance):
        """Set what the server decides (e.g. the partner's organisation) before validation."""
        return instance

    def _user(self):
        return self.context["request"].user

    def submits(self):
        """Whether this write is a partner editor's, submitted for a coordinator's validation (a register of
        records with a responsible organisation): its organisation must be responsible for the record."""
        return submissions.is_validated(self.Meta.model) and submissions.submits(self._user())

    def validate_related(self, attrs, instance):
        """Many-to-many rules; raise a Django ValidationError."""

    def related_value(self, attrs, name):
        """The many-to-many value after this write: the one sent, or the current one on a partial update."""
        if name in attrs:
            return list(attrs[name])
        if self.instance is not None:
            return list(getattr(self.instance, name).all())
        return []

    # Writes go through the same services as the browser's forms.

    def create(self, validated_data):
        validated_data.pop("version", None)
        m2m = {name: validated_data.pop(name) for name in self._many_to_many_names() if name in validated_data}
        return self._save(self.Meta.model(**validated_data), m2m, None)

    def update(self, instance, validated_data):
        sent_version = validated_data.pop("version", None)
        m2m = {name: validated_data.pop(name) for name in self._many_to_many_names() if name in validated_data}
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return self._save(instance, m2m, sent_version)

    def _save(self, instance, m2m, expected_version):
        user = self._user()
        try:
            if not self.submits():
                return self.save_record(instance=instance, m2m=m2m, expected_version=expected_version, user=user)
            # A partner editor's new record, or its rejected or waiting one saved again: submitted for
            # validation (a change to an approved record is a proposed change: ``RegisterViewSet.update``).
            with transaction.atomic():
                submissions.prepare_write(instance, user, m2m)
                saved = self.save_record(instance=instance, m2m=m2m, expected_version=expected_version, user=user)
                submissions.submit_new(saved, self.context["register_key"], user)
            return saved
        except records.StaleEdit as error:
            raise StaleVersion(
                gettext("%(problem)s The record is now at version %(version)s; read it again and redo your change.")
                % {"problem": error.summary, "version": error.current_version}) from error

    def save_record(self, *, instance, m2m, expected_version, user):
        """Create or update the record; subclasses call their app's service.

        The default is ``registers.records``: ``full_clean``, the history user, and the
        optimistic lock (``expected_version``: the version the client sent, else the
        one this request read).
        """
        return records.record_create_or_save(instance=instance, user=user, m2m=m2m,
                                             expected_version=expected_version)


class ReviewSerializer(serializers.Serializer):
    """The body of an approve or reject action."""

    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="The reviewer's note; a rejection needs one (the submitter reads it).")


def review_actions_schema(*, request, response):
    """The schema of a viewset's ``approve`` and ``reject`` actions: its review body and its record."""
    return extend_schema_view(
        approve=extend_schema(request=request, responses={200: response},
                              description="Approve a submitted record: from then on it counts. Nobody approves "
                                          "what they submitted themselves (403)."),
        reject=extend_schema(request=request, responses={200: response},
                             description="Reject a submitted record, with the reason in `note`. Nobody rejects "
                                         "what they submitted themselves (403)."),
    )


class ReviewActionsMixin:
    """``approve`` and ``reject`` actions on a viewset of ``Reviewable`` records, through the one
    review workflow (``registers.reviews.review``). Refused reviewers (their own submission,
    another role) answer 403 with the reason; a record not ready answers 400 with field messages.
    Decorate the viewset with ``review_actions_schema`` for its schema."""

    review_serializer_class = ReviewSerializer

    def perform_review(self, obj, decision, body):
        """Call the review workflow; a viewset overrides this to go through its app's service."""
        return reviews.review(obj=obj, reviewer=self.request.user, decision=decision, note=body["note"])

    def _review(self, request, decision):
        obj = self.get_object()
        body = self.review_serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            obj = self.perform_review(obj, decision, body.validated_data)
        except reviews.ReviewRefused as refused:
            raise exceptions.PermissionDenied(refused.message) from refused
        except DjangoValidationError as error:
            # The model field is ``review_note``; the request calls it ``note``.
            detail = {("note" if field == "review_note" else field): messages
                      for field, messages in validation_error_detail(error).items()}
            raise serializers.ValidationError(detail) from error
        return Response(self.get_serializer(obj).data)

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._review(request, reviews.Decision.APPROVE)

    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._review(request, reviews.Decision.REJECT)


class TrackedSerializer(CleanModelSerializer):
    """A register record (``TrackedModel``): optimistic locking on ``version``.

    ``version`` is given on output; a client may send the version it read with an
    update, and a stale one answers 409 and writes nothing.
    """

    version = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1,
        help_text="Counter of saves. Optional on update: send the version you read, and if the record changed "
                  "meanwhile the update answers 409 and writes nothing. Ignored on create.")

    @property
    def end_of_life(self):
        """The model's ``end_of_life`` ("retired", "retired_on"), or None. Setting the status without the date
        ends it today; reinstating an ended record, or moving the date of its end, is a correction and needs
        ``correction_reason`` (kept in the history)."""
        return getattr(self.Meta.model, "end_of_life", None)

    def get_fields(self):
        fields = super().get_fields()
        if self.end_of_life:
            fields["correction_reason"] = serializers.CharField(
                write_only=True, required=False, max_length=100,
                help_text="Why the record was wrong, when this update corrects it (reinstates an ended record or "
                          "moves the date of its end); kept in the record's history.")
        return fields

    def validate(self, attrs):
        reason = (attrs.pop("correction_reason", "") or "").strip()
        if self.end_of_life:
            end_status, end_field = self.end_of_life
            saved = self.instance
            status = attrs.get("status", saved.status if saved else None)
            ended_before = saved is not None and saved.status == end_status
            if status == end_status and not ended_before and attrs.get(end_field) is None:
                attrs[end_field] = timezone.localdate()
            if ended_before and not reason:
                if status != end_status:
                    raise serializers.ValidationError({"status": [
                        gettext("This record is %(status)s since %(date)s: reinstating it corrects the past; "
                                "send correction_reason.") % {"status": end_status, "date": getattr(saved, end_field)}]})
                if end_field in attrs and attrs[end_field] != getattr(saved, end_field):
                    raise serializers.ValidationError({end_field: [
                        gettext("Moving the date of this change corrects the past; send correction_reason.")]})
            if ended_before and status != end_status and end_field not in attrs:
                attrs[end_field] = None
        if reason and roles.is_partner(self._user()):
            raise serializers.ValidationError({"correction_reason": [
                gettext("A correction rewrites the record's history: only a coordinator corrects a record.")]})
        self._correction_reason = reason
        return super().validate(attrs)

    def _save(self, instance, m2m, expected_version):
        if getattr(self, "_correction_reason", ""):
            instance._change_reason = self._correction_reason
        return super()._save(instance, m2m, expected_version)


# --- Schema -----------------------------------------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ProposedFieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField(help_text="The approved value, as a person reads it.")
    new = serializers.CharField(help_text="The proposed value, as a person reads it.")


class ProposedChangeSerializer(serializers.Serializer):
    """The answer to a partner editor's update of an approved record (``proposed_change_data``)."""

    detail = serializers.CharField()
    submission = serializers.IntegerField(help_text="The id of the submission waiting for a coordinator.")
    kind = serializers.ChoiceField(choices=["change"])
    status = serializers.ChoiceField(choices=["submitted"])
    changes = ProposedFieldChangeSerializer(many=True)


FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "Each field name (or `non_field_errors`) with the list of its messages; for a list field, "
                   "the messages of each bad item by its index; `detail` alone when the body could not be read.",
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            {"type": "string"},
        ],
    },
}


class ApiSchema(AutoSchema):
    """The operation's own responses plus the errors it can answer.

    Every operation: 401 (no or bad credentials), 403 (role), 429 (throttled).
    Writes and lists (filters): 400 with field messages. A path with an id, or a
    paginated list (an unknown page): 404. Updates of a record with a ``version``:
    409 when it is stale. Every operation: 406 for an Accept it cannot answer; writes:
    415 for a body in another content type than the one advertised.
    """

    def _has_version(self):
        """Whether the record has a ``version`` (optimistic locking): only then can an update be stale."""
        serializer = self.get_request_serializer() or self.get_response_serializers()
        return isinstance(serializer, serializers.BaseSerializer) and "version" in getattr(serializer, "fields", {})

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        method = self.method.upper()
        is_list = self._is_list_view()
        errors = {
            "401": "Not authenticated, or a bad token.",
            "403": "Your role may not do this.",
            "429": "Too many requests: slow down (see the Retry-After header).",
        }
        # An operation with several formats takes ``?format=``; an empty one answers 400 (ApiContentNegotiation).
        several_formats = len({renderer.format for renderer in self.view.get_renderers()}) > 1
        if (method in ("POST", "PUT", "PATCH") or (is_list and method == "GET") or several_formats
                or getattr(self.view, "query_errors", False)):
            errors["400"] = "Invalid input; nothing was written."
        if "{" in self.path or (is_list and method == "GET"):
            errors["404"] = "No such record (or not yours), or no such page."
        if method in ("PUT", "PATCH") and "{" in self.path and self._has_version():
            errors["409"] = "The version you sent is stale: read the record again and redo your change."
        if (method in ("PUT", "PATCH") and "{" in self.path and getattr(self.view, "partner_access", "") == OWN
                and "202" not in responses):
            responses["202"] = self._get_response_for_code(OpenApiResponse(
                ProposedChangeSerializer,
                description="A partner editor's change to an approved record: kept for a coordinator, the record "
                            "unchanged (and counted as approved) until the change is approved."), "202")
        errors["406"] = "The Accept header asks for a format this operation does not give (use application/json)."
        if method in ("POST", "PUT", "PATCH"):
            errors["415"] = "The body's Content-Type is not the one this operation takes (see its request body)."
        for code, description in sorted(errors.items()):
            if code in responses:
                continue
            body = FIELD_ERRORS_SCHEMA if code == "400" else ErrorDetailSerializer
            responses[code] = self._get_response_for_code(OpenApiResponse(body, description=description), code)
        return responses


# --- Viewsets ---------------------------------------------------------------------------------


class Pagination(PageNumberPagination):
    """``count``, ``next``, ``previous``, ``results``; PAGE_SIZE rows unless ``page_size`` asks (1 to 500).

    A ``page_size`` that is not a whole number from 1 to 500 (``null``, ``0``, empty, 501) answers
    400 with a field message rather than being ignored or capped silently.
    """

    page_size_query_param = "page_size"
    max_page_size = 500
    # ``count`` is exact under EXACT_COUNT_BELOW rows and the planner's estimate above (PostgreSQL).
    django_paginator_class = EstimatedCountPaginator

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = int(raw) if raw.isascii() and raw.isdigit() else 0
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError({self.page_size_query_param: [
                gettext("Give a whole number of rows from 1 to %(max)s, or leave page_size out.")
                % {"max": self.max_page_size}]})
        return size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
                parameter["description"] = f"Rows a page, 1 to {self.max_page_size}."
        return parameters


class ApiSearchFilter(SearchFilter):
    """DRF's search, answering a search the database cannot take (a NUL character) with
    ``{"search": [message]}`` like every other bad parameter."""

    def get_search_terms(self, request):
        value = request.query_params.get(self.search_param, "")
        if "\x00" in value:
            raise exceptions.ValidationError({self.search_param: [gettext("Null characters are not allowed.")]})
        return super().get_search_terms(request)

    def filter_queryset(self, request, queryset, view):
        """Each term in any of the view's ``search_fields`` (translated fields in every language),
        asked table by table as on the register pages (``registers.search.search_condition``)."""
        fields = getattr(view, "search_fields", None)
        terms = self.get_search_terms(request)
        if not fields or not terms or any(name[:1] in "^=@$" for name in fields):
            return super().filter_queryset(request, queryset, view)
        for term in terms:
            queryset = queryset.filter(search_condition(queryset.model, fields, term))
        if any(lookup_crosses_to_many(queryset.model, name) for name in fields):
            queryset = queryset.distinct()
        return queryset


class StrictOrderingFilter(OrderingFilter):
    """``ordering`` takes the listed fields (``-`` first for descending); another answers 400, not ignored."""

    def allowed(self, view, request=None):
        fields = [name for name, _ in self.get_valid_fields(view.get_queryset(), view, {"request": request})]
        return [value for name in fields for value in (name, f"-{name}")]

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw:
            allowed = self.allowed(view, request)
            unknown = [term.strip() for term in raw.split(",") if term.strip() not in allowed]
            if unknown:
                raise exceptions.ValidationError({self.ordering_param: [
                    gettext("Unknown ordering %(unknown)s; use one of: %(allowed)s.")
                    % {"unknown": ", ".join(unknown), "allowed": ", ".join(allowed)}]})
        return super().get_ordering(request, queryset, view)

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        # A translated field sorts by its own (indexed) column, as on the register pages.
        terms = [term for name in ordering for term in order_terms(queryset.model, name)[:1]]
        return queryset.order_by(*terms, "pk")

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        try:
            allowed = self.allowed(view)
        except Exception:  # a view whose queryset needs a request: no enum  # noqa: BLE001
            return parameters
        for parameter in parameters:
            if parameter["name"] == self.ordering_param:
                parameter["schema"] = {"type": "string", "enum": allowed}
                parameter["description"] = "Sort by this field; a leading - sorts descending."
        return parameters


def url_or_blank_as_any_of(result, generator, request, public):
    """drf-spectacular hook: "a URL or blank" is ``anyOf`` (a blank string matches both branches of a
    ``oneOf`` of a URI string and an empty string, which makes every blank value invalid)."""

    def walk(node):
        if isinstance(node, dict):
            branches = node.get("oneOf")
            if branches and any(b.get("maxLength") == 0 for b in branches if isinstance(b, dict)):
                node["anyOf"] = node.pop("oneOf")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result


class ThrottleFirstMixin:
    """Throttle before the permission check, so that requests without credentials, which
    answer 401, count against the anonymous rate too (DRF throttles only after permissions)."""

    def check_permissions(self, request):
        self.check_throttles(request)
        self._throttles_checked = True
        super().check_permissions(request)

    def check_throttles(self, request):
        if not getattr(self, "_throttles_checked", False):
            super().check_throttles(request)


class CachedListMixin:
    """A JSON list answered from the registers page cache (``registers.pagecache``) until a record it
    shows changes: the same query by a user with the same roles and organisation gets the same rows.
    A bad parameter raises before anything is cached; other formats are built every time."""

    def list(self, request, *args, **kwargs):
        if getattr(request.accepted_renderer, "format", "") != "json":
            return super().list(request, *args, **kwargs)
        user = request.user
        vary = [request.accepted_renderer.media_type, sorted(roles.role_names(user)), user.is_superuser,
                getattr(user, "organisation_id", None)]

        def build():
            response = super(CachedListMixin, self).list(request, *args, **kwargs)
            return request.accepted_renderer.render(response.data, request.accepted_media_type,
                                                    self.get_renderer_context())

        content = pagecache.cached(f"api:{self.basename}", request, build,
                                   models=generations.shown_with(self.get_queryset().model), vary=vary)
        renderer = request.accepted_renderer
        content_type = f"{renderer.media_type}; charset={renderer.charset}" if renderer.charset \
            else renderer.media_type
        return PrerenderedResponse(content, content_type=content_type)


class PrerenderedResponse(Response):
    """A response whose JSON was rendered before (and cached); ``data`` is parsed back only when read."""

    def __init__(self, content, *, content_type):
        self._prerendered = content
        self._data = None
        super().__init__(None, content_type=content_type)

    @property
    def data(self):
        if self._data is None and self._prerendered:
            self._data = json.loads(self._prerendered)
        return self._data

    @data.setter
    def data(self, value):
        self._data = value

    @property
    def rendered_content(self):
        self["Content-Type"] = self.content_type
        return self._prerendered


class RegisterViewSet(ThrottleFirstMixin, CachedListMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                      mixins.ListModelMixin, viewsets.GenericViewSet):
    """Create, read, update and list; no delete: counted records change status instead,
    and admins delete in the admin site."""

    # Token first, so an anonymous request answers 401 with ``WWW-Authenticate: Token``.
    authentication_classes = [TokenOrBearerAuthentication, SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated, RegisterPermission]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    pagination_class = Pagination
    filter_backends = [ApiFilterBackend, ApiSearchFilter, StrictOrderingFilter]
    lookup_value_regex = ID_REGEX
    schema = ApiSchema()
    # An action answering 400 for a bad query parameter sets this (for the schema).
    query_errors = False
    # The register's page (``namespace:name``): a partner editor's writes are submitted under it and
    # its edit form checks a proposed change. Set on the registers of records with a responsible organisation.
    register_key = ""

    def get_exception_handler(self):
        return exception_handler

    @property
    def partner_access(self):
        """What partners may do here, as on the register's pages: "own" (their organisation's records) in
        a register of records with a responsible organisation, else nothing."""
        model = getattr(self.queryset, "model", None)
        return OWN if self.register_key and submissions.is_validated(model) else ""

    def get_queryset(self):
        queryset = super().get_queryset()
        user = self.request.user
        if self.partner_access == OWN and roles.is_partner(user):
            return queryset.model.owned_by(queryset, user.organisation_id)
        return queryset

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "register_key": self.register_key}

    def proposes_change(self, instance):
        """Whether an update of ``instance`` is a proposed change kept for a coordinator: a partner
        editor's, of an approved record (a submitted or rejected one is saved and submitted again)."""
        return (self.partner_access == OWN and submissions.submits(self.request.user)
                and instance.approval == submissions.Approval.APPROVED)

    def update(self, request, *args, **kwargs):
        """An update; a partner editor's of an approved record answers 202 with the proposed change,
        the record unchanged until a coordinator approves it (``submissions.propose_values``)."""
        if not (self.partner_access == OWN and submissions.submits(request.user)):
            return super().update(request, *args, **kwargs)
        instance = self.get_object()
        if not self.proposes_change(instance):
            return super().update(request, *args, **kwargs)
        serializer = self.get_serializer(instance, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        sent_version = values.pop("version", None)
        if sent_version is not None and sent_version != instance.version:
            raise StaleVersion(gettext("This record is now at version %(version)s; read it again and redo your "
                                       "change.") % {"version": instance.version})
        submission = submissions.propose_values(instance, self.register_key, values, request.user,
                                                expected_version=instance.version)
        return Response(proposed_change_data(submission), status=status.HTTP_202_ACCEPTED)


def proposed_change_data(submission):
    """The answer to a proposed change: the submission waiting for a coordinator and what it changes."""
    return {
        "detail": gettext("Your change was submitted for validation; the approved version counts until a "
                          "coordinator approves it."),
        "submission": submission.pk, "kind": submission.kind, "status": submission.status,
        "changes": [{"field": c["field"], "old": c["old"], "new": c["new"]} for c in submission.changes],
    }


class ReadOnlyViewSet(ThrottleFirstMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    authentication_classes = RegisterViewSet.authentication_classes
    permission_classes = [permissions.IsAuthenticated, DashboardPermission]
    pagination_class = Pagination
    filter_backends = [ApiFilterBackend, ApiSearchFilter, StrictOrderingFilter]
    schema = ApiSchema()
    # An action answering 400 for a bad query parameter sets this (for the schema).
    query_errors = False

    def get_exception_handler(self):
        return exception_handler


@csrf_exempt  # it reads and writes nothing; a JSON 404 whatever the method
def not_found(request, path=""):
    """Anything under /api/v1/ that no route matches: a JSON 404, not the site's HTML page."""
    return JsonResponse({"detail": gettext("Not found.")}, status=status.HTTP_404_NOT_FOUND)
