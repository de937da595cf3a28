"""API of the organisations and regions registers, and the organisation lookup open to every role."""

from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.decorators import action

from accounts import roles
from registers.api import CleanModelSerializer, Pagination, RegisterViewSet, TrackedSerializer
from registers.search import search_condition

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


class OrganisationLookupSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "country"]


class LookupPermission(permissions.BasePermission):
    """The organisation lookup: whoever has a role, partners included (an integration names a counterpart
    or a participant by its id); users without a role answer 403."""

    def has_permission(self, request, view):
        user = request.user
        return request.method in permissions.SAFE_METHODS and (roles.is_admin(user) or bool(roles.role_names(user)))


LOOKUP_MIN = 2
LOOKUP_MAX = 100


def lookup_query(params):
    """The ``q`` of a lookup, stripped; a 400 naming the rule when it is missing, too short or too long,
    or holds a character the database cannot take."""
    text = (params.get("q") or "").strip()
    if "\x00" in text:
        raise exceptions.ValidationError({"q": [gettext("Null characters are not allowed.")]})
    if not LOOKUP_MIN <= len(text) <= LOOKUP_MAX:
        raise exceptions.ValidationError({"q": [
            gettext("Type from %(min)s to %(max)s characters of the organisation's name.")
            % {"min": LOOKUP_MIN, "max": LOOKUP_MAX}]})
    return text


class OrganisationViewSet(RegisterViewSet):
    queryset = Organisation.objects.select_related("region")
    serializer_class = OrganisationSerializer
    filterset_fields = ["kind", "country", "region", "is_consortium_partner", "is_coordinator"]
    search_fields = ["name", "acronym", "city", "erasmus_oid", "pic"]
    ordering_fields = ["name", "country", "kind", "created_at"]

    def get_queryset(self):
        return Organisation.visible_to(super().get_queryset(), self.request.user)

    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True,
                                     description=f"Part of the name or acronym, {LOOKUP_MIN} to {LOOKUP_MAX} "
                                                 "characters.")],
        responses={200: OrganisationLookupSerializer(many=True)},
        description="Find an organisation by name to name it in a record (a counterpart, a participant): its id, "
                    "name and country only, by name. Open to every role, partners included.",
    )
    @action(detail=False, methods=["get"], url_path="lookup", filter_backends=[], pagination_class=Pagination,
            serializer_class=OrganisationLookupSerializer,
            permission_classes=[permissions.IsAuthenticated, LookupPermission])
    def lookup(self, request):
        """Organisations whose name or acronym holds ``q``: id, name and country, paginated."""
        text = lookup_query(request.query_params)
        queryset = (Organisation.visible_to(Organisation.objects, request.user)
                    .filter(search_condition(Organisation, ["name", "acronym"], text))
                    .only("id", "name", "country").order_by("name", "pk"))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(OrganisationLookupSerializer(page, many=True).data)
