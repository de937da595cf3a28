"""Learner-centric training: micro-credentials and learning factories."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from simple_history.models import HistoricalRecords

from observatories.models import esco_skill_validator
from registers.models import TrackedModel


def validate_esco_skill_list(value):
    if not isinstance(value, list):
        raise ValidationError("Give a list of ESCO skill URIs.")
    for uri in value:
        esco_skill_validator(uri if isinstance(uri, str) else "")


class MicroCredentialQuerySet(models.QuerySet):
    def counted_on(self, on):
        """Published on or before ``on``, EQF level 3 to 6."""
        return self.filter(status=MicroCredential.Status.PUBLISHED, published_on__lte=on, eqf_level__gte=3,
                           eqf_level__lte=6)


class MicroCredential(TrackedModel):
    """A micro-credential with the standard elements of the 2022 Council Recommendation."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    class Participation(models.TextChoices):
        ONLINE = "online", "Online"
        ONSITE = "onsite", "On-site"
        BLENDED = "blended", "Blended"

    # Mandatory elements.
    title = models.CharField(max_length=255)
    awarding_body = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="micro_credentials_awarded",
        help_text="The awarding organisation (its country is the country of the issuer).")
    co_awarding_organisations = models.ManyToManyField(
        "organisations.Organisation", blank=True, related_name="micro_credentials_co_awarded",
        help_text="Other organisations awarding it jointly, if any.")
    learning_outcomes = models.TextField(help_text="What the learner knows and can do after it, one outcome a line.")
    esco_skills = models.JSONField(default=list, blank=True, validators=[validate_esco_skill_list],
                                   help_text="ESCO skill URIs the outcomes correspond to.")
    ects = models.DecimalField("notional workload (ECTS)", max_digits=4, decimal_places=1,
                               validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("60"))],
                               help_text="More than 0 and at most 60 ECTS.")
    hours = models.PositiveIntegerField("notional workload (hours)", null=True, blank=True)
    eqf_level = models.PositiveSmallIntegerField(
        "EQF level", validators=[MinValueValidator(1), MaxValueValidator(8)],
        help_text="European Qualifications Framework level, 1 to 8. The LCAMP indicator counts levels 3 to 6 "
                  "(upper-secondary VET to bachelor level).")
    assessment_type = models.CharField("type of assessment", max_length=255)
    participation_form = models.CharField("form of participation", max_length=10, choices=Participation.choices)
    quality_assurance = models.CharField("type of quality assurance", max_length=255)
    # Optional elements.
    prerequisites = models.TextField(blank=True)
    supervision_identity_verification = models.CharField("supervision and identity verification", max_length=255,
                                                         blank=True)
    grade_scheme = models.CharField(max_length=255, blank=True)
    integration_stackability = models.TextField("integration / stackability options", blank=True)
    further_information = models.TextField(blank=True)
    skill_gaps = models.ManyToManyField("observatories.SkillGap", blank=True, related_name="micro_credentials")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    objects = MicroCredentialQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        # The indicator page lists the latest records by this date: read from the index's end.
        indexes = [models.Index(fields=["published_on", "id"], name="credential_published_on_id")]
        constraints = [
            models.CheckConstraint(condition=Q(eqf_level__gte=1, eqf_level__lte=8), name="microcredential_eqf_1_8"),
            models.CheckConstraint(condition=Q(ects__gt=0, ects__lte=60), name="microcredential_ects_range"),
            models.CheckConstraint(condition=~Q(status="published") | Q(published_on__isnull=False),
                                   name="microcredential_published_has_date"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.status == self.Status.PUBLISHED and not self.published_on:
            raise ValidationError({"published_on": "A published micro-credential needs its publication date."})


class LearningFactory(TrackedModel):
    name = models.CharField(max_length=255)
    host_organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT,
                                          related_name="learning_factories")
    region = models.ForeignKey("organisations.Region", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="learning_factories")
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "learning factories"
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
        return self.filter(Exists(foreign_partner))

    def counted_on(self, on):
        return self.international().filter(started_on__lte=on).exclude(status=FactoryExchange.Status.CANCELLED)


class FactoryExchange(TrackedModel):
    """Students of a learning factory working with partners, possibly abroad."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED = "cancelled", "Cancelled"

    factory = models.ForeignKey(LearningFactory, on_delete=models.PROTECT, related_name="exchanges")
    partner_organisations = models.ManyToManyField("organisations.Organisation", related_name="factory_exchanges")
    title = models.CharField(max_length=255)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    students = models.PositiveIntegerField(validators=[MinValueValidator(1)], help_text="Number of students, 1 or more.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONFIRMED, db_index=True)
    history = HistoricalRecords(m2m_fields=[partner_organisations])

    objects = FactoryExchangeQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "id"]
        # The indicator page lists the latest records by this date: read from the index's end.
        indexes = [models.Index(fields=["started_on", "id"], name="exchange_started_on_id")]
        constraints = [
            models.CheckConstraint(condition=Q(students__gt=0), name="exchange_students_positive"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                                   name="exchange_ended_not_before_started"),
        ]

    def __str__(self):
        return self.title

    def is_international(self):
        home = self.factory.host_organisation.country
        return any(p.country != home for p in self.partner_organisations.all())

    def clean(self):
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "An exchange cannot end before it starts."})

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
                raise ValidationError({self.NOT_DUPLICATE: (
                    f"This exchange looks entered already: \"{other.title}\" has the same factory, partners, dates "
                    "and students. If it is a different exchange, confirm it is not a duplicate and save again.")})


class FactoryProductQuerySet(models.QuerySet):
    def counted_on(self, on):
        """Developed on or before ``on`` with two or more collaborating organisations."""
        through = self.model.collaborating_organisations.through
        return self.filter(status=FactoryProduct.Status.DEVELOPED, developed_on__lte=on).filter(
            pk__in=through.objects.values("factoryproduct_id").annotate(n=models.Count("organisation_id"))
            .filter(n__gte=2).values("factoryproduct_id")
        )


class FactoryProduct(TrackedModel):
    class Status(models.TextChoices):
        PROTOTYPE = "prototype", "Prototype"
        DEVELOPED = "developed", "Developed"
        RETIRED = "retired", "Retired"

    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    factories = models.ManyToManyField(LearningFactory, related_name="products")
    collaborating_organisations = models.ManyToManyField(
        "organisations.Organisation", related_name="factory_products", help_text="At least two organisations.")
    developed_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROTOTYPE, db_index=True)
    evidence_url = models.URLField(blank=True)
    history = HistoricalRecords(m2m_fields=[factories, collaborating_organisations])

    objects = FactoryProductQuerySet.as_manager()

    class Meta:
        ordering = ["-developed_on", "id"]
        # The indicator page lists the latest records by this date: read from the index's end.
        indexes = [models.Index(fields=["developed_on", "id"], name="product_developed_on_id")]
        constraints = [
            models.CheckConstraint(condition=~Q(status="developed") | Q(developed_on__isnull=False),
                                   name="product_developed_has_date"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.status == self.Status.DEVELOPED and not self.developed_on:
            raise ValidationError({"developed_on": "A developed product needs its development date."})

    @staticmethod
    def validate_collaborators(organisations):
        if len({o.pk for o in organisations}) < 2:
            raise ValidationError({"collaborating_organisations": "A collaborative product needs at least two "
                                                                  "collaborating organisations."})
