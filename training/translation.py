"""Micro-credential titles and learning outcomes in the consortium's languages (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import MicroCredential


# The history (django-simple-history) keeps every language too: its model is built
# before the translation fields exist, so it is registered the same way.
@register([MicroCredential, MicroCredential.history.model])
class MicroCredentialTranslation(TranslationOptions):
    fields = ("title", "learning_outcomes")
