"""factory_boy factories for every model; sensible valid defaults, override what a test is about."""

import datetime
import uuid
from decimal import Decimal

import factory
import factory as fb
from django.contrib.auth.models import Group

from accounts.models import User
from alliance.models import AllianceMember, CooperationProject, MoU
from indicators.models import Indicator, Milestone, Pillar, Project, Report, Snapshot
from observatories.models import Observatory, SkillGap
from organisations.models import Organisation, Region
from tests.alliance.pdf_samples import make_pdf
from training.models import FactoryExchange, FactoryProduct, LearningFactory, MicroCredential

TODAY = datetime.date.today()


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code", "nuts_version")

    code = "ES21"
    nuts_version = "2021"
    name = "País Vasco"
    country = "ES"
    level = 2


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.VET
    country = "ES"
    city = "Donostia"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            # The roles' names before issue 21 still read as their successors.
            name = {"manager": "coordinator", "partner": "partner_editor"}.get(extracted, extracted)
            self.groups.add(Group.objects.get_or_create(name=name)[0])
        if create:
            self.save()


class AllianceMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AllianceMember

    organisation = factory.SubFactory(OrganisationFactory)
    category = AllianceMember.Category.VET
    joined_on = datetime.date(2023, 1, 15)


class CooperationProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CooperationProject
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Cooperation project {n}")
    lead_organisation = factory.SubFactory(OrganisationFactory)
    started_on = datetime.date(2023, 6, 1)
    status = CooperationProject.Status.ONGOING
    # A cancelled project is cancelled the day it starts (never counted) unless a test gives the day.
    cancelled_on = factory.LazyAttribute(lambda p: p.started_on if p.status == CooperationProject.Status.CANCELLED
                                         else None)

    @factory.post_generation
    def participants(self, create, extracted, **kwargs):
        """The participants (default: the lead and another organisation).

        ``participants__members=True`` also makes each of them an alliance member since a year
        before the start, so that the project counts (cooperation among members).
        """
        if not create:
            return
        if extracted is None:
            extracted = [self.lead_organisation, OrganisationFactory()]
        self.participants.set(extracted)
        if kwargs.get("members"):
            since = self.started_on - datetime.timedelta(days=365)
            for organisation in extracted:
                if not AllianceMember.objects.active_on(self.started_on).filter(organisation=organisation).exists():
                    AllianceMemberFactory(organisation=organisation, joined_on=since)


class MoUFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MoU

    counterpart = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.COMPANY)
    partner_organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"MoU {n}")
    scope = "Joint training in additive manufacturing."
    signed_on = datetime.date(2024, 3, 1)
    signatories = "A. Person, Director"
    status = MoU.Status.SUBMITTED
    # Approving needs the signed document; ``document=""`` makes one without.
    document = factory.django.FileField(filename="signed.pdf", data=make_pdf())


class ObservatoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observatory

    name = factory.Sequence(lambda n: f"Observatory {n}")
    region = factory.SubFactory(RegionFactory)
    host_organisation = factory.SubFactory(OrganisationFactory)
    status = Observatory.Status.ACTIVE
    launched_on = datetime.date(2023, 3, 1)


class SkillGapFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SkillGap

    observatory = factory.SubFactory(ObservatoryFactory)
    title = factory.Sequence(lambda n: f"Skill gap {n}")
    esco_skill_uri = factory.LazyFunction(lambda: f"http://data.europa.eu/esco/skill/{uuid.uuid4()}")
    esco_skill_label = "operate CNC machines"
    isco_code = "7223"
    nace_code = "C28"
    critical = True
    identified_on = datetime.date(2024, 1, 10)
    status = SkillGap.Status.VALIDATED
    # A retired gap is retired the day it was identified (never counted) unless a test gives the day.
    retired_on = factory.LazyAttribute(lambda g: g.identified_on if g.status == SkillGap.Status.RETIRED else None)


class MicroCredentialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MicroCredential

    title = factory.Sequence(lambda n: f"Micro-credential {n}")
    awarding_body = factory.SubFactory(OrganisationFactory)
    learning_outcomes = "Programme a collaborative robot for a pick-and-place task."
    ects = Decimal("3.0")
    hours = 75
    eqf_level = 4
    assessment_type = "Practical assessment"
    participation_form = MicroCredential.Participation.BLENDED
    quality_assurance = "Internal quality assurance of the awarding VET centre"
    status = MicroCredential.Status.PUBLISHED
    published_on = datetime.date(2024, 2, 1)
    # A retired credential is retired the day it was published (never counted) unless a test gives the day.
    retired_on = factory.LazyAttribute(
        lambda c: (c.published_on or datetime.date(2024, 2, 1)) if c.status == MicroCredential.Status.RETIRED
        else None)


class LearningFactoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningFactory

    name = factory.Sequence(lambda n: f"Learning factory {n}")
    host_organisation = factory.SubFactory(OrganisationFactory)


class FactoryExchangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FactoryExchange
        skip_postgeneration_save = True

    factory = fb.SubFactory(LearningFactoryFactory)
    title = fb.Sequence(lambda n: f"Exchange {n}")
    started_on = datetime.date(2024, 4, 1)
    students = 5
    status = FactoryExchange.Status.CONFIRMED
    # A cancelled exchange is cancelled the day it starts (never counted) unless a test gives the day.
    cancelled_on = fb.LazyAttribute(lambda e: e.started_on if e.status == FactoryExchange.Status.CANCELLED else None)

    @fb.post_generation
    def partner_organisations(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = [OrganisationFactory(country="FR")]
        self.partner_organisations.set(extracted)


class FactoryProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FactoryProduct
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Product {n}")
    status = FactoryProduct.Status.DEVELOPED
    developed_on = datetime.date(2024, 5, 1)
    # A retired product is retired the day it was developed (never counted) unless a test gives the day.
    retired_on = factory.LazyAttribute(
        lambda p: (p.developed_on or datetime.date(2024, 5, 1)) if p.status == FactoryProduct.Status.RETIRED
        else None)

    @factory.post_generation
    def factories(self, create, extracted, **kwargs):
        if not create:
            return
        self.factories.set(extracted if extracted is not None else [LearningFactoryFactory()])

    @factory.post_generation
    def collaborating_organisations(self, create, extracted, **kwargs):
        if not create:
            return
        self.collaborating_organisations.set(
            extracted if extracted is not None else [OrganisationFactory(), OrganisationFactory(country="IT")]
        )


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        django_get_or_create = ("code",)

    code = "lcamp"
    name = "LCAMP"
    start_on = datetime.date(2022, 9, 1)
    end_on = datetime.date(2026, 8, 31)


class PillarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pillar
        django_get_or_create = ("project", "code")

    project = factory.SubFactory(ProjectFactory)
    code = "alliance"
    name = "Alliance"


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator
        django_get_or_create = ("project", "code")

    project = factory.SubFactory(ProjectFactory)
    pillar = factory.SubFactory(PillarFactory, project=factory.SelfAttribute("..project"))
    code = "alliance-members"
    title = "Alliance members"
    measure_key = factory.LazyAttribute(lambda i: i.code if i.source == Indicator.Source.MEASURE else "")
    source = Indicator.Source.MEASURE
    baseline = Decimal("0")
    target = Decimal("200")
    target_date = datetime.date(2026, 8, 31)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    indicator = factory.SubFactory(IndicatorFactory)
    date = datetime.date(2024, 12, 31)
    value = Decimal("50")


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    indicator = factory.SubFactory(IndicatorFactory, code="reported-thing", source=Indicator.Source.REPORTED)
    organisation = factory.SubFactory(OrganisationFactory)
    as_of = datetime.date(2024, 6, 30)
    value = Decimal("5")
    evidence_url = "https://example.org/evidence"
    status = Report.Status.SUBMITTED


class SnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Snapshot

    indicator = factory.SubFactory(IndicatorFactory)
    date = TODAY
    value = Decimal("30")
    target = Decimal("200")
    expected = Decimal("100")
    progress = Decimal("0.15")
    status = Snapshot.Status.BEHIND
