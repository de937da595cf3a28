from django.contrib import admin

from indicators.admin import CountedRecordAdmin

from .models import Observatory, SkillGap


@admin.register(Observatory)
class ObservatoryAdmin(CountedRecordAdmin):
    list_display = ["name", "region", "host_organisation", "status", "launched_on", "closed_on"]
    list_filter = ["status", "is_demo"]
    list_select_related = ["region", "host_organisation"]
    search_fields = ["name", "region__code", "region__name", "host_organisation__name"]
    autocomplete_fields = ["region", "host_organisation"]


@admin.register(SkillGap)
class SkillGapAdmin(CountedRecordAdmin):
    list_display = ["title", "observatory", "critical", "status", "identified_on", "nace_code", "isco_code"]
    list_filter = ["status", "critical", "is_demo"]
    list_select_related = ["observatory"]
    search_fields = ["title", "esco_skill_label", "esco_skill_uri", "nace_code", "isco_code"]
    autocomplete_fields = ["observatory"]
