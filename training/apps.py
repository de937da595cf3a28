from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Learner-centric training")

    def ready(self):
        # Register this app's measures with the indicator engine.
        from . import measures, pickers, signals  # noqa: F401
