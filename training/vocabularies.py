"""Controlled vocabularies of the European Learning Model that a micro-credential record refers to.

Each entry maps the key stored on the record to the concept IRI of the EU vocabulary and its English
label. The IRIs marked "sample" appear in the official ELM sample micro-credential; the others follow
the same EU vocabularies (check them against the EU Vocabularies before adding more).

The English labels are the ELM export's (``prefLabel`` in English, as the vocabularies write them): the
dictionaries hold them as plain strings, marked with ``gettext_noop`` for the catalogue. A page reads them
in the reader's language: the choices' labels are lazy (``gettext_lazy``), ``language_choices`` and
``isced_f_label`` are called when the page is drawn, and a language is named by CLDR
(``registers.l10n.language_name``), not by the catalogue.
"""


from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from registers import l10n

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
_language_name = lazy(l10n.language_name, str)
# The model's and the API's choices: in the order of the English names (the migrations record them), each
# named in the reader's language when read. A form lists ``language_choices`` instead.
LANGUAGE_CHOICES = [(code, _language_name(code))
                    for code, (_, name) in sorted(LANGUAGES.items(), key=lambda item: item[1][1])]


def language_choices():
    """The languages as a form lists them: named in the active language and sorted by that name.

    A callable, so that a form field built once (at import) lists them in the language of each page."""
    named = [(code, l10n.language_name(code)) for code in LANGUAGES]
    return sorted(named, key=lambda choice: (l10n.sort_key(choice[1]), choice[0]))

# EDC controlled list of learning opportunity types.
LEARNING_OPPORTUNITY_SCHEME = "http://data.europa.eu/snb/learning-opportunity/25831c2"
LEARNING_OPPORTUNITY_TYPES = {
    "short-learning-programme": ("http://data.europa.eu/snb/learning-opportunity/74a4a268e8",
                                 gettext_noop("Short learning programme")),  # sample
    "course": ("http://data.europa.eu/snb/learning-opportunity/05053c1cbe", gettext_noop("Course")),
    "mooc": ("http://data.europa.eu/snb/learning-opportunity/17744a2647", gettext_noop("MOOC")),
    "programme-module": ("http://data.europa.eu/snb/learning-opportunity/0f7dac46ca",
                         gettext_noop("Programme module")),
}
LEARNING_OPPORTUNITY_TYPE_CHOICES = [(key, gettext_lazy(label))
                                     for key, (_, label) in LEARNING_OPPORTUNITY_TYPES.items()]

# EDC controlled list of supervision and identity verification.
SUPERVISION_VERIFICATION_SCHEME = "http://data.europa.eu/snb/supervision-verification/25831c2"
SUPERVISION_VERIFICATION = {
    "unsupervised-no-id": ("http://data.europa.eu/snb/supervision-verification/c598449d64",
                           gettext_noop("Unsupervised without ID verification")),  # sample
    "unsupervised-with-id": ("http://data.europa.eu/snb/supervision-verification/df2880c5cb",
                             gettext_noop("Unsupervised with ID verification")),
}
SUPERVISION_VERIFICATION_CHOICES = [(key, gettext_lazy(label))
                                    for key, (_, label) in SUPERVISION_VERIFICATION.items()]

# ISCED-F 2013 (UNESCO's fields of education and training): the broad (2 digits) and narrow (3 digits)
# fields, and the detailed fields (4 digits) of the areas LCAMP's courses fall in. A detailed code not
# listed reads as its narrow field; a code ending in 0 is its field "not further defined".
ISCED_F_FIELDS = {
    "00": gettext_noop("Generic programmes and qualifications"),
    "001": gettext_noop("Basic programmes and qualifications"),
    "002": gettext_noop("Literacy and numeracy"),
    "003": gettext_noop("Personal skills and development"),
    "01": gettext_noop("Education"),
    "011": gettext_noop("Education"),
    "0111": gettext_noop("Education science"),
    "0112": gettext_noop("Training for pre-school teachers"),
    "0113": gettext_noop("Teacher training without subject specialisation"),
    "0114": gettext_noop("Teacher training with subject specialisation"),
    "02": gettext_noop("Arts and humanities"),
    "021": gettext_noop("Arts"),
    "022": gettext_noop("Humanities (except languages)"),
    "023": gettext_noop("Languages"),
    "03": gettext_noop("Social sciences, journalism and information"),
    "031": gettext_noop("Social and behavioural sciences"),
    "032": gettext_noop("Journalism and information"),
    "04": gettext_noop("Business, administration and law"),
    "041": gettext_noop("Business and administration"),
    "042": gettext_noop("Law"),
    "0411": gettext_noop("Accounting and taxation"),
    "0412": gettext_noop("Finance, banking and insurance"),
    "0413": gettext_noop("Management and administration"),
    "0414": gettext_noop("Marketing and advertising"),
    "0415": gettext_noop("Secretarial and office work"),
    "0416": gettext_noop("Wholesale and retail sales"),
    "0417": gettext_noop("Work skills"),
    "05": gettext_noop("Natural sciences, mathematics and statistics"),
    "051": gettext_noop("Biological and related sciences"),
    "052": gettext_noop("Environment"),
    "053": gettext_noop("Physical sciences"),
    "054": gettext_noop("Mathematics and statistics"),
    "0521": gettext_noop("Environmental sciences"),
    "0522": gettext_noop("Natural environments and wildlife"),
    "0531": gettext_noop("Chemistry"),
    "0532": gettext_noop("Earth sciences"),
    "0533": gettext_noop("Physics"),
    "0541": gettext_noop("Mathematics"),
    "0542": gettext_noop("Statistics"),
    "06": gettext_noop("Information and Communication Technologies (ICTs)"),
    "061": gettext_noop("Information and Communication Technologies (ICTs)"),
    "0611": gettext_noop("Computer use"),
    "0612": gettext_noop("Database and network design and administration"),
    "0613": gettext_noop("Software and applications development and analysis"),
    "0619": gettext_noop("Information and Communication Technologies (ICTs) not elsewhere classified"),
    "0688": gettext_noop("Inter-disciplinary programmes and qualifications involving Information and "
                         "Communication Technologies (ICTs)"),
    "07": gettext_noop("Engineering, manufacturing and construction"),
    "071": gettext_noop("Engineering and engineering trades"),
    "0711": gettext_noop("Chemical engineering and processes"),
    "0712": gettext_noop("Environmental protection technology"),
    "0713": gettext_noop("Electricity and energy"),
    "0714": gettext_noop("Electronics and automation"),
    "0715": gettext_noop("Mechanics and metal trades"),
    "0716": gettext_noop("Motor vehicles, ships and aircraft"),
    "0719": gettext_noop("Engineering and engineering trades not elsewhere classified"),
    "072": gettext_noop("Manufacturing and processing"),
    "0721": gettext_noop("Food processing"),
    "0722": gettext_noop("Materials (glass, paper, plastic and wood)"),
    "0723": gettext_noop("Textiles (clothes, footwear and leather)"),
    "0724": gettext_noop("Mining and extraction"),
    "0729": gettext_noop("Manufacturing and processing not elsewhere classified"),
    "073": gettext_noop("Architecture and construction"),
    "0731": gettext_noop("Architecture and town planning"),
    "0732": gettext_noop("Building and civil engineering"),
    "0788": gettext_noop("Inter-disciplinary programmes and qualifications involving engineering, "
                         "manufacturing and construction"),
    "08": gettext_noop("Agriculture, forestry, fisheries and veterinary"),
    "081": gettext_noop("Agriculture"),
    "082": gettext_noop("Forestry"),
    "083": gettext_noop("Fisheries"),
    "084": gettext_noop("Veterinary"),
    "09": gettext_noop("Health and welfare"),
    "091": gettext_noop("Health"),
    "092": gettext_noop("Welfare"),
    "10": gettext_noop("Services"),
    "101": gettext_noop("Personal services"),
    "102": gettext_noop("Hygiene and occupational health services"),
    "103": gettext_noop("Security services"),
    "104": gettext_noop("Transport services"),
    "99": gettext_noop("Field unknown"),
}


def isced_f_label(code: str) -> str:
    """``0715`` -> ``0715 Mechanics and metal trades`` (the name in the reader's language); a code not
    listed reads as its nearest field."""
    if not code:
        return ""
    for prefix in (code, code[:3], code[:2]):
        name = ISCED_F_FIELDS.get(prefix)
        if name:
            return f"{code} {gettext(name)}"
    return code


def isced_f_choices():
    """The listed ISCED-F fields as ``(code, name)``, named in the reader's language, in code order."""
    return [(code, gettext(ISCED_F_FIELDS[code])) for code in sorted(ISCED_F_FIELDS)]

