"""A micro-credential as a European Learning Model (ELM v3) learning opportunity, in JSON-LD.

What is exported is a *learning opportunity* with its *learning achievement specification*, not a
credential (a credential names a learner and an issuing date). The graph, every node with an
absolute ``id`` and a ``type``:

    LearningOpportunity: title, dcType (learning-opportunity type), homepage, defaultLanguage, mode,
      providedBy -> Organisation (legalName, altLabel only where it differs, location/address/country)
      learningAchievementSpecification -> LearningAchievementSpecification
          title, language (of instruction), thematicArea (ISCED-F), educationLevel (EQF), creditPoint
          (ECTS), volumeOfLearning, learningSetting, mode, entryRequirement, learningOutcome,
          additionalNote (quality assurance, stackability...), provenBy -> LearningAssessmentSpecification,
          awardingOpportunity -> AwardingOpportunity (awardingBody, and the back-link to the specification)

Checked in the tests against the official context and SHACL shapes (``tests/training/test_elm.py``).
Why the document looks as it does:
- The ELM context does not alias ``id``/``type`` (the official samples list the W3C credentials
  context first for that) and lacks ``defaultLanguage``, which the shapes require: an inline
  context object adds the two aliases and the term, so the document is self-contained.
- Texts are language maps (``{"en": "..."}``): a bare string is not an ``rdf:langString``.
- The EQF level is the specification's ``educationLevel``: ``eqfLevel`` is declared on
  qualifications only. Identity verification (``idVerification`` exists on an assessment of a
  learner only) is carried as the subject concept of a note on the assessment specification.
- One concept IRI gets one label in a document (``prefLabel`` allows one value per language).
"""

from decimal import Decimal

from django.conf import settings
from django.urls import reverse

from .vocabularies import (
    LANGUAGE_SCHEME,
    LANGUAGES,
    LEARNING_OPPORTUNITY_SCHEME,
    LEARNING_OPPORTUNITY_TYPES,
    SUPERVISION_VERIFICATION,
    SUPERVISION_VERIFICATION_SCHEME,
)

ELM = "http://data.europa.eu/snb/model/elm/"
ELM_CONTEXT_URL = "http://data.europa.eu/snb/model/context/edc-ap"
CONTEXT = [ELM_CONTEXT_URL, {
    "id": "@id",
    "type": "@type",
    # elm:defaultLanguage is required on a learning opportunity but is no term of the ELM context.
    "defaultLanguage": {"@id": ELM + "defaultLanguage", "@type": "@id"},
}]
EQF_SCHEME = "http://data.europa.eu/snb/eqf/25831c2"
EDUCATION_CREDIT_SCHEME = "http://data.europa.eu/snb/education-credit/25831c2"
ECTS = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
ISCED_F_SCHEME = "http://data.europa.eu/snb/isced-f/25831c2"
COUNTRY_SCHEME = "http://publications.europa.eu/resource/authority/country"
ESCO_SKILL_SCHEME = "http://data.europa.eu/esco/concept-scheme/skills"
LEARNING_ASSESSMENT_SCHEME = "http://data.europa.eu/snb/learning-assessment/25831c2"
LEARNING_MODES = {
    "online": ("http://data.europa.eu/snb/learning-assessment/920fbb3cbe", "Online"),
    "blended": ("http://data.europa.eu/snb/learning-assessment/e92d221e4d", "Blended"),
    "onsite": ("http://data.europa.eu/snb/learning-assessment/9191af2ed9", "Presential"),
}
LEARNING_SETTING_SCHEME = "http://data.europa.eu/snb/learning-setting/25831c2"
# Micro-credentials are non-formal learning unless part of a formal programme.
NON_FORMAL_LEARNING = "http://data.europa.eu/snb/learning-setting/e207a81fc7"
NOTE_SUBJECT_SCHEME = "urn:lcamp:vocabulary:note-subject"
NOTE_SUBJECTS = {
    "quality-assurance": "Type of quality assurance",
    "supervision-identity-verification": "Supervision and identity verification",
    "grade": "Grade",
    "integration-stackability": "Integration / stackability options",
    "further-information": "Further information",
}


class _Document:
    """What one document shares: its base IRI, its default language and its concepts' labels."""

    def __init__(self, micro_credential):
        self.record = micro_credential
        self.base = f"urn:lcamp:micro-credential:{micro_credential.pk}"
        self.language = micro_credential.default_language or "en"

    def node_id(self, suffix):
        return f"{self.base}:{suffix}"

    def text(self, field):
        """The field as a language map; None when it is blank.

        The main text (the form's field, kept in the English column by django-modeltranslation)
        is written in the record's default language; the other languages' columns are its
        translations. Only when the default language has a column of its own filled in is the
        main text taken as English.
        """
        language_map = getattr(self.record, "language_map", None)
        others = dict(language_map(field)) if language_map else {}
        main = others.pop("en", None) if others else getattr(self.record, field, None)
        values = dict(others)
        if main:
            values["en" if self.language in values else self.language] = main
        values = {lang: value.strip() for lang, value in values.items() if value and value.strip()}
        return values or None

    def concept(self, uri, scheme, label=None):
        node = {"id": uri, "type": "Concept", "inScheme": {"id": scheme, "type": "ConceptScheme"}}
        if label:
            node["prefLabel"] = {"en": label}
        return node

    def language_concept(self, code):
        authority_code, name = LANGUAGES[code]
        return self.concept(f"{LANGUAGE_SCHEME}/{authority_code}", LANGUAGE_SCHEME, name)

    def note(self, suffix, literal, subject_key=None, subject=None):
        note = {"id": self.node_id(f"note-{suffix}"), "type": "Note", "noteLiteral": literal}
        if subject_key:
            subject = self.concept(f"{NOTE_SUBJECT_SCHEME}:{subject_key}", NOTE_SUBJECT_SCHEME,
                                   NOTE_SUBJECTS[subject_key])
        if subject:
            note["subject"] = subject
        return note


def site_url(path):
    return settings.SITE_URL.rstrip("/") + path


def organisation_node(document, organisation):
    """An ELM Organisation: legal name, acronym if it differs, homepage, country of its address."""
    urn = f"urn:lcamp:organisation:{organisation.pk}"
    node = {"id": urn, "type": "Organisation", "legalName": {document.language: organisation.name}}
    # skos:altLabel is disjoint with the legal name in the shapes.
    if organisation.acronym and organisation.acronym.casefold() != organisation.name.casefold():
        node["altLabel"] = {document.language: organisation.acronym}
    if organisation.website:
        node["homepage"] = [{"id": f"{urn}:homepage", "type": "WebResource", "contentURL": organisation.website}]
    if organisation.erasmus_oid:
        node["identifier"] = [{"id": f"{urn}:identifier", "type": "Identifier",
                               "notation": organisation.erasmus_oid, "schemeName": "Erasmus+ OID"}]
    node["location"] = [{
        "id": f"{urn}:location",
        "type": "Location",
        "address": [{
            "id": f"{urn}:address",
            "type": "Address",
            "countryCode": document.concept(f"{COUNTRY_SCHEME}/{organisation.country.alpha3}", COUNTRY_SCHEME,
                                            organisation.country.name),
        }],
    }]
    return node


def learning_outcomes(document):
    """One LearningOutcome a line of ``learning_outcomes`` (aligned by line across languages)."""
    mc = document.record
    skills = [document.concept(uri, ESCO_SKILL_SCHEME) for uri in mc.esco_skills or []]
    lines_by_language = {lang: [line.strip() for line in text.splitlines() if line.strip()]
                         for lang, text in (document.text("learning_outcomes") or {}).items()}
    count = max((len(lines) for lines in lines_by_language.values()), default=0)
    outcomes = []
    for number in range(count):
        title = {lang: lines[number] for lang, lines in lines_by_language.items() if number < len(lines)}
        outcome = {"id": document.node_id(f"outcome-{number + 1}"), "type": "LearningOutcome", "title": title}
        if skills:
            outcome["relatedESCOSkill"] = skills
        outcomes.append(outcome)
    return outcomes


def _ects(value):
    value = Decimal(value)
    return str(value.quantize(Decimal("1")) if value == value.to_integral() else value.normalize())


def _hours(hours):
    return f"PT{hours}H"


def assessment_specification(document, mode, languages):
    mc = document.record
    assessment = {
        "id": document.node_id("assessment"),
        "type": "LearningAssessmentSpecification",
        "title": document.text("assessment_type"),
        "mode": [mode],
        "language": languages,
    }
    if mc.grade_scheme:
        assessment["gradingScheme"] = {"id": document.node_id("grading-scheme"), "type": "GradingScheme",
                                       "title": document.text("grade_scheme")}
    details = document.text("supervision_identity_verification")
    if mc.identity_verification:
        uri, label = SUPERVISION_VERIFICATION[mc.identity_verification]
        subject = document.concept(uri, SUPERVISION_VERIFICATION_SCHEME, label)
        assessment["additionalNote"] = [document.note("supervision", details or {"en": label}, subject=subject)]
    elif details:
        assessment["additionalNote"] = [document.note("supervision", details, "supervision-identity-verification")]
    return assessment


def specification(document, mode, awarding_bodies):
    mc = document.record
    languages = [document.language_concept(code) for code in mc.instruction_languages()]
    spec = {
        "id": document.node_id("specification"),
        "type": "LearningAchievementSpecification",
        "title": document.text("title"),
        "language": languages,
        "educationLevel": [document.concept(f"http://data.europa.eu/snb/eqf/{mc.eqf_level}", EQF_SCHEME,
                                            f"Level {mc.eqf_level}")],
        "creditPoint": [{
            "id": document.node_id("credit-point"),
            "type": "CreditPoint",
            "framework": document.concept(ECTS, EDUCATION_CREDIT_SCHEME, "European Credit Transfer System"),
            "point": _ects(mc.ects),
        }],
        "learningOutcome": learning_outcomes(document),
        "mode": [mode],
        "learningSetting": document.concept(NON_FORMAL_LEARNING, LEARNING_SETTING_SCHEME, "non-formal learning"),
        "provenBy": [assessment_specification(document, mode, languages)],
        "awardingOpportunity": [{
            "id": document.node_id("awarding-opportunity"),
            "type": "AwardingOpportunity",
            "awardingBody": awarding_bodies,
            # The back-link the shapes require, as a typed reference (embedding it would be a cycle).
            "learningAchievementSpecification": {"id": document.node_id("specification"),
                                                 "type": "LearningAchievementSpecification"},
        }],
    }
    if mc.isced_f:
        spec["thematicArea"] = [document.concept(f"http://data.europa.eu/snb/isced-f/{mc.isced_f}", ISCED_F_SCHEME)]
    if mc.hours:
        spec["volumeOfLearning"] = _hours(mc.hours)
    if mc.prerequisites:
        spec["entryRequirement"] = document.note("prerequisites", document.text("prerequisites"))
    notes = [document.note(key.replace("_", "-"), document.text(key), key.replace("_", "-"))
             for key in ("quality_assurance", "integration_stackability", "further_information")
             if getattr(mc, key)]
    if notes:
        spec["additionalNote"] = notes
    return spec


def micro_credential_to_elm(micro_credential):
    """The JSON-LD document (a dict) of the micro-credential's learning opportunity and specification.

    ``micro_credential`` should come with ``awarding_body`` and ``co_awarding_organisations`` loaded.
    """
    mc = micro_credential
    document = _Document(mc)
    awarding_bodies = [organisation_node(document, mc.awarding_body)] + [
        organisation_node(document, org) for org in mc.co_awarding_organisations.all()]
    mode_uri, mode_label = LEARNING_MODES[mc.participation_form]
    mode = document.concept(mode_uri, LEARNING_ASSESSMENT_SCHEME, mode_label)
    type_uri, type_label = LEARNING_OPPORTUNITY_TYPES[mc.learning_opportunity_type]
    homepage = mc.homepage or site_url(reverse("training:micro-credential-detail", args=[mc.pk]))
    return {
        "@context": CONTEXT,
        "id": document.node_id("opportunity"),
        "type": "LearningOpportunity",
        "title": document.text("title"),
        "dcType": [document.concept(type_uri, LEARNING_OPPORTUNITY_SCHEME, type_label)],
        "homepage": [{"id": document.node_id("homepage"), "type": "WebResource", "contentURL": homepage}],
        "defaultLanguage": document.language_concept(document.language),
        "mode": [mode],
        "providedBy": awarding_bodies,
        "learningAchievementSpecification": specification(document, mode, awarding_bodies),
    }
