"""Demo records and accounts.

``create_demo_records()`` reproduces LCAMP's state of December 2024 as the EARLALL
article gives it (10 observatories active, 30 alliance members) with plausible
partial progress on the other indicators. ``create_synthetic_records(n)`` adds ``n``
generated records spread over the registers, with ``bulk_create`` in batches, then
``ANALYZE`` of the tables filled, for load and benchmark work. Everything made here
is marked ``is_demo``.
"""

import datetime
import itertools
import random
import uuid

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, transaction

DEMO_ACCOUNTS = [
    # username, role, organisation name, is superuser
    ("admin", None, "EARLALL", True),
    ("staff", "staff", "EARLALL", False),
    ("manager", "coordinator", "TKNIKA", False),
    ("partner", "partner_editor", "Mecanic Vallée", False),
    ("partner2", "partner_editor", "Curt Nicolin Gymnasiet", False),
]

# Organisations of the network beyond the consortium that joined the Alliance by Dec 2024.
DEMO_ORGANISATIONS = [
    ("Ideko", "company", "ES", "ES21", "Elgoibar"),
    ("Tecnalia", "higher_education", "ES", "ES21", "Donostia-San Sebastián"),
    ("Basque Government, Department of Education", "public_authority", "ES", "ES21", "Vitoria-Gasteiz"),
    ("Ratier-Figeac", "company", "FR", "FRJ2", "Figeac"),
    ("Lycée Champollion", "vet", "FR", "FRJ2", "Figeac"),
    ("Malta College of Arts, Science and Technology", "vet", "MT", "MT00", "Paola"),
    ("Voith Turbo", "company", "DE", "DE11", "Heidenheim an der Brenz"),
    ("Kocaeli University", "higher_education", "TR", "TR42", "İzmit"),
    ("Siemens Energy Finspång", "company", "SE", "SE12", "Finspång"),
    ("Region Östergötland", "public_authority", "SE", "SE12", "Linköping"),
    ("Agoria Antwerp", "cluster", "BE", "BE21", "Antwerp"),
    ("Politecnico di Milano", "higher_education", "IT", "ITC4", "Milan"),
    ("Comau Academy", "sme", "IT", "ITC4", "Milan"),
    ("Flanders Make", "higher_education", "BE", "BE21", "Lommel"),
    ("Cedefop network observer", "international", "BE", "BE10", "Brussels"),
    ("Lombardy Region, Directorate for Education", "public_authority", "IT", "ITC4", "Milan"),
    ("Addimen", "sme", "ES", "ES21", "Bilbao"),  # not a member of the Alliance
]

CATEGORY_BY_KIND = {
    "vet": "vet", "higher_education": "research", "company": "business", "sme": "business",
    "cluster": "business", "public_authority": "policy", "international": "international", "other": "business",
}

OBSERVATORY_REGIONS = ["ES21", "BE10", "FRJ2", "MT00", "DE11", "TR42", "SE12", "BE21", "ITC4"]
HOSTS = ["TKNIKA", "EARLALL", "Mecanic Vallée", "Knowledge Innovation Centre", "DHBW Heidenheim",
         "Kocaeli Provincial Directorate of National Education", "Curt Nicolin Gymnasiet", "Crescendo CVO",
         "AFIL", "MADE Competence Center Industry 4.0"]
NACE = ["C25", "C28", "C29", "C27", "C22", "C24", "C26", "C30", "C33", "M71"]
SKILLS = ["operate CNC machines", "programme robots", "additive manufacturing design", "industrial data analysis",
          "maintain automated systems", "digital twin modelling", "cobot safety", "lean manufacturing",
          "quality control with metrology", "PLC programming", "cybersecurity for OT", "circular design"]

# Micro-credentials: taught in the awarding body's language and English; ISCED-F 2013 fields
# 0714 electronics and automation, 0715 mechanics and metal trades, 0788 inter-disciplinary engineering.
LANGUAGE_BY_COUNTRY = {"ES": "es", "FR": "fr", "BE": "nl", "IT": "it", "DE": "de", "SE": "sv", "MT": "mt",
                       "TR": "tr", "PT": "pt", "NL": "nl", "PL": "pl", "FI": "fi"}
ISCED_F_CODES = ["0714", "0715", "0788"]


def _d(y, m, d):
    return datetime.date(y, m, d)


def demo_records_exist():
    from organisations.models import Organisation

    return Organisation.objects.filter(is_demo=True).exists()


@transaction.atomic
def create_demo_records(seed=2024):
    """The December 2024 state, dated records, marked as demo. Needs ``seed_reference_data()`` first.

    One generator a register, in this order (later ones refer to what the earlier made).
    """
    from organisations.models import Organisation, Region

    rng = random.Random(seed)
    regions = {r.code: r for r in Region.objects.all()}
    partners = {o.name: o for o in Organisation.objects.filter(is_consortium_partner=True)}
    others = {}
    for name, kind, country, region, city in DEMO_ORGANISATIONS:
        others[name] = Organisation.objects.create(name=name, kind=kind, country=country, region=regions.get(region),
                                                   city=city, is_demo=True)
    partner_list = list(partners.values())
    members = _demo_members(partners, others)
    observatories = _demo_observatories(partners, regions)
    gaps = _demo_skill_gaps(observatories, rng)
    _demo_projects(members)
    _demo_mous(others, partner_list)
    _demo_micro_credentials(partner_list, gaps)
    _demo_training(partners, partner_list)
    from indicators.models import Project

    # The demo shows the partners the dashboard (read-only), as the project may allow.
    Project.objects.update(partners_see_dashboard=True)


def _demo_members(partners, others):
    from alliance.models import AllianceMember

    # Alliance: the 14 consortium partners and 16 others are members in Dec 2024; Addimen is not one.
    # The registers hold exactly the article's figures (30 members, 10 observatories), so a person
    # counting the rows of a list finds what the dashboard says.
    members = list(partners.values()) + [o for n, o in others.items() if n != "Addimen"]
    for i, organisation in enumerate(members):
        joined = _d(2023, 1, 15) + datetime.timedelta(days=(i * 23) % 690)
        AllianceMember.objects.create(organisation=organisation, category=CATEGORY_BY_KIND[organisation.kind],
                                      joined_on=joined, is_demo=True)
    return members


def _demo_observatories(partners, regions):
    from observatories.models import Observatory

    # Observatories: 10 active.
    observatories = []
    for i, host in enumerate(HOSTS):
        region = regions[OBSERVATORY_REGIONS[i % len(OBSERVATORY_REGIONS)]]
        observatories.append(Observatory.objects.create(
            name=f"Advanced manufacturing skills observatory — {region.name}", region=region,
            host_organisation=partners[host], status="active", launched_on=_d(2023, 2, 1) + datetime.timedelta(days=45 * i),
            description="Regional observatory of skills needs in advanced manufacturing.", is_demo=True))
    return observatories


def _demo_skill_gaps(observatories, rng):
    from observatories.models import SkillGap

    # Skill gaps: 24 critical and validated, 5 candidates.
    gaps = []
    for i in range(29):
        gaps.append(SkillGap.objects.create(
            observatory=observatories[i % 10], title=f"{SKILLS[i % len(SKILLS)].capitalize()} ({i + 1})",
            esco_skill_uri=f"http://data.europa.eu/esco/skill/{uuid.UUID(int=rng.getrandbits(128))}",
            esco_skill_label=SKILLS[i % len(SKILLS)], isco_code=rng.choice(["7223", "7233", "3115", "7543", "2144"]),
            nace_code=NACE[i % len(NACE)], critical=True, identified_on=_d(2023, 4, 1) + datetime.timedelta(days=21 * i),
            status="validated" if i < 24 else "candidate", evidence="Observatory survey and employer panel.",
            is_demo=True))
    return gaps


def _demo_projects(members):
    from alliance.models import CooperationProject

    # Cooperation projects among members: 6.
    for i in range(6):
        lead = members[i]
        project = CooperationProject.objects.create(
            title=f"Cooperation project {i + 1}: {SKILLS[i].capitalize()}", lead_organisation=lead,
            started_on=_d(2024, 8, 1) + datetime.timedelta(days=14 * i), status="ongoing",
            description="Joint development among alliance members.", is_demo=True)
        project.participants.set([lead, members[i + 10], members[i + 20]])


def _demo_mous(others, partner_list):
    from alliance.models import MoU

    # MoUs: 25 approved, 3 waiting for review, 1 rejected.
    counterparts = [o for o in others.values() if o.name != "Addimen"]
    for i in range(29):
        status = "approved" if i < 25 else ("submitted" if i < 28 else "rejected")
        MoU.objects.create(
            counterpart=counterparts[i % len(counterparts)], partner_organisation=partner_list[i % len(partner_list)],
            title=f"Cooperation agreement {i + 1}", scope="Work placements, joint training and shared equipment.",
            areas="training; internships", signed_on=_d(2023, 3, 1) + datetime.timedelta(days=23 * i),
            signatories="Director of each organisation", status=status, is_demo=True,
            review_note="Signed copy missing." if status == "rejected" else "")


def _demo_micro_credentials(partner_list, gaps):
    from training.models import MicroCredential

    # Micro-credentials: 34 published at EQF 3-6, plus 3 drafts and one at EQF 7 (not counted).
    for i in range(38):
        if i < 34:
            status, level = "published", 3 + i % 4
        elif i < 37:
            status, level = "draft", 4
        else:
            status, level = "published", 7
        awarding = partner_list[i % len(partner_list)]
        credential = MicroCredential.objects.create(
            title=f"{SKILLS[i % len(SKILLS)].capitalize()} — level {level} ({i + 1})",
            awarding_body=awarding,
            learning_outcomes="Apply the skill safely in a production cell.\nExplain the quality criteria.",
            esco_skills=[gaps[i % len(gaps)].esco_skill_uri], ects=[1, 2, 3, 5][i % 4], hours=[25, 50, 75, 125][i % 4],
            eqf_level=level, assessment_type="Practical task with observation", participation_form=["online", "onsite", "blended"][i % 3],
            quality_assurance="Internal QA of the awarding VET centre", status=status,
            published_on=_d(2023, 6, 1) + datetime.timedelta(days=16 * i) if status == "published" else None,
            languages=list(dict.fromkeys([LANGUAGE_BY_COUNTRY.get(awarding.country.code, "en"), "en"])),
            isced_f=ISCED_F_CODES[i % len(ISCED_F_CODES)],
            learning_opportunity_type=["short-learning-programme", "course"][i % 2],
            identity_verification=["unsupervised-no-id", "unsupervised-with-id", ""][i % 3],
            homepage=f"https://lcamp.example.eu/micro-credentials/{i + 1}/" if i % 2 else "",
            is_demo=True)
        credential.skill_gaps.set([gaps[i % len(gaps)]])


def _demo_training(partners, partner_list):
    """Learning factories, their exchanges and products."""
    from training.models import FactoryExchange, FactoryProduct, LearningFactory

    # Learning factories, exchanges (31 international students) and products (3 collaborative).
    factory_hosts = ["TKNIKA", "Curt Nicolin Gymnasiet", "DHBW Heidenheim", "AFIL", "Miguel Altuna LHII"]
    factories = [LearningFactory.objects.create(name=f"Learning factory {partners[h].acronym}",
                                                host_organisation=partners[h], region=partners[h].region,
                                                is_demo=True) for h in factory_hosts]
    for i, students in enumerate([6, 4, 8, 5, 3, 5]):
        exchange = FactoryExchange.objects.create(
            factory=factories[i % 5], title=f"International exchange {i + 1}", students=students,
            started_on=_d(2023, 10, 1) + datetime.timedelta(days=60 * i), is_demo=True)
        home = factories[i % 5].host_organisation
        abroad = next(p for p in itertools.islice(itertools.cycle(partner_list), i + 3, None) if p.country != home.country)
        exchange.partner_organisations.set([abroad])
    domestic = FactoryExchange.objects.create(factory=factories[0], title="Regional exchange", students=12,
                                              started_on=_d(2024, 2, 1), is_demo=True)
    domestic.partner_organisations.set([partners["Miguel Altuna LHII"]])
    for i in range(4):
        product = FactoryProduct.objects.create(
            title=["Collaborative gripper", "Digital twin of a CNC cell", "Smart quality station", "AGV prototype"][i],
            status="developed" if i < 3 else "prototype",
            developed_on=_d(2024, 3, 1) + datetime.timedelta(days=70 * i) if i < 3 else None, is_demo=True)
        product.factories.set([factories[i], factories[i + 1]])
        product.collaborating_organisations.set([factories[i].host_organisation, factories[i + 1].host_organisation])


def create_demo_accounts(password=None):
    """The demo accounts admin, staff, manager (a coordinator), partner and partner2 (partner editors).
    Refused unless DEBUG is on."""
    from accounts.models import User
    from organisations.models import Organisation

    if not settings.DEBUG and not settings.TESTING:
        raise RuntimeError("Demo accounts are made only while DEBUG is on, never in production.")
    password = password or settings.DEMO_PASSWORD
    made = []
    for username, role, organisation_name, superuser in DEMO_ACCOUNTS:
        organisation = Organisation.objects.filter(name=organisation_name).first()
        user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@lcamp.example"})
        user.organisation = organisation
        user.is_superuser = user.is_staff = superuser
        user.is_active = True
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get_or_create(name=role)[0]] if role else [])
        made.append(user)
    return made


class _Synthetic:
    """What the synthetic generators share: the random stream, the batches, the counts, and the
    organisations, members and factories made so far (later registers refer to them)."""

    def __init__(self, *, batch_size, seed, log):
        from organisations.models import Region

        self.rng = random.Random(seed)
        self.token = uuid.uuid4().hex[:8]
        self.start = _d(2022, 9, 1)
        self.span_days = (_d(2024, 12, 31) - self.start).days
        self.batch_size = batch_size
        self.log = log
        self.regions = list(Region.objects.all()) or [
            Region.objects.create(code="ES21", name="País Vasco", country="ES")]
        self.counts = {}
        self.org_ids, self.org_country, self.joined, self.factories = [], {}, {}, []
        self.tables = set()

    def bulk_create(self, model, objs, **options):
        """``model.objects.bulk_create``, keeping the table it fills (analysed at the end)."""
        self.tables.add(model._meta.db_table)
        return model.objects.bulk_create(objs, **options)

    def day(self):
        return self.start + datetime.timedelta(days=self.rng.randrange(self.span_days))

    def ended(self, begin):
        """The date a synthetic record was retired or cancelled: after ``begin``, never after today."""
        return min(begin + datetime.timedelta(days=self.rng.randrange(30, 700)), max(begin, datetime.date.today()))

    def batches(self, n):
        done = 0
        while done < n:
            size = min(self.batch_size, n - done)
            yield done, size
            done += size

    def say(self, what, n):
        self.counts[what] = self.counts.get(what, 0) + n
        if self.log:
            self.log(f"{what}: {self.counts[what]}")

    def pick_org(self):
        return self.org_ids[self.rng.randrange(len(self.org_ids))]


def _synthetic_organisations(s, n):
    from organisations.models import Organisation

    countries = ["ES", "FR", "BE", "IT", "DE", "SE", "MT", "TR", "PT", "NL", "PL", "FI"]
    kinds = list(CATEGORY_BY_KIND)
    for done, size in s.batches(n):
        objs = [Organisation(name=f"Synthetic organisation {s.token}-{done + i}", kind=s.rng.choice(kinds),
                             country=s.rng.choice(countries), region=None, city="", is_demo=True)
                for i in range(size)]
        with transaction.atomic():
            created = s.bulk_create(Organisation, objs, batch_size=s.batch_size)
        for o in created:
            s.org_ids.append(o.pk)
            s.org_country[o.pk] = str(o.country)
        s.say("organisations", size)


def _synthetic_members(s, n):
    """One membership per synthetic organisation: memberships never overlap."""
    from alliance.models import AllianceMember

    for done, size in s.batches(n):
        objs = []
        for i in range(size):
            org = s.org_ids[done + i]
            s.joined[org] = s.day()
            left = s.joined[org] + datetime.timedelta(days=s.rng.randrange(60, 700)) if s.rng.random() < 0.1 else None
            objs.append(AllianceMember(organisation_id=org,
                                       category=s.rng.choice(list(set(CATEGORY_BY_KIND.values()))),
                                       joined_on=s.joined[org], left_on=left, is_demo=True))
        with transaction.atomic():
            s.bulk_create(AllianceMember, objs, batch_size=s.batch_size)
        s.say("alliance members", size)


def _synthetic_mous(s, n):
    from alliance.models import MoU

    statuses = ["approved"] * 7 + ["submitted", "rejected", "withdrawn"]
    for done, size in s.batches(n):
        objs = []
        for i in range(size):
            signed = s.day()
            objs.append(MoU(counterpart_id=s.pick_org(), partner_organisation_id=s.pick_org(),
                            title=f"Synthetic MoU {s.token}-{done + i}", scope="Synthetic", signed_on=signed,
                            valid_until=signed + datetime.timedelta(days=730), signatories="Synthetic",
                            status=s.rng.choice(statuses), is_demo=True))
        with transaction.atomic():
            s.bulk_create(MoU, objs, batch_size=s.batch_size)
        s.say("MoUs", size)


def _synthetic_observatories(s, n):
    """``n`` observatories; returns their ids."""
    from observatories.models import Observatory

    with transaction.atomic():
        obs = s.bulk_create(Observatory, [
            Observatory(name=f"Synthetic observatory {s.token}-{i}", region=s.rng.choice(s.regions),
                        host_organisation_id=s.pick_org(),
                        status=s.rng.choice(["active", "active", "closed", "planned"]), launched_on=s.day(),
                        is_demo=True)
            for i in range(n)])
        for o in obs:
            if o.status == "closed":
                o.closed_on = o.launched_on + datetime.timedelta(days=200)
        Observatory.objects.bulk_update([o for o in obs if o.status == "closed"], ["closed_on"])
    s.say("observatories", n)
    return [o.pk for o in obs]


def _synthetic_skill_gaps(s, n):
    from observatories.models import SkillGap

    observatory_ids = _synthetic_observatories(s, max(1, n // 1000))
    for done, size in s.batches(n):
        objs = [SkillGap(observatory_id=observatory_ids[s.rng.randrange(len(observatory_ids))],
                         title=f"Synthetic gap {s.token}-{done + i}",
                         esco_skill_uri=f"http://data.europa.eu/esco/skill/{uuid.UUID(int=s.rng.getrandbits(128))}",
                         nace_code=s.rng.choice(NACE), isco_code="7223", critical=s.rng.random() < 0.8,
                         identified_on=s.day(), status=s.rng.choice(["validated", "validated", "candidate", "retired"]),
                         is_demo=True) for i in range(size)]
        for gap in objs:
            if gap.status == "retired":
                gap.retired_on = s.ended(gap.identified_on)
        with transaction.atomic():
            s.bulk_create(SkillGap, objs, batch_size=s.batch_size)
        s.say("skill gaps", size)


def _synthetic_micro_credentials(s, n):
    from training.models import MicroCredential

    for done, size in s.batches(n):
        objs = []
        for i in range(size):
            published = s.rng.random() < 0.8
            objs.append(MicroCredential(
                title=f"Synthetic micro-credential {s.token}-{done + i}", awarding_body_id=s.pick_org(),
                learning_outcomes="Synthetic", ects=s.rng.choice([1, 2, 3, 5]), eqf_level=s.rng.randint(1, 8),
                assessment_type="Synthetic", participation_form="blended", quality_assurance="Synthetic",
                status="published" if published else "draft", published_on=s.day() if published else None,
                is_demo=True))
        with transaction.atomic():
            s.bulk_create(MicroCredential, objs, batch_size=s.batch_size)
        s.say("micro-credentials", size)


def _synthetic_factories(s, n):
    from training.models import LearningFactory

    with transaction.atomic():
        s.factories = s.bulk_create(LearningFactory, [
            LearningFactory(name=f"Synthetic factory {s.token}-{i}", host_organisation_id=s.pick_org(), is_demo=True)
            for i in range(n)])
    s.say("learning factories", len(s.factories))


def _synthetic_exchanges(s, n):
    from training.models import FactoryExchange

    Through = FactoryExchange.partner_organisations.through
    for done, size in s.batches(n):
        objs = [FactoryExchange(factory_id=s.rng.choice(s.factories).pk,
                                title=f"Synthetic exchange {s.token}-{done + i}", started_on=s.day(),
                                students=s.rng.randint(1, 12),
                                status="confirmed" if s.rng.random() < 0.95 else "cancelled", is_demo=True)
                for i in range(size)]
        for exchange in objs:
            if exchange.status == "cancelled":
                exchange.cancelled_on = s.ended(exchange.started_on)
        with transaction.atomic():
            created = s.bulk_create(FactoryExchange, objs, batch_size=s.batch_size)
            s.bulk_create(Through, [Through(factoryexchange_id=e.pk, organisation_id=s.pick_org())
                                    for e in created], batch_size=s.batch_size)
        s.say("factory exchanges", size)


def _synthetic_projects(s, n):
    from alliance.models import CooperationProject

    Participants = CooperationProject.participants.through
    members = list(s.joined)
    for done, size in s.batches(n):
        objs, leads = [], []
        for i in range(size):
            lead = members[s.rng.randrange(len(members))] if members else s.pick_org()
            leads.append(lead)
            project = CooperationProject(title=f"Synthetic project {s.token}-{done + i}", lead_organisation_id=lead,
                                         started_on=max(s.joined.get(lead, s.start), s.day()),
                                         status=s.rng.choice(["ongoing", "ongoing", "completed", "cancelled"]),
                                         is_demo=True)
            if project.status == "cancelled":
                project.cancelled_on = s.ended(project.started_on)
            objs.append(project)
        with transaction.atomic():
            created = s.bulk_create(CooperationProject, objs, batch_size=s.batch_size)
            rows = []
            for project, lead in zip(created, leads, strict=True):
                # Projects are among members (counted when both were members on the start date).
                other = members[s.rng.randrange(len(members))] if members else s.pick_org()
                rows.append(Participants(cooperationproject_id=project.pk, organisation_id=lead))
                if other != lead:
                    rows.append(Participants(cooperationproject_id=project.pk, organisation_id=other))
            s.bulk_create(Participants, rows, batch_size=s.batch_size)
        s.say("cooperation projects", size)


def _synthetic_products(s, n):
    from training.models import FactoryProduct, refresh_first_factories

    Factories = FactoryProduct.factories.through
    Collaborators = FactoryProduct.collaborating_organisations.through
    for done, size in s.batches(n):
        objs = []
        for i in range(size):
            developed = s.rng.random() < 0.7
            objs.append(FactoryProduct(title=f"Synthetic product {s.token}-{done + i}",
                                       status="developed" if developed else "prototype",
                                       developed_on=s.day() if developed else None, is_demo=True))
        with transaction.atomic():
            created = s.bulk_create(FactoryProduct, objs, batch_size=s.batch_size)
            s.bulk_create(Factories, [Factories(factoryproduct_id=p.pk,
                                                learningfactory_id=s.rng.choice(s.factories).pk)
                                      for p in created], batch_size=s.batch_size)
            refresh_first_factories([p.pk for p in created])  # bulk_create sends no m2m_changed
            rows = []
            for p in created:
                for org in {s.pick_org(), s.pick_org()}:
                    rows.append(Collaborators(factoryproduct_id=p.pk, organisation_id=org))
            s.bulk_create(Collaborators, rows, batch_size=s.batch_size)
        s.say("factory products", size)


def create_synthetic_records(total, *, batch_size=5000, seed=None, log=None):
    """Add ``total`` synthetic records spread over the registers, in bulk, in bounded memory.

    Shares: organisations 20 %, alliance members 20 %, MoUs 15 %, skill gaps 15 %,
    micro-credentials 10 %, factory exchanges 10 %, cooperation projects 5 %,
    products 5 %. Many-to-many rows are not counted in ``total``. Returns a dict of
    counts per register. One generator a register, in this order (later ones refer to
    the organisations, members and factories made before them).
    """
    s = _Synthetic(batch_size=batch_size, seed=seed, log=log)
    _synthetic_organisations(s, max(2, int(total * 0.20)))
    _synthetic_members(s, min(int(total * 0.20), len(s.org_ids)))
    _synthetic_mous(s, int(total * 0.15))
    _synthetic_skill_gaps(s, int(total * 0.15))
    _synthetic_micro_credentials(s, int(total * 0.10))
    _synthetic_factories(s, max(1, int(total * 0.10) // 1000))
    _synthetic_exchanges(s, int(total * 0.10))
    _synthetic_projects(s, int(total * 0.05))
    _synthetic_products(s, max(0, total - sum(s.counts.values())))
    analyze(s.tables)
    return s.counts


def analyze(tables):
    """``ANALYZE`` each table: after a bulk load the planner would otherwise plan on the statistics of
    empty tables until autovacuum comes round (PostgreSQL; SQLite's ANALYZE fills sqlite_stat1)."""
    with connection.cursor() as cursor:
        for table in sorted(tables):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
