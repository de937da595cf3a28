"""API v1 of the observatories registers: observatories and skill gaps."""

from registers.api import RegisterViewSet, TrackedSerializer

from . import services
from .models import Observatory, SkillGap


class ObservatorySerializer(TrackedSerializer):
    class Meta:
        model = Observatory
        fields = ["id", "name", "region", "host_organisation", "status", "launched_on", "closed_on", "website",
                  "description", "approval", "version", "created_at", "updated_at"]
        read_only_fields = ["approval", "created_at", "updated_at"]

    def save_record(self, *, instance, m2m, expected_version, user):
        return services.observatory_save(instance=instance, user=user, expected_version=expected_version)


class ObservatoryViewSet(RegisterViewSet):
    register_key = "observatories:observatory"
    queryset = Observatory.objects.select_related("region", "host_organisation")
    serializer_class = ObservatorySerializer
    filterset_fields = {
        "status": ["exact"],
        "region": ["exact"],
        "host_organisation": ["exact"],
        "region__country": ["exact"],
        "launched_on": ["gte", "lte"],
    }
    search_fields = ["name", "description"]
    ordering_fields = ["name", "launched_on", "created_at"]


class SkillGapSerializer(TrackedSerializer):
    class Meta:
        model = SkillGap
        fields = ["id", "observatory", "title", "description", "esco_skill_uri", "esco_skill_label", "isco_code",
                  "nace_code", "critical", "evidence", "evidence_url", "identified_on", "status", "retired_on", "approval", "version",
                  "created_at", "updated_at"]
        read_only_fields = ["approval", "created_at", "updated_at"]

    def save_record(self, *, instance, m2m, expected_version, user):
        return services.skill_gap_save(instance=instance, user=user, expected_version=expected_version)


class SkillGapViewSet(RegisterViewSet):
    register_key = "observatories:skill-gap"
    queryset = SkillGap.objects.select_related("observatory")
    serializer_class = SkillGapSerializer
    filterset_fields = {
        "status": ["exact"],
        "critical": ["exact"],
        "observatory": ["exact"],
        "isco_code": ["exact"],
        "nace_code": ["exact", "startswith"],
        "esco_skill_uri": ["exact"],
        "identified_on": ["gte", "lte"],
    }
    search_fields = ["title", "description", "esco_skill_label"]
    ordering_fields = ["identified_on", "title", "created_at"]
