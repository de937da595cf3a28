from django.apps import AppConfig


class AllianceConfig(AppConfig):
    name = "alliance"
    verbose_name = "The network and the Alliance"

    def ready(self):
        # Register this app's measures with the indicator engine.
        from . import measures, pickers  # noqa: F401
