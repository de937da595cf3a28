from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    name = "alliance"
    verbose_name = _("The network and the Alliance")

    def ready(self):
        # Register this app's measures with the indicator engine, its pickers, and its MoUs
        # waiting for review with the reminders.
        from . import measures, pickers, reminders  # noqa: F401
