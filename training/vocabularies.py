"""Controlled vocabularies of the European Learning Model that a micro-credential record refers to.

Each entry maps the key stored on the record to the concept IRI of the EU vocabulary and its English
label. The IRIs marked "sample" appear in the official ELM sample micro-credential; the others follow
the same EU vocabularies (check them against the EU Vocabularies before adding more).
"""

# ISO 639-1 code stored on the record -> EU language authority code (ISO 639-2/T) and English name.
LANGUAGE_SCHEME = "http://publications.europa.eu/resource/authority/language"
LANGUAGES = {
    "bg": ("BUL", "Bulgarian"), "cs": ("CES", "Czech"), "da": ("DAN", "Danish"), "de": ("DEU", "German"),
    "el": ("ELL", "Greek"), "en": ("ENG", "English"), "es": ("SPA", "Spanish"), "et": ("EST", "Estonian"),
    "eu": ("EUS", "Basque"), "fi": ("FIN", "Finnish"), "fr": ("FRA", "French"), "ga": ("GLE", "Irish"),
    "hr": ("HRV", "Croatian"), "hu": ("HUN", "Hungarian"), "it": ("ITA", "Italian"), "lt": ("LIT", "Lithuanian"),
    "lv": ("LAV", "Latvian"), "mt": ("MLT", "Maltese"), "nl": ("NLD", "Dutch"), "pl": ("POL", "Polish"),
    "pt": ("POR", "Portuguese"), "ro": ("RON", "Romanian"), "sk": ("SLK", "Slovak"), "sl": ("SLV", "Slovenian"),
    "sv": ("SWE", "Swedish"), "no": ("NOR", "Norwegian"), "is": ("ISL", "Icelandic"), "tr": ("TUR", "Turkish"),
}
LANGUAGE_CHOICES = sorted(((code, name) for code, (_, name) in LANGUAGES.items()), key=lambda c: c[1])

# EDC controlled list of learning opportunity types.
LEARNING_OPPORTUNITY_SCHEME = "http://data.europa.eu/snb/learning-opportunity/25831c2"
LEARNING_OPPORTUNITY_TYPES = {
    "short-learning-programme": ("http://data.europa.eu/snb/learning-opportunity/74a4a268e8",
                                 "Short learning programme"),  # sample
    "course": ("http://data.europa.eu/snb/learning-opportunity/05053c1cbe", "Course"),
    "mooc": ("http://data.europa.eu/snb/learning-opportunity/17744a2647", "MOOC"),
    "programme-module": ("http://data.europa.eu/snb/learning-opportunity/0f7dac46ca", "Programme module"),
}
LEARNING_OPPORTUNITY_TYPE_CHOICES = [(key, label) for key, (_, label) in LEARNING_OPPORTUNITY_TYPES.items()]

# EDC controlled list of supervision and identity verification.
SUPERVISION_VERIFICATION_SCHEME = "http://data.europa.eu/snb/supervision-verification/25831c2"
SUPERVISION_VERIFICATION = {
    "unsupervised-no-id": ("http://data.europa.eu/snb/supervision-verification/c598449d64",
                           "Unsupervised without ID verification"),  # sample
    "unsupervised-with-id": ("http://data.europa.eu/snb/supervision-verification/df2880c5cb",
                             "Unsupervised with ID verification"),
}
SUPERVISION_VERIFICATION_CHOICES = [(key, label) for key, (_, label) in SUPERVISION_VERIFICATION.items()]

# ISCED-F 2013 (UNESCO's fields of education and training): the broad (2 digits) and narrow (3 digits)
# fields, and the detailed fields (4 digits) of the areas LCAMP's courses fall in. A detailed code not
# listed reads as its narrow field; a code ending in 0 is its field "not further defined".
ISCED_F_FIELDS = {
    "00": "Generic programmes and qualifications", "001": "Basic programmes and qualifications",
    "002": "Literacy and numeracy", "003": "Personal skills and development",
    "01": "Education", "011": "Education", "0111": "Education science",
    "0112": "Training for pre-school teachers", "0113": "Teacher training without subject specialisation",
    "0114": "Teacher training with subject specialisation",
    "02": "Arts and humanities", "021": "Arts", "022": "Humanities (except languages)", "023": "Languages",
    "03": "Social sciences, journalism and information", "031": "Social and behavioural sciences",
    "032": "Journalism and information",
    "04": "Business, administration and law", "041": "Business and administration", "042": "Law",
    "0411": "Accounting and taxation", "0412": "Finance, banking and insurance",
    "0413": "Management and administration", "0414": "Marketing and advertising",
    "0415": "Secretarial and office work", "0416": "Wholesale and retail sales", "0417": "Work skills",
    "05": "Natural sciences, mathematics and statistics", "051": "Biological and related sciences",
    "052": "Environment", "053": "Physical sciences", "054": "Mathematics and statistics",
    "0521": "Environmental sciences", "0522": "Natural environments and wildlife",
    "0531": "Chemistry", "0532": "Earth sciences", "0533": "Physics", "0541": "Mathematics", "0542": "Statistics",
    "06": "Information and Communication Technologies (ICTs)",
    "061": "Information and Communication Technologies (ICTs)", "0611": "Computer use",
    "0612": "Database and network design and administration",
    "0613": "Software and applications development and analysis",
    "0619": "Information and Communication Technologies (ICTs) not elsewhere classified",
    "0688": "Inter-disciplinary programmes and qualifications involving Information and Communication "
            "Technologies (ICTs)",
    "07": "Engineering, manufacturing and construction", "071": "Engineering and engineering trades",
    "0711": "Chemical engineering and processes", "0712": "Environmental protection technology",
    "0713": "Electricity and energy", "0714": "Electronics and automation", "0715": "Mechanics and metal trades",
    "0716": "Motor vehicles, ships and aircraft", "0719": "Engineering and engineering trades not elsewhere classified",
    "072": "Manufacturing and processing", "0721": "Food processing",
    "0722": "Materials (glass, paper, plastic and wood)", "0723": "Textiles (clothes, footwear and leather)",
    "0724": "Mining and extraction", "0729": "Manufacturing and processing not elsewhere classified",
    "073": "Architecture and construction", "0731": "Architecture and town planning",
    "0732": "Building and civil engineering",
    "0788": "Inter-disciplinary programmes and qualifications involving engineering, manufacturing and construction",
    "08": "Agriculture, forestry, fisheries and veterinary", "081": "Agriculture", "082": "Forestry",
    "083": "Fisheries", "084": "Veterinary",
    "09": "Health and welfare", "091": "Health", "092": "Welfare",
    "10": "Services", "101": "Personal services", "102": "Hygiene and occupational health services",
    "103": "Security services", "104": "Transport services",
    "99": "Field unknown",
}


def isced_f_label(code: str) -> str:
    """``0715`` -> ``0715 Mechanics and metal trades``; a code not listed reads as its nearest field."""
    if not code:
        return ""
    for prefix in (code, code[:3], code[:2]):
        name = ISCED_F_FIELDS.get(prefix)
        if name:
            return f"{code} {name}"
    return code


def language_name(code: str) -> str:
    """A language code's name in the reader's language where Django knows it, else in English."""
    from django.utils.translation import get_language_info

    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return LANGUAGES.get(code, (None, code))[1]
