from django.apps import AppConfig


class AllianceConfig(AppConfig):
    name = "alliance"
    verbose_name = "The network and the Alliance"

    def ready(self):
        # Register this app's measures with the indicator engine, its pickers, and its MoUs
        # waiting for review with the reminders.
        from . import measures, pickers, reminders  # noqa: F401
