"""API v1 of the training registers: micro-credentials (with their ELM export) and learning factories."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from observatories.models import SkillGap
from organisations.models import Organisation
from registers.api import RegisterViewSet, TrackedSerializer

from . import services
from .elm import micro_credential_to_elm
from .models import FactoryExchange, FactoryProduct, LearningFactory, MicroCredential
from .vocabularies import LANGUAGE_CHOICES


class JSONLDRenderer(JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


class MicroCredentialSerializer(TrackedSerializer):
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=LANGUAGE_CHOICES), required=False,
        help_text="Languages of instruction (ISO 639-1 codes); empty: the default language.")
    esco_skills = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False,
        help_text="ESCO skill URIs (http://data.europa.eu/esco/skill/<uuid>) the outcomes correspond to.")

    class Meta:
        model = MicroCredential
        fields = ["id", "title", "awarding_body", "co_awarding_organisations", "learning_outcomes", "esco_skills",
                  "ects", "hours", "eqf_level", "assessment_type", "participation_form", "quality_assurance",
                  "homepage", "default_language", "languages", "isced_f", "learning_opportunity_type",
                  "prerequisites", "identity_verification", "supervision_identity_verification", "grade_scheme",
                  "integration_stackability", "further_information", "skill_gaps", "status", "published_on",
                  "retired_on", "approval", "version", "created_at",
                  "updated_at"]
        read_only_fields = ["approval", "created_at", "updated_at"]

    def save_record(self, *, instance, m2m, expected_version, user):
        return services.micro_credential_save(
            instance=instance, co_awarding_organisations=m2m.get("co_awarding_organisations"),
            skill_gaps=m2m.get("skill_gaps"), user=user, expected_version=expected_version)


class ElmDocumentSerializer(serializers.Serializer):
    """The shape of the ELM v3 JSON-LD learning opportunity (its nested nodes are described in training/elm.py)."""

    context = serializers.ListField(
        child=serializers.JSONField(),
        help_text="The ELM context (http://data.europa.eu/snb/model/context/edc-ap) and the id/type aliases.")
    id = serializers.CharField()
    type = serializers.ChoiceField(choices=["LearningOpportunity"])
    title = serializers.DictField(child=serializers.CharField(), help_text="Language tag to text.")
    dcType = serializers.ListField(child=serializers.DictField(),  # noqa: N815
                                   help_text="The learning-opportunity type (EDC controlled list).")
    homepage = serializers.ListField(child=serializers.DictField(), help_text="A WebResource with its contentURL.")
    defaultLanguage = serializers.DictField(help_text="The default language (EU language authority).")  # noqa: N815
    mode = serializers.ListField(child=serializers.DictField(), help_text="Mode of learning and assessment.")
    providedBy = serializers.ListField(child=serializers.DictField(),  # noqa: N815
                                       help_text="The awarding bodies as ELM Organisations.")
    learningAchievementSpecification = serializers.DictField(  # noqa: N815
        help_text="The LearningAchievementSpecification: title, language, thematicArea, educationLevel, "
                  "creditPoint, learningOutcome, mode, learningSetting, provenBy, awardingOpportunity, "
                  "additionalNote.")

    def get_fields(self):
        fields = super().get_fields()
        fields["@context"] = fields.pop("context")
        return fields


class MicroCredentialViewSet(RegisterViewSet):
    register_key = "training:micro-credential"
    queryset = MicroCredential.objects.select_related("awarding_body").prefetch_related(
        Prefetch("co_awarding_organisations", queryset=Organisation.objects.only("id")),
        Prefetch("skill_gaps", queryset=SkillGap.objects.only("id")),
    )
    serializer_class = MicroCredentialSerializer
    filterset_fields = {
        "status": ["exact"],
        "eqf_level": ["exact", "gte", "lte"],
        "awarding_body": ["exact"],
        "awarding_body__country": ["exact"],
        "participation_form": ["exact"],
        "published_on": ["gte", "lte"],
    }
    search_fields = ["title", "learning_outcomes"]
    ordering_fields = ["title", "eqf_level", "ects", "published_on", "created_at"]

    @extend_schema(
        responses={200: OpenApiResponse(ElmDocumentSerializer,
                                        description="The micro-credential's ELM v3 learning opportunity.")},
        description="The micro-credential as a European Learning Model (ELM v3) learning opportunity with its "
                    "learning achievement specification (not a credential: no learner), in JSON-LD (`application/ld+json`; `application/json` "
                    "on request).",
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONLDRenderer, JSONRenderer], filter_backends=[],
            pagination_class=None)
    def elm(self, request, pk=None):
        micro_credential = MicroCredential.objects.select_related("awarding_body").prefetch_related(
            "co_awarding_organisations").get(pk=self.get_object().pk)
        return Response(micro_credential_to_elm(micro_credential))


class LearningFactorySerializer(TrackedSerializer):
    class Meta:
        model = LearningFactory
        fields = ["id", "name", "host_organisation", "region", "description", "approval", "version", "created_at", "updated_at"]
        read_only_fields = ["approval", "created_at", "updated_at"]

    def save_record(self, *, instance, m2m, expected_version, user):
        return services.learning_factory_save(instance=instance, user=user, expected_version=expected_version)


class LearningFactoryViewSet(RegisterViewSet):
    register_key = "training:factory"
    queryset = LearningFactory.objects.select_related("host_organisation", "region")
    serializer_class = LearningFactorySerializer
    filterset_fields = ["host_organisation", "region", "host_organisation__country"]
    search_fields = ["name", "description"]
    ordering_fields = ["name", "created_at"]


class FactoryExchangeSerializer(TrackedSerializer):
    not_duplicate = serializers.BooleanField(
        write_only=True, required=False, default=False,
        help_text="On create: true confirms this exchange is not a duplicate of one with the same factory, "
                  "partners, dates and students (without it such an exchange answers 400 under not_duplicate).")

    class Meta:
        model = FactoryExchange
        fields = ["id", "factory", "partner_organisations", "title", "started_on", "ended_on", "students", "status",
                  "cancelled_on", "not_duplicate", "approval", "version", "created_at", "updated_at"]
        read_only_fields = ["approval", "created_at", "updated_at"]

    def validate(self, attrs):
        self._not_duplicate = attrs.pop("not_duplicate", False)
        return super().validate(attrs)

    def save_record(self, *, instance, m2m, expected_version, user):
        partners = m2m.get("partner_organisations")
        if partners is None:
            partners = list(instance.partner_organisations.all())
        return services.factory_exchange_save(instance=instance, partner_organisations=partners, user=user,
                                              expected_version=expected_version,
                                              not_duplicate=getattr(self, "_not_duplicate", False))


class FactoryExchangeViewSet(RegisterViewSet):
    register_key = "training:exchange"
    queryset = FactoryExchange.objects.select_related("factory").prefetch_related(
        Prefetch("partner_organisations", queryset=Organisation.objects.only("id")))
    serializer_class = FactoryExchangeSerializer
    filterset_fields = {
        "status": ["exact"],
        "factory": ["exact"],
        "partner_organisations": ["exact"],
        "started_on": ["gte", "lte"],
    }
    search_fields = ["title"]
    ordering_fields = ["started_on", "students", "title", "created_at"]


class FactoryProductSerializer(TrackedSerializer):
    class Meta:
        model = FactoryProduct
        fields = ["id", "title", "description", "factories", "collaborating_organisations", "developed_on", "status",
                  "retired_on", "evidence_url", "approval", "version", "created_at", "updated_at"]
        read_only_fields = ["approval", "created_at", "updated_at"]

    def validate_related(self, attrs, instance):
        FactoryProduct.validate_collaborators(self.related_value(attrs, "collaborating_organisations"))

    def save_record(self, *, instance, m2m, expected_version, user):
        def value(name):
            return m2m[name] if name in m2m else list(getattr(instance, name).all())
        return services.factory_product_save(
            instance=instance, factories=value("factories"),
            collaborating_organisations=value("collaborating_organisations"), user=user,
            expected_version=expected_version)


class FactoryProductViewSet(RegisterViewSet):
    register_key = "training:product"
    queryset = FactoryProduct.objects.prefetch_related(
        Prefetch("factories", queryset=LearningFactory.objects.only("id")),
        Prefetch("collaborating_organisations", queryset=Organisation.objects.only("id")),
    )
    serializer_class = FactoryProductSerializer
    filterset_fields = {
        "status": ["exact"],
        "factories": ["exact"],
        "collaborating_organisations": ["exact"],
        "developed_on": ["gte", "lte"],
    }
    search_fields = ["title", "description"]
    ordering_fields = ["developed_on", "title", "created_at"]
