"""Register forms and filters of the alliance app (members, cooperation projects)."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from organisations.labels import blank_country_choices, country_choices
from organisations.models import Organisation
from registers.forms import RegisterForm, StatusChangeForm
from registers.validators import validate_no_control_characters, validate_not_in_future

from .models import AllianceMember, CooperationProject


class MemberCreateForm(RegisterForm):
    """A new membership: of an organisation already registered, or of a new one typed in here."""

    new_organisation_name = forms.CharField(validators=[validate_no_control_characters],
        label=_("…or a new organisation: name"), required=False, max_length=255,
        help_text=_("Not in the list? Type its name and country; it is registered together with the membership."))
    new_organisation_country = forms.ChoiceField(label=_("New organisation: country"), required=False,
                                                 choices=blank_country_choices)
    new_organisation_kind = forms.ChoiceField(label=_("New organisation: type"), required=False,
                                              choices=Organisation.Kind.choices, initial=Organisation.Kind.VET)

    class Meta:
        model = AllianceMember
        fields = ["organisation", "new_organisation_name", "new_organisation_country", "new_organisation_kind",
                  "category", "joined_on", "note"]
        help_texts = {
            "organisation": _("The organisation joining the Alliance. Type in the box to filter the list."),
            "joined_on": _("The day it joined (the date of its membership agreement)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].required = False
        self.fields["organisation"].widget.attrs.pop("required", None)
        self.new_organisation = None

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("organisation")
        name = (cleaned.get("new_organisation_name") or "").strip()
        if chosen and name:
            self.add_error("new_organisation_name", gettext("Choose an organisation from the list or type a new one, not both."))
        elif not chosen and not name:
            if "organisation" not in self.errors:
                self.add_error("organisation", gettext("Choose the organisation, or type the name and country of a new one."))
        elif name:
            organisation = Organisation(name=name, country=cleaned.get("new_organisation_country") or "",
                                        kind=cleaned.get("new_organisation_kind") or Organisation.Kind.OTHER)
            try:
                organisation.full_clean()
            except ValidationError as error:
                fields = {"name": "new_organisation_name", "country": "new_organisation_country",
                          "kind": "new_organisation_kind"}
                for field_name, messages in error.message_dict.items():
                    self.add_error(fields.get(field_name), messages)
            else:
                self.new_organisation = organisation
        return cleaned

    def _get_validation_exclusions(self):
        # The organisation is validated by the service once it is known (new or chosen).
        exclude = super()._get_validation_exclusions()
        exclude.add("organisation")
        return exclude


class MemberImportForm(RegisterForm):
    """A row of the members' import (the columns of their export): the organisation by its name and
    country, registered with its type when it is new (as the create form's "new organisation")."""

    organisation = forms.CharField(validators=[validate_no_control_characters], max_length=255, help_text=_("The organisation's name; a new one is registered."))
    country = forms.ChoiceField(choices=blank_country_choices, help_text=_("ISO code, e.g. ES."))
    kind = forms.ChoiceField(required=False, choices=[("", "---------"), *Organisation.Kind.choices],
                             help_text=_("The type of a new organisation (default other)."))

    class Meta:
        model = AllianceMember
        fields = ["category", "joined_on", "left_on", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.new_organisation = None

    def clean(self):
        cleaned = super().clean()
        name, country = (cleaned.get("organisation") or "").strip(), cleaned.get("country")
        cleaned["organisation"] = None
        if not (name and country):
            return cleaned
        existing = Organisation.objects.filter(name__iexact=name, country=country).first()
        if existing is not None:
            cleaned["organisation"] = self.instance.organisation = existing  # the model's clean checks overlaps
            return cleaned
        organisation = Organisation(name=name, country=country, kind=cleaned.get("kind") or Organisation.Kind.OTHER)
        try:
            organisation.full_clean()
        except ValidationError as error:
            for field_name, messages in error.message_dict.items():
                self.add_error(field_name if field_name in ("country", "kind") else "organisation", messages)
        else:
            self.new_organisation = organisation
        return cleaned


class MemberEditForm(RegisterForm):
    class Meta:
        model = AllianceMember
        fields = ["organisation", "category", "joined_on", "left_on", "note"]


class MemberWithdrawForm(RegisterForm):
    class Meta:
        model = AllianceMember
        fields = ["left_on"]
        help_texts = {"left_on": _("The day the organisation stopped being a member. "
                                 "It is counted up to the day before.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["left_on"].required = True
        self.fields["left_on"].widget.attrs["required"] = True
        self.fields["left_on"].validators.append(validate_not_in_future)
        if not self.is_bound:
            self.initial["left_on"] = self.initial.get("left_on") or timezone.localdate()


class CooperationProjectForm(RegisterForm):
    class Meta:
        model = CooperationProject
        fields = ["title", "description", "lead_organisation", "participants", "started_on", "ended_on", "status"]
        help_texts = {
            "participants": _("At least two organisations, all alliance members on the start date. "
                            "The lead organisation is added if you leave it out. Type a few letters to find each one."),
            "status": _("Cancel a project with “Change status” instead of deleting it: it counts up to the day "
                      "it was cancelled."),
        }

    def clean(self):
        cleaned = super().clean()
        participants = list(cleaned.get("participants") or [])
        lead = cleaned.get("lead_organisation")
        if lead and lead not in participants:
            participants.append(lead)
        if "participants" in cleaned:
            try:
                CooperationProject.validate_participants(participants, cleaned.get("started_on"))
            except ValidationError as error:
                self.add_error("participants", error.message_dict["participants"])
        return cleaned


class CooperationProjectStatusForm(StatusChangeForm):
    class Meta:
        model = CooperationProject
        fields = ["status", "cancelled_on"]
        help_texts = {"status": _("Cancel a project instead of deleting it: it counts up to the day before it was "
                                "cancelled (never, when cancelled before it started).")}


# --- Filters -------------------------------------------------------------------------------------


class MemberFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=AllianceMember.Category.choices)
    country = django_filters.ChoiceFilter(field_name="organisation__country", choices=country_choices, label=_("Country"))
    kind = django_filters.ChoiceFilter(field_name="organisation__kind", choices=Organisation.Kind.choices,
                                       label=_("Organisation type"))
    active = django_filters.BooleanFilter(method="filter_active", label=_("Member today"))
    joined_after = django_filters.DateFilter(field_name="joined_on", lookup_expr="gte", label=_("Joined from"))
    joined_before = django_filters.DateFilter(field_name="joined_on", lookup_expr="lte", label=_("Joined until"))

    class Meta:
        model = AllianceMember
        fields = ["category"]

    def filter_active(self, queryset, name, value):
        if value is None:
            return queryset
        active = AllianceMember.objects.active_on(timezone.localdate()).values("pk")
        return queryset.filter(pk__in=active) if value else queryset.exclude(pk__in=active)


class CooperationProjectFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CooperationProject.Status.choices)
    lead_organisation = django_filters.ModelChoiceFilter(queryset=Organisation.objects.all())
    started_after = django_filters.DateFilter(field_name="started_on", lookup_expr="gte", label=_("Started from"))

    class Meta:
        model = CooperationProject
        fields = ["status", "lead_organisation"]
