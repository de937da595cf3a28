"""API of the organisations and regions registers."""

from registers.api import CleanModelSerializer, RegisterViewSet, TrackedSerializer

from .models import Organisation, Region


class RegionSerializer(CleanModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "nuts_version", "name", "country", "level", "is_nuts", "latitude", "longitude"]


class RegionViewSet(RegisterViewSet):
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_fields = ["country", "level", "nuts_version", "is_nuts", "code"]
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "country", "level"]


class OrganisationSerializer(TrackedSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "acronym", "kind", "country", "region", "city", "website", "erasmus_oid", "pic",
                  "is_consortium_partner", "is_coordinator", "version", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class OrganisationViewSet(RegisterViewSet):
    queryset = Organisation.objects.select_related("region")
    serializer_class = OrganisationSerializer
    filterset_fields = ["kind", "country", "region", "is_consortium_partner", "is_coordinator"]
    search_fields = ["name", "acronym", "city", "erasmus_oid", "pic"]
    ordering_fields = ["name", "country", "kind", "created_at"]
