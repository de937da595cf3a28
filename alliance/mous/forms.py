"""Forms of the MoU pages: thin, the rules live in the models, ``uploads`` and ``services``."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from organisations.labels import blank_country_choices, country_choices
from organisations.models import Organisation, Region
from registers import l10n, uploads
from registers.pickers import use_pickers
from registers.search import search_condition
from registers.validators import validate_no_control_characters

from .. import services
from ..models import MoU

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MoUForm(forms.ModelForm):
    """An MoU with its signed PDF. A partner brings it for its own organisation; a manager picks one.

    The counterpart is an organisation already registered, or a new one described in the
    ``new_counterpart_*`` fields. A new one with the name and country of a registered
    organisation is refused with that organisation selected instead.
    """

    counterpart = forms.ModelChoiceField(
        queryset=Organisation.objects.order_by("name"), required=False,
        label=_("Counterpart organisation"),
        help_text=_("The external organisation the MoU is signed with. Not in the list? Enter it below."),
    )
    new_counterpart_name = forms.CharField(validators=[validate_no_control_characters], label=_("New counterpart: name"), max_length=255, required=False)
    new_counterpart_kind = forms.ChoiceField(label=_("New counterpart: kind"), required=False,
                                             choices=[("", "---------"), *Organisation.Kind.choices])
    new_counterpart_country = forms.ChoiceField(label=_("New counterpart: country"), required=False,
                                                choices=blank_country_choices)
    new_counterpart_region = forms.ModelChoiceField(label=_("New counterpart: region (optional)"), required=False,
                                                    queryset=Region.objects.order_by("country", "code"))
    new_counterpart_website = forms.URLField(label=_("New counterpart: website (optional)"), required=False,
                                             assume_scheme="https")
    submission_token = forms.CharField(
        widget=forms.HiddenInput, max_length=64, required=False,
        help_text=_("A one-time token: the same form sent twice (a double click, a resent request) makes one MoU."))
    document = forms.FileField(
        label=_("Signed document (PDF)"), required=True,
        help_text=_("The signed MoU as a PDF file, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    class Meta:
        model = MoU
        fields = ["partner_organisation", "counterpart", "title", "scope", "areas", "signed_on", "valid_until",
                  "signatories"]
        widgets = {"signed_on": DATE, "valid_until": DATE,
                   "scope": forms.Textarea(attrs={"rows": 4}), "signatories": forms.Textarea(attrs={"rows": 3})}
        labels = {"partner_organisation": _("Brought by (network organisation)")}

    def __init__(self, *args, user, may_pick_organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.offered_counterpart = None
        if not self.is_bound:
            self.initial.setdefault("submission_token", uuid.uuid4().hex)
        if may_pick_organisation:
            self.fields["partner_organisation"].queryset = Organisation.objects.order_by("-is_consortium_partner",
                                                                                         "name")
            if user.organisation_id and not self.is_bound:
                self.initial.setdefault("partner_organisation", user.organisation_id)
        else:
            del self.fields["partner_organisation"]
            self.instance.partner_organisation = user.organisation
        counterpart = self.fields["counterpart"]
        counterpart.queryset = Organisation.visible_to(counterpart.queryset, user)
        use_pickers(self)  # search-as-you-type organisation fields, never a <select> of every organisation

    def clean_document(self):
        document = self.cleaned_data.get("document")
        uploads.validate_pdf(document)
        return document

    def new_counterpart_data(self):
        data = self.cleaned_data
        return {
            "name": data.get("new_counterpart_name", "").strip(),
            "kind": data.get("new_counterpart_kind") or Organisation.Kind.OTHER,
            "country": data.get("new_counterpart_country") or "",
            "region": data.get("new_counterpart_region"),
            "website": data.get("new_counterpart_website") or "",
        }

    def clean(self):
        cleaned = super().clean()
        counterpart = cleaned.get("counterpart")
        new = self.new_counterpart_data()
        if counterpart and new["name"]:
            self.add_error("new_counterpart_name", _("Either pick a counterpart from the list or enter a new one, "
                                                     "not both."))
        elif not counterpart and not new["name"]:
            self.add_error("counterpart", _("Pick the counterpart organisation from the list, or enter a new one "
                                            "below."))
        elif not counterpart:
            self._clean_new_counterpart(new)
        return cleaned

    def _clean_new_counterpart(self, new):
        if not self.cleaned_data.get("new_counterpart_kind"):
            self.add_error("new_counterpart_kind", _("Choose what kind of organisation the counterpart is."))
        if not new["country"]:
            self.add_error("new_counterpart_country", _("Choose the counterpart's country."))
            return
        region = new["region"]
        if region and region.country != new["country"]:
            self.add_error("new_counterpart_region", _("%(region)s is not in %(country)s.") % {
                "region": region, "country": l10n.country_name(region.country.code)})
        existing = services.mou_counterpart_match(name=new["name"], country=new["country"])
        if existing:
            # Offer the registered organisation instead of creating a duplicate.
            self.offered_counterpart = existing
            self.data = self.data.copy()
            self.data["counterpart"] = str(existing.pk)
            for field in ("name", "kind", "country", "region", "website"):
                self.data[f"new_counterpart_{field}"] = ""
            self.add_error("counterpart", _("%(name)s in %(country)s is already registered: it is now selected here. "
                                            "Check it, attach the PDF again and submit.") % {
                "name": existing.name, "country": l10n.country_name(existing.country.code)})

    def submit(self):
        """Call the service with the cleaned data; raises ValidationError like it."""
        data = {name: self.cleaned_data.get(name) for name in
                ("title", "scope", "areas", "signed_on", "valid_until", "signatories")}
        counterpart = self.cleaned_data.get("counterpart")
        return services.mou_submit(
            user=self.user,
            partner_organisation=self.instance.partner_organisation,
            data=data,
            document=self.cleaned_data["document"],
            counterpart=counterpart,
            new_counterpart=None if counterpart else self.new_counterpart_data(),
            idempotency_key=self.cleaned_data.get("submission_token") or "",
        )


class ReviewForm(forms.Form):
    review_note = forms.CharField(validators=[validate_no_control_characters], label=_("Note to the partner"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    not_duplicate = forms.BooleanField(
        label=_("I checked the possible duplicates: this MoU is not a duplicate"), required=False)


def _any_country_choices():
    return [("", _("Any country")), *country_choices()]


class MoUFilterForm(forms.Form):
    """The filters, search and sort of the list of all MoUs; every sort is served by an index."""

    SORTS = {
        "-submitted_at": _("Submitted, newest first"),
        "submitted_at": _("Submitted, oldest first"),
        "-signed_on": _("Signed, newest first"),
        "signed_on": _("Signed, oldest first"),
        "title": _("Title, A to Z"),
        "-title": _("Title, Z to A"),
    }
    SEARCH_FIELDS = ("title", "scope", "areas", "counterpart__name", "partner_organisation__name")

    q = forms.CharField(required=False, label=_("Search"), max_length=200, strip=True)
    status = forms.ChoiceField(required=False, label=_("Status"), choices=[("", _("Any status")), *MoU.Status.choices])
    country = forms.ChoiceField(required=False, label=_("Counterpart country"), choices=_any_country_choices)
    partner = forms.ModelChoiceField(required=False, label=_("Brought by"), empty_label=_("Any organisation"),
                                     queryset=Organisation.objects.filter(mous_brought__isnull=False)
                                     .distinct().order_by("name"))
    sort = forms.ChoiceField(required=False, label=_("Sort"), choices=list(SORTS.items()))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_pickers(self, search_all=True)

    def clean_q(self):
        query = self.cleaned_data["q"]
        if "\x00" in query:
            raise forms.ValidationError(_("Null characters are not allowed."))
        return query

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data.get("q"):
            queryset = queryset.filter(search_condition(MoU, self.SEARCH_FIELDS, data["q"]))
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("country"):
            queryset = queryset.filter(counterpart__country=data["country"])
        if data.get("partner"):
            queryset = queryset.filter(partner_organisation=data["partner"])
        sort = data.get("sort")
        if sort:
            queryset = queryset.order_by(sort, "-id" if sort.startswith("-") else "id")
        return queryset

