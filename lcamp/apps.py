from django.apps import AppConfig


class LcampConfig(AppConfig):
    name = "lcamp"
    verbose_name = "LCAMP core"

    def ready(self):
        from . import signals  # noqa: F401 - connects the handlers
