"""Content people type for others to read, in the consortium's languages (django-modeltranslation).

Each field gets a column per language (``title_en``, ``title_es``, …); reading
``indicator.title`` gives the active language's text, falling back to English
(MODELTRANSLATION_FALLBACK_LANGUAGES in settings).
"""

from modeltranslation.translator import TranslationOptions, register

from .models import Indicator, Milestone, Pillar


@register(Pillar)
class PillarTranslation(TranslationOptions):
    fields = ("name",)


# The history (django-simple-history) keeps every language too: its model is built
# before the translation fields exist, so it is registered the same way.
@register([Indicator, Indicator.history.model])
class IndicatorTranslation(TranslationOptions):
    fields = ("title", "description", "unit")


@register([Milestone, Milestone.history.model])
class MilestoneTranslation(TranslationOptions):
    fields = ("label",)
