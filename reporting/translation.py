"""A reporting period's name in the consortium's languages (django-modeltranslation): "Interim report M1–M18"
reads "Informe intermedio M1–M18" in Spanish. Reading ``period.name`` gives the active language's, falling back
to English (MODELTRANSLATION_FALLBACK_LANGUAGES in settings)."""

from modeltranslation.translator import TranslationOptions, register

from .models import ReportingPeriod


# The history (django-simple-history) keeps every language too: its model is built
# before the translation fields exist, so it is registered the same way.
@register([ReportingPeriod, ReportingPeriod.history.model])
class ReportingPeriodTranslation(TranslationOptions):
    fields = ("name",)
