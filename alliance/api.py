"""API v1 of the alliance registers: regions, organisations, members, cooperation projects, MoUs."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.parsers import JSONParser, MultiPartParser

from accounts import roles
from organisations.models import Organisation
from registers import uploads
from registers.api import (
    RegisterViewSet,
    ReviewActionsMixin,
    ReviewSerializer,
    TrackedSerializer,
    review_actions_schema,
)

from . import services
from .models import AllianceMember, CooperationProject, MoU


class MoUPermission(permissions.BasePermission):
    """MoUs: registers readers read all; partners read and submit their organisation's own.

    A partner's queryset holds only its organisation's MoUs, so another's answers 404.
    Only managers change an MoU or review it.
    """

    def has_permission(self, request, view):
        user = request.user
        if roles.can_view_registers(user):
            return request.method in permissions.SAFE_METHODS or roles.can_edit_registers(user)
        if roles.is_partner(user) and user.organisation_id:
            # Partners reach the object so that another organisation's MoU answers 404;
            # has_object_permission then refuses their writes.
            return True
        return False

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return roles.can_edit_registers(request.user)


# --- Ids ------------------------------------------------------------------------------------------
# An id the database cannot even hold (past a 64-bit integer) is simply not found:
# without this check SQLite raises OverflowError and PostgreSQL "out of range", a 500.



class AllianceMemberSerializer(TrackedSerializer):
    class Meta:
        model = AllianceMember
        fields = ["id", "organisation", "category", "joined_on", "left_on", "note", "approval", "version", "created_at",
                  "updated_at"]
        read_only_fields = ["approval", "created_at", "updated_at"]

    def save_record(self, *, instance, m2m, expected_version, user):
        if instance.pk is None and instance.left_on is None:
            return services.member_create(organisation=instance.organisation, category=instance.category,
                                          joined_on=instance.joined_on, note=instance.note, user=user,
                                          approval=instance.approval)
        return super().save_record(instance=instance, m2m=m2m, expected_version=expected_version, user=user)


class AllianceMemberViewSet(RegisterViewSet):
    register_key = "alliance:member"
    queryset = AllianceMember.objects.select_related("organisation")
    serializer_class = AllianceMemberSerializer
    filterset_fields = {
        "organisation": ["exact"],
        "category": ["exact"],
        "organisation__country": ["exact"],
        "joined_on": ["gte", "lte"],
        "left_on": ["isnull"],
    }
    search_fields = ["organisation__name", "note"]
    ordering_fields = ["joined_on", "left_on", "created_at"]


class CooperationProjectSerializer(TrackedSerializer):
    class Meta:
        model = CooperationProject
        fields = ["id", "title", "description", "lead_organisation", "participants", "started_on", "ended_on",
                  "status", "cancelled_on", "approval", "version", "created_at", "updated_at"]
        read_only_fields = ["approval", "created_at", "updated_at"]

    def validate_related(self, attrs, instance):
        CooperationProject.validate_participants(self.related_value(attrs, "participants"), instance.started_on)

    def save_record(self, *, instance, m2m, expected_version, user):
        participants = m2m.get("participants")
        if participants is None:
            participants = list(instance.participants.all()) if instance.pk else []
        return services.cooperation_project_save(instance=instance, participants=participants, user=user,
                                                 expected_version=expected_version)


class CooperationProjectViewSet(RegisterViewSet):
    register_key = "alliance:cooperation-project"
    queryset = CooperationProject.objects.select_related("lead_organisation").prefetch_related(
        Prefetch("participants", queryset=Organisation.objects.only("id")))
    serializer_class = CooperationProjectSerializer
    filterset_fields = {
        "status": ["exact"],
        "lead_organisation": ["exact"],
        "participants": ["exact"],
        "started_on": ["gte", "lte"],
    }
    search_fields = ["title", "description"]
    ordering_fields = ["started_on", "ended_on", "title", "created_at"]


MOU_SUBMITTED_FIELDS = ("title", "scope", "areas", "signed_on", "valid_until", "signatories")


class MoUSerializer(TrackedSerializer):
    partner_organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False,
        help_text="The network organisation bringing the MoU. A partner's MoUs are always its own organisation's; "
                  "a manager must give it.")
    document_filename = serializers.CharField(read_only=True, help_text="The signed document's file name, if any.")

    class Meta:
        model = MoU
        fields = ["id", "title", "counterpart", "partner_organisation", "scope", "areas", "signed_on", "valid_until",
                  "signatories", "document_filename", "status", "submitted_by", "submitted_at",
                  "reviewed_by", "reviewed_at", "review_note", "version", "created_at", "updated_at"]
        read_only_fields = ["status", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at", "review_note",
                            "created_at", "updated_at"]

    def _user(self):
        return self.context["request"].user

    def prepare_instance(self, instance):
        user = self._user()
        if roles.is_partner(user):
            instance.partner_organisation_id = user.organisation_id
        elif self.instance is None and not instance.partner_organisation_id:
            raise serializers.ValidationError({"partner_organisation": [gettext("This field is required.")]})
        return instance

    def validate(self, attrs):
        # The model's document field takes the stored file, not the upload: mou_submit stores it.
        document = attrs.pop("document", None)
        attrs = super().validate(attrs)
        if document is not None:
            attrs["document"] = document
        return attrs

    def create(self, validated_data):
        # The only way an MoU is made is mou_submit, the browser's service: the signed PDF, the rate
        # limit, the duplicate checks, the one-time key and the managers' e-mail.
        user = self._user()
        if roles.is_partner(user):
            validated_data["partner_organisation"] = user.organisation
        data = {name: validated_data[name] for name in MOU_SUBMITTED_FIELDS if name in validated_data}
        return services.mou_submit(user=user, partner_organisation=validated_data["partner_organisation"],
                                   data=data, document=validated_data.get("document"),
                                   counterpart=validated_data["counterpart"],
                                   idempotency_key=self.context.get("idempotency_key", ""))


class DocumentField(serializers.FileField):
    """The submission's required file, whose absence ``MoUSubmitSerializer.validate`` reports with the
    other fields' mistakes (DRF's own check would stop before them)."""

    def validate_empty_values(self, data):
        if data is serializers.empty or data in ("", None):
            raise serializers.SkipField()
        return super().validate_empty_values(data)


class MoUSubmitSerializer(MoUSerializer):
    """A submission: the MoU with its signed PDF, required (``mou_submit`` refuses an MoU without it)."""

    document = DocumentField(
        write_only=True, required=True,
        help_text="The signed MoU as a PDF file, at most 10 MB (checked like the browser's upload); it cannot be "
                  "replaced afterwards.")

    class Meta(MoUSerializer.Meta):
        fields = [*MoUSerializer.Meta.fields, "document"]

    def _missing_document(self, attrs):
        return {} if attrs.get("document") else {"document": [self.fields["document"].error_messages["required"]]}

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:  # the fields' own mistakes, and the missing file with them
            sent = data.get("document") if hasattr(data, "get") else None
            missing = self._missing_document({"document": sent})
            raise serializers.ValidationError({**missing, **error.detail}) from error

    def validate(self, attrs):
        missing = self._missing_document(attrs)
        try:
            attrs = super().validate(attrs)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({**missing, **error.detail}) from error
        if missing:
            raise serializers.ValidationError(missing)
        return attrs

    def validate_document(self, document):
        try:
            uploads.validate_pdf(document)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return document


class MoUReviewSerializer(ReviewSerializer):
    not_duplicate = serializers.BooleanField(
        required=False, default=False,
        help_text="Approving an MoU flagged as a possible duplicate (same counterpart and signing date as another) "
                  "needs this set to true: you checked, it is not a duplicate.")


@review_actions_schema(request=MoUReviewSerializer, response=MoUSerializer)
class MoUViewSet(ReviewActionsMixin, RegisterViewSet):
    """MoUs. Partners read and submit their own organisation's; managers read all, edit and review."""

    permission_classes = [permissions.IsAuthenticated, MoUPermission]
    serializer_class = MoUSerializer
    filterset_fields = {
        "status": ["exact"],
        "partner_organisation": ["exact"],
        "counterpart": ["exact"],
        "signed_on": ["gte", "lte"],
    }
    search_fields = ["title", "scope", "areas", "counterpart__name"]
    ordering_fields = ["submitted_at", "signed_on", "title"]
    review_serializer_class = MoUReviewSerializer
    _submitted = None

    def get_parsers(self):
        # A submission may carry the signed PDF (multipart/form-data); every other write is JSON.
        if getattr(self, "action", None) == "create" or "create" in getattr(self, "action_map", {}).values():
            return [MultiPartParser(), JSONParser()]
        return super().get_parsers()

    def get_queryset(self):
        return MoU.objects.visible_to(self.request.user).select_related(
            "counterpart", "partner_organisation", "submitted_by", "reviewed_by")

    def get_serializer_context(self):
        return {**super().get_serializer_context(),
                "idempotency_key": self.request.headers.get("Idempotency-Key", "") if self.request else ""}

    def get_serializer_class(self):
        return MoUSubmitSerializer if getattr(self, "action", None) == "create" else MoUSerializer

    @extend_schema(
        request={"multipart/form-data": MoUSubmitSerializer},
        responses={201: OpenApiResponse(MoUSerializer, description=(
            "The MoU submitted; or, for a replay with the same Idempotency-Key, the MoU made the first time "
            "(then the header `Idempotent-Replayed: true`)."))},
        description="Submit an MoU with its signed PDF in `document` (multipart/form-data).",
        parameters=[OpenApiParameter(
        "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
        description="A one-time key of your choosing (at most 64 characters): sending the same submission again "
                    "with the same key answers 201 with the MoU made the first time (and the header "
                    "`Idempotent-Replayed: true`) instead of making a second MoU.")])
    def create(self, request, *args, **kwargs):
        # A replay answers as the first submission did (201, the same body): a client retrying after a
        # lost answer cannot tell the two apart, and need not (the header says which it was).
        response = super().create(request, *args, **kwargs)
        if getattr(self._submitted, "replayed", False):
            response["Idempotent-Replayed"] = "true"
        return response

    def perform_create(self, serializer):
        super().perform_create(serializer)
        self._submitted = serializer.instance

    def perform_review(self, obj, decision, body):
        return services.mou_review(mou=obj, reviewer=self.request.user, decision=decision, note=body["note"],
                                   not_duplicate=body["not_duplicate"])
