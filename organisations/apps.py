from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = "Organisations and regions"

    def ready(self):
        from . import pickers  # noqa: F401 - declares the organisation picker
