from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservatoriesConfig(AppConfig):
    name = "observatories"
    verbose_name = _("Skills observatories")

    def ready(self):
        # Register this app's measures with the indicator engine.
        from . import measures, pickers  # noqa: F401
