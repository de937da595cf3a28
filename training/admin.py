from django.contrib import admin

from indicators.admin import CountedRecordAdmin

from .models import FactoryExchange, FactoryProduct, LearningFactory, MicroCredential


@admin.register(MicroCredential)
class MicroCredentialAdmin(CountedRecordAdmin):
    list_display = ["title", "awarding_body", "eqf_level", "ects", "status", "published_on"]
    list_filter = ["status", "eqf_level", "participation_form", "is_demo"]
    list_select_related = ["awarding_body"]
    search_fields = ["title", "awarding_body__name"]
    autocomplete_fields = ["awarding_body", "co_awarding_organisations", "skill_gaps"]


@admin.register(LearningFactory)
class LearningFactoryAdmin(CountedRecordAdmin):
    list_display = ["name", "host_organisation", "region"]
    list_select_related = ["host_organisation", "region"]
    search_fields = ["name", "host_organisation__name"]
    autocomplete_fields = ["host_organisation", "region"]


@admin.register(FactoryExchange)
class FactoryExchangeAdmin(CountedRecordAdmin):
    list_display = ["title", "factory", "started_on", "ended_on", "students", "status"]
    list_filter = ["status", "is_demo"]
    list_select_related = ["factory"]
    search_fields = ["title", "factory__name"]
    autocomplete_fields = ["factory", "partner_organisations"]


@admin.register(FactoryProduct)
class FactoryProductAdmin(CountedRecordAdmin):
    list_display = ["title", "status", "developed_on"]
    list_filter = ["status", "is_demo"]
    search_fields = ["title"]
    autocomplete_fields = ["factories", "collaborating_organisations"]
