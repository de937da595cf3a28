from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Breakdown, Indicator, Milestone, Pillar, Project, Report, Snapshot


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "start_on", "end_on"]


@admin.register(Pillar)
class PillarAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "project", "order"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "pillar", "source", "baseline", "target", "target_date", "is_public", "order"]
    list_filter = ["project", "pillar", "source", "is_public"]
    search_fields = ["code", "title"]
    inlines = [MilestoneInline]


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "organisation", "as_of", "value", "status", "submitted_by"]
    list_filter = ["status", "indicator"]
    list_select_related = ["indicator", "organisation", "submitted_by"]
    search_fields = ["organisation__name", "note"]
    autocomplete_fields = ["organisation"]
    # Decided only by the review workflow (nobody reviews their own report), never here.
    readonly_fields = ["status", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at", "review_note"]

    def has_add_permission(self, request):
        return False


class BreakdownInline(admin.TabularInline):
    model = Breakdown
    extra = 0
    can_delete = False
    readonly_fields = ["dimension", "key", "label", "value", "overlapping"]


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ["indicator", "date", "value", "target", "expected", "status", "is_frozen", "computed_at"]
    list_filter = ["indicator", "status", "is_frozen"]
    date_hierarchy = "date"
    inlines = [BreakdownInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
