from django.contrib import admin

from .models import ReportingPeriod


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "start_on", "end_on", "state"]
    # The state changes on the period's page (/periods/<id>/), which freezes the snapshots
    # when it closes and keeps the history; here it can only be read.
    readonly_fields = ["state"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_closed:
            return ["project", "name", "start_on", "end_on", "state"]
        return self.readonly_fields
