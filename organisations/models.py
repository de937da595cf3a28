"""Organisations of the network and the regions they are in (NUTS)."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from accounts import roles
from registers.models import CheckedModel, TrackedModel

nuts_code_validator = RegexValidator(
    r"^[A-Z]{2}[A-Z0-9]{0,3}$",
    _("A NUTS code is two capital letters (the country) and up to three letters or digits, e.g. ES21."),
)
oid_validator = RegexValidator(r"^E\d{8}$", _("An Erasmus+ OID is the letter E followed by 8 digits, e.g. E10208995."))
pic_validator = RegexValidator(r"^\d{9}$", _("A PIC is exactly 9 digits, e.g. 949640498."))

# NUTS uses EL for Greece where ISO 3166 says GR.
NUTS_COUNTRY_PREFIX = {"GR": "EL"}


class Region(CheckedModel):
    """A NUTS region (levels 0-3), or a region outside the EU with a code of its own."""

    code = models.CharField(max_length=8, validators=[nuts_code_validator],
                            help_text=_("NUTS code, e.g. ES21 (País Vasco); outside the EU a code of your own."), verbose_name=_("code"))
    nuts_version = models.CharField(max_length=8, default="2021",
                                    help_text=_("The NUTS classification the code belongs to, e.g. 2021."), verbose_name=_("NUTS version"))
    name = models.CharField(max_length=200, verbose_name=_("name"))
    country = CountryField(verbose_name=_("country"))
    level = models.PositiveSmallIntegerField(default=2, help_text=_("NUTS level, 0 (country) to 3."), verbose_name=_("level"))
    is_nuts = models.BooleanField(default=True, help_text=_("Off for a region outside the NUTS classification."), verbose_name=_("is NUTS"))
    # Where the region's marker goes on the indicator maps (WGS 84, decimal degrees); blank: no marker.
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)],
                                   help_text=_("Latitude of the region's marker on the maps, -90 to 90, e.g. 43.05."), verbose_name=_("latitude"))
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True,
                                    validators=[MinValueValidator(-180), MaxValueValidator(180)],
                                    help_text=_("Longitude of the region's marker on the maps, -180 to 180, e.g. -2.6."), verbose_name=_("longitude"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["code", "nuts_version"], name="region_unique_code_version"),
            models.CheckConstraint(condition=Q(level__lte=3), name="region_level_0_to_3"),
            models.CheckConstraint(condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                                   name="region_latitude_range"),
            models.CheckConstraint(condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                                   name="region_longitude_range"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @staticmethod
    def import_candidates(texts):
        """The regions whose ``str()`` may be one of ``texts`` ("ES21 País Vasco"): by code
        (``registers.importing`` keeps those whose ``str()`` is the text)."""
        return Q(code__in=[text.split(" ", 1)[0] for text in texts])

    def clean(self):
        if self.code and self.country and self.is_nuts:
            prefix = NUTS_COUNTRY_PREFIX.get(str(self.country), str(self.country))
            if not self.code.startswith(prefix):
                raise ValidationError({"code": gettext("A NUTS code of %(country)s starts with %(prefix)s.")
                                       % {"country": self.country.name, "prefix": prefix}})
            if len(self.code) - 2 != self.level:
                raise ValidationError({"level": gettext("The NUTS code %(code)s is of level %(level)s.")
                                        % {"code": self.code, "level": len(self.code) - 2}})
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"longitude" if self.longitude is None else "latitude":
                                   gettext("Give both the latitude and the longitude, or neither.")})


# --- Organisation rules: one copy, called by Organisation.clean() and by the bulk import ----------


def organisation_key(name, country):
    """What makes an organisation unique: its name (trimmed, any case) and its country."""
    return ((name or "").strip().lower(), str(country or ""))


def region_country_error(region, country, country_label=None):
    """The message when ``region`` (a Region) is not in ``country`` (an ISO code), else None."""
    if region is not None and country and str(region.country) != str(country):
        return gettext("The region %(region)s is not in %(country)s.") % {
            "region": region, "country": country_label or country}
    return None


def duplicate_organisation_error(name, country):
    return gettext("%(name)s in %(country)s is already registered.") % {"name": name, "country": country}


class Organisation(TrackedModel):
    class Kind(models.TextChoices):
        VET = "vet", _("VET provider")
        HIGHER_EDUCATION = "higher_education", _("Higher education or research")
        COMPANY = "company", _("Company")
        SME = "sme", _("SME")
        CLUSTER = "cluster", _("Cluster or association")
        PUBLIC_AUTHORITY = "public_authority", _("Public authority")
        INTERNATIONAL = "international", _("International organisation")
        OTHER = "other", _("Other")
    name = models.CharField(max_length=255, verbose_name=_("name"))
    acronym = models.CharField(max_length=50, blank=True, verbose_name=_("acronym"))
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.OTHER, verbose_name=_("kind"))
    country = CountryField(verbose_name=_("country"))
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("region"))
    city = models.CharField(max_length=120, blank=True, verbose_name=_("city"))
    website = models.URLField(blank=True, verbose_name=_("website"))
    erasmus_oid = models.CharField(_("Erasmus+ OID"), max_length=9, blank=True, validators=[oid_validator],
                                   help_text=_("Optional: E followed by 8 digits."))
    pic = models.CharField(_("PIC"), max_length=9, blank=True, validators=[pic_validator],
                           help_text=_("Optional Participant Identification Code: 9 digits."))
    is_consortium_partner = models.BooleanField(default=False, verbose_name=_("is consortium partner"))
    is_coordinator = models.BooleanField(default=False, verbose_name=_("is coordinator"))
    # A counterpart a partner typed in an MoU is confidential until a coordinator approves that MoU:
    # only the partner that proposed it (and the consortium's coordinators and staff) find it.
    proposed_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("proposed by (until its MoU is approved)"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        # The list's and the pickers' order (name, id); the search's trigram indexes are in a migration.
        indexes = [models.Index(fields=["name", "id"], name="organisation_name_id"),
                   # The consortium partners (some 26 of a directory that may hold hundreds of thousands): the
                   # inbox's and the lists' partner filters read them by name.
                   models.Index(fields=["name", "id"], condition=models.Q(is_consortium_partner=True),
                                name="organisation_partner_name")]
        constraints = [
            models.UniqueConstraint(Lower("name"), "country", name="organisation_unique_name_country"),
            models.UniqueConstraint(fields=["erasmus_oid"], condition=~Q(erasmus_oid=""),
                                    name="organisation_unique_oid"),
            models.UniqueConstraint(fields=["pic"], condition=~Q(pic=""), name="organisation_unique_pic"),
        ]

    def __str__(self):
        return f"{self.name} ({self.country})" if self.country else self.name

    @staticmethod
    def import_candidates(texts):
        """The organisations whose ``str()`` may be one of ``texts`` ("Name (ES)", the name and
        its country, unique together): by name (``registers.importing`` keeps those whose
        ``str()`` is the text)."""
        names = set()
        for text in texts:
            names.add(text)
            if text.endswith(")") and " (" in text:
                names.add(text.rsplit(" (", 1)[0])
        return Q(name__in=names)

    @staticmethod
    def visible_to(queryset, user):
        """``queryset`` without the counterparts other partners proposed in MoUs not yet approved
        (``proposed_by``): a partner finds those it proposed and every approved organisation; the
        consortium's own roles find all."""
        if not roles.is_partner(user):
            return queryset
        return queryset.filter(Q(proposed_by__isnull=True) | Q(proposed_by=user.organisation_id))

    def clean(self):
        if self.region_id and self.country:
            region_error = region_country_error(self.region, self.country.code, self.country.name)
            if region_error:
                raise ValidationError({"region": region_error})
        if self.name and self.country:
            same = Organisation.objects.filter(name__iexact=self.name.strip(), country=self.country)
            if self.pk:
                same = same.exclude(pk=self.pk)
            if same.exists():
                raise ValidationError({"name": duplicate_organisation_error(self.name, self.country.name)})
