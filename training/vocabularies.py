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
