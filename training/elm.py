"""A micro-credential as European Learning Model (ELM v3) JSON-LD.

The export describes the learning opportunity the micro-credential offers and,
inside it, its ``LearningAchievementSpecification``: title, awarding body,
EQF level, ECTS credit points, learning outcomes with their ESCO skills, mode of
learning and assessment, learning setting, assessment and quality assurance.
Controlled-vocabulary concepts are the Europass ones (``http://data.europa.eu/snb/...``).
"""

from decimal import Decimal

ELM_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
EQF_SCHEME = "http://data.europa.eu/snb/eqf/25831c2"
ECTS_FRAMEWORK = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
EDUCATION_CREDIT_SCHEME = "http://data.europa.eu/snb/education-credit/25831c2"
LEARNING_ASSESSMENT_SCHEME = "http://data.europa.eu/snb/learning-assessment/25831c2"
LEARNING_SETTING_SCHEME = "http://data.europa.eu/snb/learning-setting/25831c2"
# Micro-credentials are non-formal learning unless part of a formal programme.
NON_FORMAL_LEARNING = "http://data.europa.eu/snb/learning-setting/e207a81fc7"
COUNTRY_AUTHORITY = "http://publications.europa.eu/resource/authority/country"
ESCO_SKILL_SCHEME = "http://data.europa.eu/esco/concept-scheme/skills"
# Europass list of modes of learning and assessment.
LEARNING_MODES = {
    "online": ("http://data.europa.eu/snb/learning-assessment/920fbb3cbe", "online"),
    "onsite": ("http://data.europa.eu/snb/learning-assessment/9191af2ed9", "presential"),
    "blended": ("http://data.europa.eu/snb/learning-assessment/e92d221e4d", "blended"),
}
LANGUAGE = "en"


def _text(value):
    return {LANGUAGE: value}


def _concept(uri, label=None, scheme=None):
    concept = {"id": uri, "type": "Concept"}
    if scheme:
        concept["inScheme"] = {"id": scheme, "type": "ConceptScheme"}
    if label:
        concept["prefLabel"] = _text(label)
    return concept


def _note(text, subject=None):
    note = {"type": "Note", "noteLiteral": _text(text)}
    if subject:
        note["subject"] = {"type": "Concept", "prefLabel": _text(subject)}
    return note


def organisation_node(organisation):
    """An ELM Organisation: legal name and the country of its address."""
    urn = f"urn:lcamp:organisation:{organisation.pk}"
    node = {
        "id": urn,
        "type": "Organisation",
        "legalName": _text(organisation.name),
        "location": [{
            "id": f"{urn}:location",
            "type": "Location",
            "address": [{
                "id": f"{urn}:address",
                "type": "Address",
                "countryCode": _concept(f"{COUNTRY_AUTHORITY}/{organisation.country.alpha3}",
                                        organisation.country.name, COUNTRY_AUTHORITY),
            }],
        }],
    }
    if organisation.acronym:
        node["altLabel"] = _text(organisation.acronym)
    if organisation.website:
        node["homepage"] = [{"type": "WebResource", "contentURL": organisation.website}]
    if organisation.erasmus_oid:
        node["identifier"] = [{"type": "Identifier", "notation": organisation.erasmus_oid,
                               "schemeName": "Erasmus+ OID"}]
    return node


def learning_outcomes(micro_credential, urn):
    """One LearningOutcome a line of ``learning_outcomes``; every outcome relates to the ESCO skills given."""
    skills = [_concept(uri, scheme=ESCO_SKILL_SCHEME) for uri in micro_credential.esco_skills or []]
    lines = [line.strip() for line in micro_credential.learning_outcomes.splitlines() if line.strip()]
    outcomes = []
    for number, line in enumerate(lines, start=1):
        outcome = {"id": f"{urn}:outcome:{number}", "type": "LearningOutcome", "title": _text(line)}
        if skills:
            outcome["relatedESCOSkill"] = skills
        outcomes.append(outcome)
    return outcomes


def _ects(value):
    value = Decimal(value)
    return str(value.quantize(Decimal("1")) if value == value.to_integral() else value.normalize())


def micro_credential_to_elm(micro_credential):
    """The JSON-LD document (a dict) of the micro-credential's learning opportunity and specification.

    ``micro_credential`` should come with ``awarding_body`` and
    ``co_awarding_organisations`` loaded.
    """
    mc = micro_credential
    urn = f"urn:lcamp:micro-credential:{mc.pk}"
    awarding_bodies = [organisation_node(mc.awarding_body)] + [
        organisation_node(org) for org in mc.co_awarding_organisations.all()]
    mode_uri, mode_label = LEARNING_MODES[mc.participation_form]
    mode = _concept(mode_uri, mode_label, LEARNING_ASSESSMENT_SCHEME)
    specification = {
        "id": f"{urn}:specification",
        "type": "LearningAchievementSpecification",
        "title": _text(mc.title),
        "EQFLevel": _concept(f"http://data.europa.eu/snb/eqf/{mc.eqf_level}", f"Level {mc.eqf_level}", EQF_SCHEME),
        "creditPoint": [{
            "id": f"{urn}:credit-point",
            "type": "CreditPoint",
            "framework": _concept(ECTS_FRAMEWORK, "European Credit Transfer System", EDUCATION_CREDIT_SCHEME),
            "point": _ects(mc.ects),
        }],
        "learningOutcome": learning_outcomes(mc, urn),
        "mode": [mode],
        "learningSetting": _concept(NON_FORMAL_LEARNING, "non-formal learning", LEARNING_SETTING_SCHEME),
        "provenBy": [{
            "id": f"{urn}:assessment",
            "type": "LearningAssessmentSpecification",
            "title": _text(mc.assessment_type),
            "mode": [mode],
        }],
        "awardingOpportunity": [{
            "id": f"{urn}:awarding-opportunity",
            "type": "AwardingOpportunity",
            "awardingBody": awarding_bodies,
        }],
        "additionalNote": [_note(mc.quality_assurance, "Type of quality assurance")],
    }
    if mc.hours:
        specification["volumeOfLearning"] = f"PT{mc.hours}H"
    if mc.prerequisites:
        specification["entryRequirement"] = _note(mc.prerequisites)
    if mc.supervision_identity_verification:
        specification["additionalNote"].append(
            _note(mc.supervision_identity_verification, "Supervision and identity verification"))
    if mc.grade_scheme:
        specification["additionalNote"].append(_note(mc.grade_scheme, "Grade"))
    if mc.integration_stackability:
        specification["additionalNote"].append(_note(mc.integration_stackability, "Integration / stackability"))
    return {
        "@context": ELM_CONTEXT,
        "id": f"{urn}:opportunity",
        "type": "LearningOpportunity",
        "title": _text(mc.title),
        "providedBy": awarding_bodies[0],
        "learningSpecification": specification,
    }
