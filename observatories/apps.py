from django.apps import AppConfig


class ObservatoriesConfig(AppConfig):
    name = "observatories"
    verbose_name = "Skills observatories"

    def ready(self):
        # Register this app's measures with the indicator engine.
        from . import measures, pickers  # noqa: F401
