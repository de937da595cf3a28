from django.contrib import admin

from indicators.admin import CountedRecordAdmin
from organisations.models import Organisation, Region

from .models import AllianceMember, CooperationProject, MoU


@admin.register(Region)
class RegionAdmin(CountedRecordAdmin):
    list_display = ["code", "name", "country", "level", "nuts_version", "is_nuts"]
    list_filter = ["level", "nuts_version", "is_nuts", "country"]
    search_fields = ["code", "name"]


@admin.register(Organisation)
class OrganisationAdmin(CountedRecordAdmin):
    list_display = ["name", "acronym", "kind", "country", "region", "is_consortium_partner", "is_demo"]
    list_filter = ["kind", "is_consortium_partner", "is_coordinator", "is_demo", "country"]
    list_select_related = ["region"]
    search_fields = ["name", "acronym", "city", "erasmus_oid", "pic"]
    autocomplete_fields = ["region"]
    raw_id_fields = ["proposed_by"]  # never a <select> of every organisation


@admin.register(AllianceMember)
class AllianceMemberAdmin(CountedRecordAdmin):
    list_display = ["organisation", "category", "joined_on", "left_on", "is_demo"]
    list_filter = ["category", "is_demo", "joined_on"]
    list_select_related = ["organisation"]
    search_fields = ["organisation__name", "organisation__acronym"]
    autocomplete_fields = ["organisation"]
    date_hierarchy = "joined_on"


@admin.register(CooperationProject)
class CooperationProjectAdmin(CountedRecordAdmin):
    list_display = ["title", "lead_organisation", "status", "started_on", "ended_on"]
    list_filter = ["status", "is_demo"]
    list_select_related = ["lead_organisation"]
    search_fields = ["title", "lead_organisation__name"]
    autocomplete_fields = ["lead_organisation", "participants"]


@admin.register(MoU)
class MoUAdmin(CountedRecordAdmin):
    list_display = ["title", "counterpart", "partner_organisation", "signed_on", "status", "submitted_at"]
    list_filter = ["status", "is_demo", "signed_on"]
    list_select_related = ["counterpart", "partner_organisation"]
    search_fields = ["title", "counterpart__name", "partner_organisation__name"]
    autocomplete_fields = ["counterpart", "partner_organisation"]
    # An MoU is made only by the MoU form or the API (mou_submit) and decided only by the review
    # workflow, where nobody reviews their own submission: the admin neither adds nor decides.
    # The document is private storage (no URL): downloaded from the MoU page, not linked here.
    exclude = ["document"]
    readonly_fields = ["document_name", "status", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at",
                       "review_note"]

    def has_add_permission(self, request):
        return False
