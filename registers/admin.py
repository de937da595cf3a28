"""The admin of the registers' own models: the webhook endpoints and their deliveries (administrators only)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from . import webhooks
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


class AdministratorsOnly:
    """Webhooks send the project's figures elsewhere: only administrators see or change them."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, *args):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(choices=WebhookEndpoint.Event.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "secret", "events", "is_active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            webhooks.resolve(url)
        except webhooks.UnsafeAddress as refused:
            raise forms.ValidationError(_("Webhooks are not sent there: %(reason)s.") % {"reason": refused}) \
                from refused
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AdministratorsOnly, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["number", "at", "response_status", "error", "duration_ms", "retry_in_seconds"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(AdministratorsOnly, admin.ModelAdmin):
    """The delivery log: each event sent, its body, and every attempt with its response status."""

    list_display = ["created_at", "event", "endpoint", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "event", "endpoint"]
    list_select_related = ["endpoint"]
    readonly_fields = ["id", "endpoint", "event", "payload", "status", "attempts", "next_attempt_at", "created_at"]
    inlines = [WebhookAttemptInline]
    date_hierarchy = "created_at"

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
