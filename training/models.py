"""Learner-centric training: micro-credentials and learning factories."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from observatories.models import esco_skill_validator
from registers.constraints import not_before, status_has_date, status_iff_date
from registers.l10n import language_name
from registers.models import Approval, CancellablePeriod, TrackedModel, Validated, event_date_indexes
from registers.validators import end_of_life_errors, ends_after, validate_event_date, validate_not_in_future

from .vocabularies import (
    LANGUAGE_CHOICES,
    LANGUAGES,
    LEARNING_OPPORTUNITY_TYPE_CHOICES,
    SUPERVISION_VERIFICATION_CHOICES,
    isced_f_label,
)


def validate_esco_skill_list(value):
    if not isinstance(value, list):
        raise ValidationError(gettext("Give a list of ESCO skill URIs."))
    for uri in value:
        esco_skill_validator(uri if isinstance(uri, str) else "")


def validate_language_list(value):
    if not isinstance(value, list) or any(code not in LANGUAGES for code in value):
        raise ValidationError(gettext("Give a list of language codes such as [\"en\", \"es\"]."))


isced_f_validator = RegexValidator(r"^\d{2,4}$", _("An ISCED-F 2013 field code: 2 to 4 digits, e.g. 0715."))


class MicroCredentialQuerySet(models.QuerySet):
    def counted_on(self, on):
        """Published on or before ``on`` and not retired on or before it, EQF level 3 to 6.

        A retired credential was published (only a published one can be retired), so it
        counts from ``published_on`` up to the day before ``retired_on``.
        """
        return self.countable().filter(published_on__lte=on).filter(ends_after("retired_on", on))

    def countable(self):
        """Published (or retired since), EQF level 3 to 6: the part of the rule that does not depend on the date."""
        return self.filter(status__in=[MicroCredential.Status.PUBLISHED, MicroCredential.Status.RETIRED],
                           eqf_level__gte=3, eqf_level__lte=6, approval=Approval.APPROVED)


class MicroCredential(Validated, TrackedModel):
    """A micro-credential with the standard elements of the 2022 Council Recommendation."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")
    class Participation(models.TextChoices):
        ONLINE = "online", _("Online")
        ONSITE = "onsite", _("On-site")
        BLENDED = "blended", _("Blended")
    # Mandatory elements.
    title = models.CharField(max_length=255, verbose_name=_("title"))
    awarding_body = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="micro_credentials_awarded",
        help_text=_("The awarding organisation (its country is the country of the issuer)."), verbose_name=_("awarding body"))
    co_awarding_organisations = models.ManyToManyField(
        "organisations.Organisation", blank=True, related_name="micro_credentials_co_awarded",
        help_text=_("Other organisations awarding it jointly, if any."), verbose_name=_("co-awarding organisations"))
    learning_outcomes = models.TextField(help_text=_("What the learner knows and can do after it, one outcome a line."), verbose_name=_("learning outcomes"))
    esco_skills = models.JSONField(default=list, blank=True, validators=[validate_esco_skill_list],
                                   help_text=_("ESCO skill URIs the outcomes correspond to."), verbose_name=_("ESCO skills"))
    ects = models.DecimalField(_("notional workload (ECTS)"), max_digits=4, decimal_places=1,
                               validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("60"))],
                               help_text=_("More than 0 and at most 60 ECTS."))
    hours = models.PositiveIntegerField(_("notional workload (hours)"), null=True, blank=True)
    eqf_level = models.PositiveSmallIntegerField(
        _("EQF level"), validators=[MinValueValidator(1), MaxValueValidator(8)],
        help_text=_("European Qualifications Framework level, 1 to 8. The LCAMP indicator counts levels 3 to 6 "
                  "(upper-secondary VET to bachelor level)."))
    assessment_type = models.CharField(_("type of assessment"), max_length=255)
    participation_form = models.CharField(_("form of participation"), max_length=10, choices=Participation.choices)
    quality_assurance = models.CharField(_("type of quality assurance"), max_length=255)
    # What the European Learning Model asks for besides the Council Recommendation's elements.
    homepage = models.URLField(blank=True, help_text=_("The course's public web page. Blank: its page here."), verbose_name=_("homepage"))
    default_language = models.CharField(max_length=3, choices=LANGUAGE_CHOICES, default="en",
                                        help_text=_("The language its title and texts are written in."), verbose_name=_("default language"))
    languages = models.JSONField(_("languages of instruction"), default=list, blank=True,
                                 validators=[validate_language_list],
                                 help_text=_("Languages it is taught in. Blank: the default language."))
    isced_f = models.CharField(_("ISCED-F thematic area"), max_length=4, blank=True, validators=[isced_f_validator],
                               help_text=_("ISCED-F 2013 field of education code, e.g. 0715 (mechanics and "
                                         "metal trades) or 0714 (electronics and automation)."))
    learning_opportunity_type = models.CharField(max_length=30, choices=LEARNING_OPPORTUNITY_TYPE_CHOICES,
                                                 default="short-learning-programme", verbose_name=_("learning opportunity type"))
    # Optional elements.
    prerequisites = models.TextField(blank=True, verbose_name=_("prerequisites"))
    identity_verification = models.CharField(
        _("supervision and identity verification"), max_length=30, choices=SUPERVISION_VERIFICATION_CHOICES,
        blank=True, help_text=_("From the European list of supervision and identity verification."))
    supervision_identity_verification = models.CharField(
        _("supervision and identity verification, details"), max_length=255, blank=True)
    grade_scheme = models.CharField(max_length=255, blank=True, verbose_name=_("grade scheme"))
    integration_stackability = models.TextField(_("integration / stackability options"), blank=True)
    further_information = models.TextField(blank=True, verbose_name=_("further information"))
    skill_gaps = models.ManyToManyField("observatories.SkillGap", blank=True, related_name="micro_credentials", verbose_name=_("skill gaps"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True, verbose_name=_("status"))
    published_on = models.DateField(null=True, blank=True, validators=[validate_event_date], verbose_name=_("published on"))
    retired_on = models.DateField(null=True, blank=True, validators=[validate_event_date, validate_not_in_future],
                                  help_text=_("The day it was retired: it counts up to the day before."), verbose_name=_("retired on"))
    history = HistoricalRecords()

    objects = MicroCredentialQuerySet.as_manager()
    owner_path = "awarding_body_id"
    end_of_life = (Status.RETIRED, "retired_on")

    class Meta:
        verbose_name = _("micro-credential")
        verbose_name_plural = _("micro-credentials")
        # The title's own column (the default language's text, indexed below): modeltranslation
        # rewrites a plain "title" to the reader's language column (unindexed, mostly empty),
        # which sorted the whole table on every page of the list and of the API.
        ordering = [F("title").asc(), "id"]
        indexes = [*event_date_indexes("credential", "published_on", "retired_on"),
                   models.Index(F("title"), F("id"), name="credential_title_id")]
        constraints = [
            models.CheckConstraint(condition=Q(eqf_level__gte=1, eqf_level__lte=8), name="microcredential_eqf_1_8"),
            models.CheckConstraint(condition=Q(ects__gt=0, ects__lte=60), name="microcredential_ects_range"),
            status_has_date("published", "published_on", name="microcredential_published_has_date"),
            status_iff_date("retired", "retired_on", name="microcredential_retired_iff_date"),
            not_before("retired_on", "published_on", start_may_be_empty=True,
                       name="microcredential_retired_not_before_published"),
        ]

    def __str__(self):
        return self.title

    def language_map(self, field):
        """``{language code: text}`` of a translated field (``title``, ``learning_outcomes``),
        the languages it is written in only, English first: an ELM language map."""
        texts = {}
        for code, _name in settings.LANGUAGES:
            text = getattr(self, f"{field}_{code}", None)
            if text and text.strip():
                texts[code] = text
        return texts

    def clean(self):
        errors = {}
        if self.status == self.Status.PUBLISHED and not self.published_on:
            errors["published_on"] = _("A published micro-credential needs its publication date.")
        errors.update(end_of_life_errors(self, date_field="retired_on", end_status=self.Status.RETIRED,
                                         counted_status=self.Status.PUBLISHED, start_field="published_on",
                                         started=_("published")))
        if errors:
            raise ValidationError(errors)

    def instruction_languages(self):
        """The languages it is taught in; the default language when none is given."""
        return list(dict.fromkeys(self.languages or [self.default_language]))

    @classmethod
    def value_labels(cls, name, values):
        """The labels of the codes a field holds, for its page and history (``registers.display``):
        an ESCO skill's preferred label where a skill gap records it (else its URI), a language's name,
        an ISCED-F field's name."""
        if name == "esco_skills":
            from observatories.models import SkillGap

            return dict(SkillGap.objects.filter(esco_skill_uri__in=[v for v in values if isinstance(v, str)])
                        .exclude(esco_skill_label="").order_by("esco_skill_uri", "pk")
                        .values_list("esco_skill_uri", "esco_skill_label").distinct())
        if name in ("languages", "default_language"):
            return {code: language_name(code) for code in values if isinstance(code, str)}
        if name == "isced_f":
            return {code: isced_f_label(code) for code in values if isinstance(code, str)}
        return None


class LearningFactory(Validated, TrackedModel):
    name = models.CharField(max_length=255, verbose_name=_("name"))
    host_organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT,
                                          related_name="learning_factories", verbose_name=_("host organisation"))
    region = models.ForeignKey("organisations.Region", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="learning_factories", verbose_name=_("region"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    history = HistoricalRecords()
    owner_path = "host_organisation_id"

    class Meta:
        verbose_name = _("learning factory")
        verbose_name_plural = _("learning factories")
        ordering = ["name"]

    def __str__(self):
        return self.name


class FactoryExchangeQuerySet(models.QuerySet):
    def international(self):
        """Exchanges with a partner organisation in another country than the factory's host."""
        Organisation = self.model._meta.get_field("partner_organisations").related_model
        foreign_partner = Organisation.objects.filter(
            factory_exchanges=OuterRef("pk")
        ).exclude(country=OuterRef("factory__host_organisation__country"))
        return self.filter(Exists(foreign_partner), approval=Approval.APPROVED)

    def counted_on(self, on):
        """International exchanges started on or before ``on`` and not cancelled on or before it."""
        return self.international().filter(started_on__lte=on).filter(ends_after("cancelled_on", on))


class FactoryExchange(Validated, CancellablePeriod):
    """Students of a learning factory working with partners, possibly abroad."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
    factory = models.ForeignKey(LearningFactory, on_delete=models.PROTECT, related_name="exchanges", verbose_name=_("factory"))
    partner_organisations = models.ManyToManyField("organisations.Organisation", related_name="factory_exchanges", verbose_name=_("partner organisations"))
    title = models.CharField(max_length=255, verbose_name=_("title"))
    started_on = models.DateField(validators=[validate_event_date], verbose_name=_("started on"))
    ended_on = models.DateField(null=True, blank=True, validators=[validate_event_date], verbose_name=_("ended on"))
    students = models.PositiveIntegerField(validators=[MinValueValidator(1)], help_text=_("Number of students, 1 or more."), verbose_name=_("students"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONFIRMED, db_index=True, verbose_name=_("status"))
    cancelled_on = models.DateField(
        null=True, blank=True, validators=[validate_event_date, validate_not_in_future],
        help_text=_("The day it was cancelled: its students count up to the day before (never, when cancelled "
                  "before it started)."), verbose_name=_("cancelled on"))
    history = HistoricalRecords(m2m_fields=[partner_organisations])

    objects = FactoryExchangeQuerySet.as_manager()
    owner_path = "factory__host_organisation_id"
    end_of_life = (Status.CANCELLED, "cancelled_on")

    class Meta:
        verbose_name = _("factory exchange")
        verbose_name_plural = _("factory exchanges")
        ordering = ["-started_on", "id"]
        indexes = event_date_indexes("exchange", "started_on", "cancelled_on")
        constraints = [models.CheckConstraint(condition=Q(students__gt=0), name="exchange_students_positive"),
                       *CancellablePeriod.period_constraints("exchange")]

    ended_before_start = _("An exchange cannot end before it starts.")

    def __str__(self):
        return self.title

    def is_international(self):
        home = self.factory.host_organisation.country
        return any(p.country != home for p in self.partner_organisations.all())

    NOT_DUPLICATE = "not_duplicate"

    def check_not_duplicate(self, partner_organisations, confirmed):
        """Refuse a new exchange that looks entered twice (same factory, partners, dates and students as a
        confirmed one) unless the person confirms it is not a duplicate."""
        if confirmed or self.pk is not None:
            return
        partners = sorted(p.pk for p in partner_organisations)
        candidates = FactoryExchange.objects.filter(
            factory_id=self.factory_id, started_on=self.started_on, ended_on=self.ended_on, students=self.students,
            status=self.Status.CONFIRMED).prefetch_related("partner_organisations")
        for other in candidates:
            if sorted(p.pk for p in other.partner_organisations.all()) == partners:
                raise ValidationError({self.NOT_DUPLICATE: gettext(
                    "This exchange looks entered already: “%(title)s” has the same factory, partners, dates "
                    "and students. If it is a different exchange, confirm it is not a duplicate and save again.")
                    % {"title": other.title}})


class FactoryProductQuerySet(models.QuerySet):
    def counted_on(self, on):
        """Developed on or before ``on``, not retired on or before it, with two or more collaborating organisations.

        A retired product was developed (only a developed one can be retired), so it counts
        from ``developed_on`` up to the day before ``retired_on``.
        """
        return self.countable().filter(developed_on__lte=on).filter(ends_after("retired_on", on))

    def countable(self):
        """Developed (or retired since), with two or more collaborating organisations: the part of the rule
        that does not depend on the date."""
        through = self.model.collaborating_organisations.through
        return self.filter(status__in=[FactoryProduct.Status.DEVELOPED, FactoryProduct.Status.RETIRED],
                           approval=Approval.APPROVED).filter(
            pk__in=through.objects.values("factoryproduct_id").annotate(n=models.Count("organisation_id"))
            .filter(n__gte=2).values("factoryproduct_id")
        )


class FactoryProduct(Validated, TrackedModel):
    class Status(models.TextChoices):
        PROTOTYPE = "prototype", _("Prototype")
        DEVELOPED = "developed", _("Developed")
        RETIRED = "retired", _("Retired")
    title = models.CharField(max_length=255, verbose_name=_("title"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    factories = models.ManyToManyField(LearningFactory, related_name="products", verbose_name=_("factories"))
    collaborating_organisations = models.ManyToManyField(
        "organisations.Organisation", related_name="factory_products", help_text=_("At least two organisations."), verbose_name=_("collaborating organisations"))
    developed_on = models.DateField(null=True, blank=True, validators=[validate_event_date], verbose_name=_("developed on"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROTOTYPE, db_index=True, verbose_name=_("status"))
    retired_on = models.DateField(null=True, blank=True, validators=[validate_event_date, validate_not_in_future],
                                  help_text=_("The day it was retired: it counts up to the day before."), verbose_name=_("retired on"))
    evidence_url = models.URLField(blank=True, verbose_name=_("evidence URL"))
    # The product's first factory (the lowest id of ``factories``), kept by ``refresh_first_factories`` whenever
    # the factories change: a product made in several factories is attributed once, to it (the breakdown by
    # factory), and is its host's record. A column, so that a breakdown or a partner's list joins it instead of
    # looking it up per product.
    first_factory = models.ForeignKey(LearningFactory, null=True, blank=True, editable=False,
                                      on_delete=models.SET_NULL, related_name="+", verbose_name=_("first factory"))
    history = HistoricalRecords(m2m_fields=[factories, collaborating_organisations])

    objects = FactoryProductQuerySet.as_manager()
    end_of_life = (Status.RETIRED, "retired_on")
    owner_path = "first_factory__host_organisation_id"

    def save(self, *args, **kwargs):
        # A product read before its factories changed must not write its old first factory back.
        if self.pk is not None and not self._state.adding:
            self.first_factory_id = (self.factories.order_by("pk").values_list("pk", flat=True).first())
        super().save(*args, **kwargs)

    def owner_of(self, m2m=None):
        factories = (m2m or {}).get("factories")
        if factories is not None:
            first = min(factories, key=lambda factory: factory.pk, default=None)
            return first.host_organisation_id if first is not None else None
        if self.pk is None:
            return None
        return self.factories.order_by("pk").values_list("host_organisation_id", flat=True).first()

    class Meta:
        verbose_name = _("factory product")
        verbose_name_plural = _("factory products")
        ordering = ["-developed_on", "id"]
        indexes = event_date_indexes("product", "developed_on", "retired_on")
        constraints = [
            status_has_date("developed", "developed_on", name="product_developed_has_date"),
            status_iff_date("retired", "retired_on", name="product_retired_iff_date"),
            not_before("retired_on", "developed_on", start_may_be_empty=True,
                       name="product_retired_not_before_developed"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.status == self.Status.DEVELOPED and not self.developed_on:
            errors["developed_on"] = _("A developed product needs its development date.")
        errors.update(end_of_life_errors(self, date_field="retired_on", end_status=self.Status.RETIRED,
                                         counted_status=self.Status.DEVELOPED, start_field="developed_on",
                                         started=_("developed")))
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def validate_collaborators(organisations):
        if len({o.pk for o in organisations}) < 2:
            raise ValidationError({"collaborating_organisations": gettext("A collaborative product needs at least two "
                                                                  "collaborating organisations.")})


def refresh_first_factories(products=None):
    """Set the first factory (the lowest factory id, or none) of ``products`` (a queryset or ids; all by
    default): one UPDATE. Called whenever a product's factories change (``training.signals``)."""
    through = FactoryProduct.factories.through
    first = (through.objects.filter(factoryproduct_id=OuterRef("pk")).order_by("learningfactory_id")
             .values("learningfactory_id")[:1])
    queryset = FactoryProduct.objects.all() if products is None else FactoryProduct.objects.filter(pk__in=products)
    return queryset.update(first_factory=Subquery(first))
