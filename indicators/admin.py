from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.http import HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from .models import Breakdown, Indicator, Milestone, Pillar, Project, Report, Snapshot

# The refusal of a POST being answered, on its request: the form's second pass comes back invalid with it.
REFUSAL = "_admin_refusal"


class CountedRecordAdmin(SimpleHistoryAdmin):
    """The admin of a record the indicators count (or of their own inputs).

    The engine refuses a save or a deletion that would alter a closed reporting period with a
    ``ValidationError`` raised in the save or delete signal (``indicators.triggers``), after the form is
    valid. Here it is a message, never a 500, and nothing is written (the view's transaction is rolled
    back, the admin's log entry with it): an edit or an addition comes back as the form with the input
    kept, a deletion or an action (``delete_selected``) goes back to the page it was asked from.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._form_or_refusal(super().changeform_view, request, object_id, form_url, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting to an earlier version saves the record like the change form; simple_history runs it
        # without a transaction, so the refused save would stay written: one is opened here.
        return self._form_or_refusal(super().history_form_view, request, object_id, version_id, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as refusal:
            return self._back_with(request, refusal)

    def changelist_view(self, request, extra_context=None):
        if request.method != "POST":
            return super().changelist_view(request, extra_context)
        # An action runs outside the admin's transactions (delete_selected logs each deletion, then deletes).
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().changelist_view(request, extra_context)
        except ValidationError as refusal:
            return self._back_with(request, refusal)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, REFUSAL, None)
        if refusal is None:
            return form

        class RefusedForm(form):
            def clean(self):
                cleaned_data = super().clean()
                self.add_error(None, refusal.messages)
                return cleaned_data

        return RefusedForm

    def _form_or_refusal(self, view, request, *args):
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return view(request, *args)
        except ValidationError as refusal:
            if request.method != "POST" or hasattr(request, REFUSAL):
                raise
            messages.error(request, " ".join(refusal.messages))
            # Again, with the refusal as the form's error: the form is invalid, so it comes back with the
            # user's input and nothing is saved.
            setattr(request, REFUSAL, refusal)
            return view(request, *args)

    def _back_with(self, request, refusal):
        messages.error(request, " ".join(refusal.messages))
        return HttpResponseRedirect(request.get_full_path())


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
class IndicatorAdmin(CountedRecordAdmin):
    list_display = ["code", "title", "pillar", "source", "baseline", "target", "target_date", "is_public", "order"]
    list_filter = ["project", "pillar", "source", "is_public"]
    search_fields = ["code", "title"]
    inlines = [MilestoneInline]


@admin.register(Report)
class ReportAdmin(CountedRecordAdmin):
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
