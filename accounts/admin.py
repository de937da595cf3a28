from allauth.socialaccount.models import SocialApp
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import SignInDomain, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "organisation", "is_active", "is_superuser"]
    list_filter = ["is_active", "is_superuser", "groups"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    fieldsets = BaseUserAdmin.fieldsets + (("LCAMP", {"fields": ["organisation"]}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("LCAMP", {"fields": ["email", "organisation", "groups"]}),)


@admin.register(SignInDomain)
class SignInDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "organisation"]
    list_select_related = ["organisation"]
    search_fields = ["domain", "organisation__name"]
    autocomplete_fields = ["organisation"]


# Identity providers are configured in the environment only (OIDC_PROVIDERS; accounts.sso reads no
# SocialApp row): the admin does not offer a second place that would be silently ignored.
admin.site.unregister(SocialApp)
