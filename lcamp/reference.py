"""LCAMP's reference data: the project, its pillars, the eight indicators and the known partners.

The figures come from the EARLALL article of December 2024, "EARLALL promotes VET Innovation
through the LCAMP Project".
``seed_reference_data()`` is idempotent: it creates what is missing and never
overwrites what an administrator has edited since.
"""

import datetime
from decimal import Decimal

from django.db import transaction

PROJECT = {"code": "lcamp", "name": "LCAMP — Learner Centric Advanced Manufacturing Platform",
           "start_on": datetime.date(2022, 9, 1), "end_on": datetime.date(2026, 8, 31)}

PILLARS = [
    ("observatories", "Regional skills observatories", 1),
    ("alliance", "The LCAMP Alliance: an open innovation community", 2),
    ("training", "Learner-centric training", 3),
    ("learning-factories", "Advanced manufacturing learning factories", 4),
]

# code, title, pillar, unit, target, public, description
INDICATORS = [
    ("observatories", "Regional observatories on advanced manufacturing, active", "observatories", "observatories",
     10, True, "Observatories launched and not closed, planned ones excluded."),
    ("alliance-members", "Members of the LCAMP Alliance", "alliance", "organisations", 200, True,
     "Distinct organisations with an active membership; an organisation that left and rejoined counts once."),
    ("cooperation-projects", "Cooperation projects among alliance members", "alliance", "projects", 20, True,
     "Projects started and not cancelled, with at least two participants that were alliance members on the "
     "project's start date."),
    ("mous", "Memoranda of understanding with external organisations", "alliance", "MoUs", 150, True,
     "Approved MoUs only; submitted, rejected and withdrawn ones never count."),
    ("micro-credentials", "Micro-credential courses developed, EQF levels 3 to 6", "training", "courses", 100, True,
     "Published micro-credentials of EQF level 3 to 6, up to the day they are retired."),
    ("skill-gaps", "Critical skill gaps identified", "observatories", "skill gaps", 60, True,
     "Critical skill gaps validated by an observatory, up to the day they are retired."),
    ("students-international", "Learning-factory students engaged in international cooperation",
     "learning-factories", "students", 80, True,
     "Students of factory exchanges with a partner organisation in another country."),
    ("collaborative-products", "Products developed through collaboration in learning factories",
     "learning-factories", "products", 8, True,
     "Developed products with at least two collaborating organisations."),
]

# The indicators' titles and the pillars' names in the consortium's other languages
# (English is above). EU terminology: EQF, micro-credential, memorandum of
# understanding, skills observatory, learning factory.
INDICATOR_TITLES = {
    "observatories": {
        "es": "Observatorios regionales de fabricación avanzada activos",
        "eu": "Fabrikazio aurreratuko eskualde-behatoki aktiboak",
        "fr": "Observatoires régionaux de la fabrication avancée actifs",
        "it": "Osservatori regionali sulla manifattura avanzata attivi",
        "sv": "Aktiva regionala observatorier för avancerad tillverkning",
        "fi": "Aktiiviset kehittyneen valmistuksen alueelliset osaamistarpeiden seurantakeskukset",
    },
    "alliance-members": {
        "es": "Miembros de la Alianza LCAMP",
        "eu": "LCAMP Aliantzako kideak",
        "fr": "Membres de l'Alliance LCAMP",
        "it": "Membri dell'Alleanza LCAMP",
        "sv": "Medlemmar i LCAMP-alliansen",
        "fi": "LCAMP-allianssin jäsenet",
    },
    "cooperation-projects": {
        "es": "Proyectos de cooperación entre miembros de la alianza",
        "eu": "Aliantzako kideen arteko lankidetza-proiektuak",
        "fr": "Projets de coopération entre membres de l'alliance",
        "it": "Progetti di cooperazione tra i membri dell'alleanza",
        "sv": "Samarbetsprojekt mellan alliansens medlemmar",
        "fi": "Allianssin jäsenten väliset yhteistyöhankkeet",
    },
    "mous": {
        "es": "Memorandos de entendimiento con organizaciones externas",
        "eu": "Kanpoko erakundeekin sinatutako elkar-ulertze memorandumak",
        "fr": "Protocoles d'accord avec des organisations externes",
        "it": "Memorandum d'intesa con organizzazioni esterne",
        "sv": "Samförståndsavtal med externa organisationer",
        "fi": "Yhteisymmärryspöytäkirjat ulkopuolisten organisaatioiden kanssa",
    },
    "micro-credentials": {
        "es": "Cursos de microcredenciales desarrollados, niveles 3 a 6 del MEC",
        "eu": "Garatutako mikrokredentzial-ikastaroak, EQF 3. mailatik 6.era",
        "fr": "Cours de microcertifications élaborés, niveaux 3 à 6 du CEC",
        "it": "Corsi di microcredenziali sviluppati, livelli EQF da 3 a 6",
        "sv": "Utvecklade kurser med mikromeriter, EQF-nivå 3 till 6",
        "fi": "Kehitetyt mikrotutkintokurssit, EQF-tasot 3–6",
    },
    "skill-gaps": {
        "es": "Brechas críticas de competencias identificadas",
        "eu": "Identifikatutako gaitasun-hutsune kritikoak",
        "fr": "Déficits de compétences critiques identifiés",
        "it": "Carenze critiche di competenze individuate",
        "sv": "Identifierade kritiska kompetensbrister",
        "fi": "Tunnistetut kriittiset osaamisvajeet",
    },
    "students-international": {
        "es": "Estudiantes de fábricas de aprendizaje en cooperación internacional",
        "eu": "Nazioarteko lankidetzan ari diren ikaskuntza-lantegietako ikasleak",
        "fr": "Élèves des usines-écoles engagés dans la coopération internationale",
        "it": "Studenti delle learning factory impegnati nella cooperazione internazionale",
        "sv": "Studenter i lärfabriker som deltar i internationellt samarbete",
        "fi": "Kansainväliseen yhteistyöhön osallistuvat oppimistehtaiden opiskelijat",
    },
    "collaborative-products": {
        "es": "Productos desarrollados en colaboración en las fábricas de aprendizaje",
        "eu": "Ikaskuntza-lantegietan elkarlanean garatutako produktuak",
        "fr": "Produits développés en collaboration dans les usines-écoles",
        "it": "Prodotti sviluppati in collaborazione nelle learning factory",
        "sv": "Produkter som utvecklats i samarbete i lärfabriker",
        "fi": "Oppimistehtaissa yhteistyössä kehitetyt tuotteet",
    },
}

# The indicators' descriptions (what counts) in the same languages.
INDICATOR_DESCRIPTIONS = {
    "observatories": {
        "es": "Observatorios puestos en marcha y no cerrados; los previstos no cuentan.",
        "eu": "Abian jarritako eta itxi gabeko behatokiak; aurreikusitakoak ez dira zenbatzen.",
        "fr": "Observatoires lancés et non fermés ; ceux qui sont prévus sont exclus.",
        "it": "Osservatori avviati e non chiusi; quelli previsti sono esclusi.",
        "sv": "Observatorier som har startats och inte stängts; planerade räknas inte.",
        "fi": "Käynnistetyt ja sulkemattomat seurantakeskukset; suunniteltuja ei lasketa.",
    },
    "alliance-members": {
        "es": "Organizaciones distintas con una adhesión activa; una organización que salió y volvió a "
              "adherirse cuenta una vez.",
        "eu": "Kidetza aktiboa duten erakunde desberdinak; irten eta berriro sartu den erakunde bat behin "
              "zenbatzen da.",
        "fr": "Organisations distinctes ayant une adhésion active ; une organisation partie puis revenue "
              "compte une fois.",
        "it": "Organizzazioni distinte con un'adesione attiva; un'organizzazione uscita e rientrata conta "
              "una volta.",
        "sv": "Olika organisationer med ett aktivt medlemskap; en organisation som lämnat och gått med igen "
              "räknas en gång.",
        "fi": "Eri organisaatiot, joilla on voimassa oleva jäsenyys; eronnut ja uudelleen liittynyt "
              "organisaatio lasketaan kerran.",
    },
    "cooperation-projects": {
        "es": "Proyectos iniciados y no cancelados, con al menos dos participantes que eran miembros de la "
              "alianza en la fecha de inicio del proyecto.",
        "eu": "Hasitako eta bertan behera utzi gabeko proiektuak, proiektuaren hasiera-datan aliantzako kide "
              "ziren bi parte-hartzaile gutxienez dituztenak.",
        "fr": "Projets commencés et non annulés, avec au moins deux participants membres de l'alliance à la "
              "date de début du projet.",
        "it": "Progetti avviati e non annullati, con almeno due partecipanti che erano membri dell'alleanza "
              "alla data di inizio del progetto.",
        "sv": "Projekt som har startat och inte ställts in, med minst två deltagare som var medlemmar i "
              "alliansen på projektets startdatum.",
        "fi": "Alkaneet ja peruuttamattomat hankkeet, joissa on vähintään kaksi osallistujaa, jotka olivat "
              "allianssin jäseniä hankkeen alkamispäivänä.",
    },
    "mous": {
        "es": "Solo memorandos de entendimiento aprobados; los presentados, rechazados y retirados nunca "
              "cuentan.",
        "eu": "Onartutako elkar-ulertze memorandumak soilik; aurkeztutakoak, baztertutakoak eta "
              "erretiratutakoak ez dira inoiz zenbatzen.",
        "fr": "Protocoles d'accord approuvés uniquement ; ceux qui sont soumis, rejetés ou retirés ne "
              "comptent jamais.",
        "it": "Solo memorandum d'intesa approvati; quelli presentati, respinti e ritirati non contano mai.",
        "sv": "Endast godkända samförståndsavtal; inlämnade, avslagna och återkallade räknas aldrig.",
        "fi": "Vain hyväksytyt yhteisymmärryspöytäkirjat; lähetettyjä, hylättyjä ja peruttuja ei koskaan "
              "lasketa.",
    },
    "micro-credentials": {
        "es": "Microcredenciales publicadas de nivel 3 a 6 del MEC, hasta el día en que se retiran.",
        "eu": "Argitaratutako EQF 3. mailatik 6.era bitarteko mikrokredentzialak, erretiratzen diren "
              "egunera arte.",
        "fr": "Microcertifications publiées de niveau 3 à 6 du CEC, jusqu'au jour de leur retrait.",
        "it": "Microcredenziali pubblicate di livello EQF da 3 a 6, fino al giorno in cui sono ritirate.",
        "sv": "Publicerade mikromeriter på EQF-nivå 3 till 6, fram till den dag de dras tillbaka.",
        "fi": "Julkaistut EQF-tasojen 3–6 mikrotutkinnot siihen päivään asti, jona ne poistetaan käytöstä.",
    },
    "skill-gaps": {
        "es": "Brechas críticas de competencias validadas por un observatorio, hasta el día en que se retiran.",
        "eu": "Behatoki batek baliozkotutako gaitasun-hutsune kritikoak, erretiratzen diren egunera arte.",
        "fr": "Déficits de compétences critiques validés par un observatoire, jusqu'au jour de leur retrait.",
        "it": "Carenze critiche di competenze convalidate da un osservatorio, fino al giorno in cui sono "
              "ritirate.",
        "sv": "Kritiska kompetensbrister som validerats av ett observatorium, fram till den dag de dras "
              "tillbaka.",
        "fi": "Seurantakeskuksen vahvistamat kriittiset osaamisvajeet siihen päivään asti, jona ne poistetaan "
              "käytöstä.",
    },
    "students-international": {
        "es": "Estudiantes de intercambios entre fábricas de aprendizaje con una organización socia de otro "
              "país.",
        "eu": "Beste herrialde bateko erakunde bazkide bat duten ikaskuntza-lantegien arteko trukeetako "
              "ikasleak.",
        "fr": "Élèves des échanges entre usines-écoles avec une organisation partenaire d'un autre pays.",
        "it": "Studenti degli scambi tra learning factory con un'organizzazione partner di un altro paese.",
        "sv": "Studenter i utbyten mellan lärfabriker med en partnerorganisation i ett annat land.",
        "fi": "Oppimistehtaiden vaihtojen opiskelijat, kun kumppaniorganisaatio on toisesta maasta.",
    },
    "collaborative-products": {
        "es": "Productos desarrollados con al menos dos organizaciones colaboradoras.",
        "eu": "Gutxienez elkarlanean ari diren bi erakunderekin garatutako produktuak.",
        "fr": "Produits développés avec au moins deux organisations collaboratrices.",
        "it": "Prodotti sviluppati con almeno due organizzazioni collaboratrici.",
        "sv": "Produkter som utvecklats med minst två samarbetande organisationer.",
        "fi": "Tuotteet, jotka on kehitetty vähintään kahden yhteistyöorganisaation kanssa.",
    },
}

# The units as the cards and the charts' axes show them.
UNITS = {
    "observatories": {"es": "observatorios", "eu": "behatoki", "fr": "observatoires", "it": "osservatori",
                      "sv": "observatorier", "fi": "seurantakeskusta"},
    "organisations": {"es": "organizaciones", "eu": "erakunde", "fr": "organisations", "it": "organizzazioni",
                      "sv": "organisationer", "fi": "organisaatiota"},
    "projects": {"es": "proyectos", "eu": "proiektu", "fr": "projets", "it": "progetti", "sv": "projekt",
                 "fi": "hanketta"},
    "MoUs": {"es": "memorandos", "eu": "memorandum", "fr": "protocoles d'accord", "it": "memorandum d'intesa",
             "sv": "samförståndsavtal", "fi": "pöytäkirjaa"},
    "courses": {"es": "cursos", "eu": "ikastaro", "fr": "cours", "it": "corsi", "sv": "kurser", "fi": "kurssia"},
    "skill gaps": {"es": "brechas de competencias", "eu": "gaitasun-hutsune", "fr": "déficits de compétences",
                   "it": "carenze di competenze", "sv": "kompetensbrister", "fi": "osaamisvajetta"},
    "students": {"es": "estudiantes", "eu": "ikasle", "fr": "élèves", "it": "studenti", "sv": "studenter",
                 "fi": "opiskelijaa"},
    "products": {"es": "productos", "eu": "produktu", "fr": "produits", "it": "prodotti", "sv": "produkter",
                 "fi": "tuotetta"},
}

PILLAR_NAMES = {
    "observatories": {
        "es": "Observatorios regionales de competencias", "eu": "Eskualdeko gaitasun-behatokiak",
        "fr": "Observatoires régionaux des compétences", "it": "Osservatori regionali delle competenze",
        "sv": "Regionala kompetensobservatorier", "fi": "Alueelliset osaamistarpeiden seurantakeskukset",
    },
    "alliance": {
        "es": "La Alianza LCAMP: una comunidad de innovación abierta",
        "eu": "LCAMP Aliantza: berrikuntza irekiko komunitatea",
        "fr": "L'Alliance LCAMP : une communauté d'innovation ouverte",
        "it": "L'Alleanza LCAMP: una comunità di innovazione aperta",
        "sv": "LCAMP-alliansen: en gemenskap för öppen innovation",
        "fi": "LCAMP-allianssi: avoimen innovaation yhteisö",
    },
    "training": {
        "es": "Formación centrada en el alumnado", "eu": "Ikaslea erdigunean duen prestakuntza",
        "fr": "Formation centrée sur l'apprenant", "it": "Formazione centrata sul discente",
        "sv": "Elevcentrerad utbildning", "fi": "Oppijakeskeinen koulutus",
    },
    "learning-factories": {
        "es": "Fábricas de aprendizaje de fabricación avanzada",
        "eu": "Fabrikazio aurreratuko ikaskuntza-lantegiak",
        "fr": "Usines-écoles de la fabrication avancée",
        "it": "Learning factory della manifattura avanzata",
        "sv": "Lärfabriker för avancerad tillverkning",
        "fi": "Kehittyneen valmistuksen oppimistehtaat",
    },
}


def _fill_translations(obj, field, texts):
    """Set the translations of ``field`` that are still empty; returns whether any was set.

    An administrator's own wording is never overwritten, so a second run changes nothing.
    A column still holding the field's default (django-modeltranslation gives every
    language the default, the unit's "count") counts as empty.
    """
    default = obj._meta.get_field(field).default
    changed = []
    for language, text in texts.items():
        name = f"{field}_{language}"
        if not getattr(obj, name) or getattr(obj, name) == default:
            setattr(obj, name, text)
            changed.append(name)
    if changed:
        obj.save(update_fields=changed)
    return bool(changed)


# Interim targets: (indicator code, date, value, label, assumed). The article of December 2024 states two:
# the observatories were set up in the first half of the project (10 active) and 30 organisations had joined
# the Alliance. Every indicator also has one at each interim report's end (M18, M36): assumed by the project
# (the article gives none), growing from a slow start, each editable by a coordinator on the indicator's page.
INTERIM_M18 = datetime.date(2024, 2, 29)
ARTICLE = datetime.date(2024, 12, 31)
INTERIM_M36 = datetime.date(2025, 8, 31)
MILESTONES = [
    ("observatories", INTERIM_M18, 5, "M18", True),
    ("observatories", ARTICLE, 10, "EARLALL article, December 2024", False),
    ("observatories", INTERIM_M36, 10, "M36", True),
    ("alliance-members", INTERIM_M18, 15, "M18", True),
    ("alliance-members", ARTICLE, 30, "EARLALL article, December 2024", False),
    ("alliance-members", INTERIM_M36, 80, "M36", True),
    ("cooperation-projects", INTERIM_M18, 2, "M18", True),
    ("cooperation-projects", INTERIM_M36, 10, "M36", True),
    ("mous", INTERIM_M18, 15, "M18", True),
    ("mous", INTERIM_M36, 75, "M36", True),
    ("micro-credentials", INTERIM_M18, 10, "M18", True),
    ("micro-credentials", INTERIM_M36, 50, "M36", True),
    ("skill-gaps", INTERIM_M18, 10, "M18", True),
    ("skill-gaps", INTERIM_M36, 40, "M36", True),
    ("students-international", INTERIM_M18, 5, "M18", True),
    ("students-international", INTERIM_M36, 40, "M36", True),
    ("collaborative-products", INTERIM_M18, 1, "M18", True),
    ("collaborative-products", INTERIM_M36, 4, "M36", True),
]

# Reporting periods to the funding agency: (name, start, end). Two interim reports and the final one.
REPORTING_PERIODS = [
    ("Interim report M1–M18", datetime.date(2022, 9, 1), datetime.date(2024, 2, 29)),
    ("Interim report M19–M36", datetime.date(2024, 3, 1), datetime.date(2025, 8, 31)),
    ("Final report M37–M48", datetime.date(2025, 9, 1), datetime.date(2026, 8, 31)),
]

# The periods' names in the other six languages (``seed_lcamp`` fills those still empty; the migration
# reporting 0005 gave them to the periods seeded before).
PERIOD_NAMES = {
    "Interim report M1–M18": {
        "es": "Informe intermedio M1–M18", "eu": "Tarteko txostena M1–M18", "fr": "Rapport intermédiaire M1–M18",
        "it": "Relazione intermedia M1–M18", "sv": "Delrapport M1–M18", "fi": "Väliraportti M1–M18"},
    "Interim report M19–M36": {
        "es": "Informe intermedio M19–M36", "eu": "Tarteko txostena M19–M36", "fr": "Rapport intermédiaire M19–M36",
        "it": "Relazione intermedia M19–M36", "sv": "Delrapport M19–M36", "fi": "Väliraportti M19–M36"},
    "Final report M37–M48": {
        "es": "Informe final M37–M48", "eu": "Azken txostena M37–M48", "fr": "Rapport final M37–M48",
        "it": "Relazione finale M37–M48", "sv": "Slutrapport M37–M48", "fi": "Loppuraportti M37–M48"},
}

REGIONS = [
    # code, name, country, level, (latitude, longitude) of the map marker (the region's main city)
    ("ES21", "País Vasco", "ES", 2, ("43.263", "-2.935")),
    ("BE10", "Région de Bruxelles-Capitale", "BE", 2, ("50.847", "4.357")),
    ("BE21", "Prov. Antwerpen", "BE", 2, ("51.219", "4.402")),
    ("FRJ2", "Midi-Pyrénées", "FR", 2, ("43.605", "1.444")),
    ("MT00", "Malta", "MT", 2, ("35.899", "14.514")),
    ("DE11", "Stuttgart", "DE", 2, ("48.776", "9.182")),
    ("TR42", "Doğu Marmara", "TR", 2, ("40.766", "29.941")),
    ("SE12", "Östra Mellansverige", "SE", 2, ("59.859", "17.639")),
    ("ITC4", "Lombardia", "IT", 2, ("45.464", "9.190")),
]

# name, acronym, kind, country, region, city, coordinator
PARTNERS = [
    ("TKNIKA", "TKNIKA", "vet", "ES", "ES21", "Errenteria", True),
    ("Miguel Altuna LHII", "Miguel Altuna", "vet", "ES", "ES21", "Bergara", False),
    ("AFM cluster", "AFM", "cluster", "ES", "ES21", "Donostia-San Sebastián", False),
    ("EARLALL", "EARLALL", "cluster", "BE", "BE10", "Brussels", False),
    ("Mecanic Vallée", "MV", "cluster", "FR", "FRJ2", "Figeac", False),
    ("CMQE Industrie du Futur", "CMQE", "vet", "FR", None, "", False),
    ("Knowledge Innovation Centre", "KIC", "sme", "MT", "MT00", "Valletta", False),
    ("DHBW Heidenheim", "DHBW", "higher_education", "DE", "DE11", "Heidenheim an der Brenz", False),
    ("Kocaeli Provincial Directorate of National Education", "Kocaeli MEM", "public_authority", "TR", "TR42",
     "İzmit", False),
    ("Curt Nicolin Gymnasiet", "CNG", "vet", "SE", "SE12", "Finspång", False),
    ("Crescendo CVO", "Crescendo", "vet", "BE", "BE21", "Mechelen", False),
    ("AFIL", "AFIL", "cluster", "IT", "ITC4", "Milan", False),
    ("MADE Competence Center Industry 4.0", "MADE", "higher_education", "IT", "ITC4", "Milan", False),
    ("Camosun College", "Camosun", "vet", "CA", None, "Victoria", False),
]


@transaction.atomic
def seed_reference_data():
    """Create the project, pillars, indicators, milestones, regions and partners that are missing.

    Returns the number of rows created (0 on a second run).
    """
    from indicators.models import Indicator, Milestone, Pillar, Project
    from organisations.models import Organisation, Region
    from reporting.models import ReportingPeriod

    created = 0
    project, new = Project.objects.get_or_create(code=PROJECT["code"], defaults=PROJECT)
    created += new
    pillars = {}
    for code, name, order in PILLARS:
        pillars[code], new = Pillar.objects.get_or_create(project=project, code=code,
                                                          defaults={"name_en": name, "order": order})
        created += new
        _fill_translations(pillars[code], "name", PILLAR_NAMES.get(code, {}))
    indicators = {}
    for order, (code, title, pillar, unit, target, public, description) in enumerate(INDICATORS, start=1):
        indicators[code], new = Indicator.objects.get_or_create(
            project=project, code=code,
            defaults={"title_en": title, "pillar": pillars[pillar], "unit_en": unit, "target": Decimal(target),
                      "baseline": Decimal(0), "target_date": project.end_on, "is_public": public,
                      "order": order, "source": Indicator.Source.MEASURE, "measure_key": code,
                      "description_en": description},
        )
        created += new
        _fill_translations(indicators[code], "title", INDICATOR_TITLES.get(code, {}))
        if indicators[code].description_en == description:
            _fill_translations(indicators[code], "description", INDICATOR_DESCRIPTIONS.get(code, {}))
        if indicators[code].unit_en == unit:
            _fill_translations(indicators[code], "unit", UNITS.get(unit, {}))
    for code, date, value, label, assumed in MILESTONES:
        _, new = Milestone.objects.get_or_create(indicator=indicators[code], date=date,
                                                 defaults={"value": Decimal(value), "label_en": label,
                                                           "is_assumed": assumed})
        created += new
    for name, start, end in REPORTING_PERIODS:
        period, new = ReportingPeriod.objects.get_or_create(project=project, name_en=name,
                                                            defaults={"start_on": start, "end_on": end})
        created += new
        _fill_translations(period, "name", PERIOD_NAMES.get(name, {}))
    regions = {}
    for code, name, country, level, (latitude, longitude) in REGIONS:
        regions[code], new = Region.objects.get_or_create(
            code=code, nuts_version="2021", defaults={"name": name, "country": country, "level": level,
                                                      "latitude": Decimal(latitude), "longitude": Decimal(longitude)})
        created += new
        if not new and regions[code].latitude is None and regions[code].longitude is None:
            # A region seeded before it had coordinates gets them (an administrator's own stay).
            regions[code].latitude, regions[code].longitude = Decimal(latitude), Decimal(longitude)
            regions[code].save(update_fields=["latitude", "longitude"])
    for name, acronym, kind, country, region, city, coordinator in PARTNERS:
        existing = Organisation.objects.filter(country=country).filter(name__iexact=name).first() or \
            Organisation.objects.filter(country=country, acronym=acronym, is_consortium_partner=True).first()
        if existing:
            continue
        Organisation.objects.create(
            name=name, acronym=acronym, kind=kind, country=country, region=regions.get(region), city=city,
            is_consortium_partner=True, is_coordinator=coordinator,
        )
        created += 1
    if project.lead_organisation_id is None:
        # The coordinating partner leads the Alliance: its membership register is the coordinator's.
        lead = Organisation.objects.filter(is_consortium_partner=True, is_coordinator=True).order_by("pk").first()
        if lead is not None:
            Project.objects.filter(pk=project.pk).update(lead_organisation=lead)
    return created
