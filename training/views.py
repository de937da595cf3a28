"""Register pages of the training app: micro-credentials, learning factories, exchanges, products."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registers.pages import Column, Register

from . import forms, services
from .models import FactoryExchange, FactoryProduct, LearningFactory, MicroCredential


def _m2m(form, *names):
    return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}


def _save_micro_credential(form, user, expected_version=None):
    return services.micro_credential_save(instance=form.instance, user=user, expected_version=expected_version,
                                          **_m2m(form, "co_awarding_organisations", "skill_gaps"))


def _save_factory(form, user, expected_version=None):
    return services.learning_factory_save(instance=form.instance, user=user, expected_version=expected_version)


def _save_exchange(form, user, expected_version=None):
    return services.factory_exchange_save(instance=form.instance, user=user, expected_version=expected_version,
                                          partner_organisations=form.cleaned_data["partner_organisations"],
                                          not_duplicate=form.cleaned_data.get("not_duplicate", False))


def _save_product(form, user, expected_version=None):
    return services.factory_product_save(instance=form.instance, user=user, expected_version=expected_version,
                                         factories=form.cleaned_data["factories"],
                                         collaborating_organisations=form.cleaned_data["collaborating_organisations"])


def _save_status(form, user, expected_version):
    return services.record_change_status(instance=form.instance, user=user, expected_version=expected_version)


def _today(field, organisation_field=None):
    def initial(request):
        values = {field: timezone.localdate()}
        if organisation_field:
            values[organisation_field] = request.user.organisation_id
        return values
    return initial


micro_credentials = Register(
    importable=True,
    counted_status=MicroCredential.Status.PUBLISHED,
    model=MicroCredential, name="micro-credential", slug="micro-credentials", namespace="training",
    form_class=forms.MicroCredentialForm, filterset_class=forms.MicroCredentialFilter,
    search_fields=("title", "learning_outcomes", "awarding_body__name"), default_sort="title",
    select_related=("awarding_body",),
    columns=[
        Column(_("Title"), "title", sort="title"),
        Column(_("Awarding body"), "awarding_body__name", sort="awarding_body__name"),
        Column(_("EQF"), "eqf_level", sort="eqf_level", numeric=True),
        Column(_("ECTS"), "ects", sort="ects", numeric=True),
        Column(_("Form"), "participation_form", sort="participation_form"),
        Column(_("Status"), "status", sort="status"),
        Column(_("Published"), "published_on", sort="published_on"),
        Column(_("Retired"), "retired_on", sort="retired_on"),
    ],
    detail_fields=("title", "awarding_body", "co_awarding_organisations", "learning_outcomes", "esco_skills", "ects",
                   "hours", "eqf_level", "assessment_type", "participation_form", "quality_assurance",
                   "learning_opportunity_type", "isced_f", "default_language", "languages", "homepage",
                   "prerequisites", "identity_verification", "supervision_identity_verification", "grade_scheme", "integration_stackability",
                   "further_information", "skill_gaps", "status", "published_on", "retired_on"),
    status_form_class=forms.MicroCredentialStatusForm, status_title=_("Change status"),
    status_help=_("Retire a micro-credential instead of deleting it: it counts up to the day before it was retired."),
    create=_save_micro_credential, update=_save_micro_credential, status_update=_save_status,
    create_initial=lambda request: {"awarding_body": request.user.organisation_id},
)

factories = Register(
    importable=True,
    model=LearningFactory, name="factory", slug="learning-factories", namespace="training",
    title_plural=_("Learning factories"),
    form_class=forms.LearningFactoryForm, filterset_class=forms.LearningFactoryFilter,
    search_fields=("name", "host_organisation__name", "description"), default_sort="name",
    select_related=("host_organisation", "region"),
    columns=[
        Column(_("Name"), "name", sort="name"),
        Column(_("Host"), "host_organisation__name", sort="host_organisation__name"),
        Column(_("Country"), "host_organisation__country", sort="host_organisation__country"),
        Column(_("Region"), "region", sort="region__code"),
    ],
    detail_fields=("name", "host_organisation", "region", "description"),
    create=_save_factory, update=_save_factory,
    create_initial=lambda request: {"host_organisation": request.user.organisation_id},
)

exchanges = Register(
    importable=True,
    model=FactoryExchange, name="exchange", slug="factory-exchanges", namespace="training",
    title_plural=_("Factory exchanges"),
    form_class=forms.FactoryExchangeForm, filterset_class=forms.FactoryExchangeFilter,
    search_fields=("title", "factory__name", "partner_organisations__name"), default_sort="-started_on",
    select_related=("factory",),
    columns=[
        Column(_("Title"), "title", sort="title"),
        Column(_("Factory"), "factory__name", sort="factory__name"),
        Column(_("Students"), "students", sort="students", numeric=True),
        Column(_("Started"), "started_on", sort="started_on"),
        Column(_("Ended"), "ended_on", sort="ended_on"),
        Column(_("Status"), "status", sort="status"),
    ],
    detail_fields=("title", "factory", "partner_organisations", "students", "started_on", "ended_on", "status",
                   "cancelled_on"),
    status_form_class=forms.FactoryExchangeStatusForm, status_title=_("Change status"),
    status_help=_("Cancel an exchange instead of deleting it: its students count up to the day before it was "
                "cancelled (never, when cancelled before it started)."),
    create=_save_exchange, update=_save_exchange, status_update=_save_status,
    create_initial=_today("started_on"),
)

products = Register(
    importable=True,
    counted_status=FactoryProduct.Status.DEVELOPED,
    model=FactoryProduct, name="product", slug="factory-products", namespace="training",
    title_plural=_("Factory products"),
    form_class=forms.FactoryProductForm, filterset_class=forms.FactoryProductFilter,
    search_fields=("title", "description", "collaborating_organisations__name"), default_sort="-developed_on",
    columns=[
        Column(_("Title"), "title", sort="title"),
        Column(_("Status"), "status", sort="status"),
        Column(_("Developed"), "developed_on", sort="developed_on"),
    ],
    detail_fields=("title", "description", "factories", "collaborating_organisations", "status", "developed_on",
                   "retired_on", "evidence_url"),
    status_form_class=forms.FactoryProductStatusForm, status_title=_("Change status"),
    status_help=_("Retire a product instead of deleting it: it counts up to the day before it was retired."),
    create=_save_product, update=_save_product, status_update=_save_status,
    create_initial=_today("developed_on"),
)
