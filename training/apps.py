from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Learner-centric training"

    def ready(self):
        # Register this app's measures with the indicator engine.
        from . import measures, pickers, signals  # noqa: F401
