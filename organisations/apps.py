from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = _("Organisations and regions")

    def ready(self):
        from . import pickers  # noqa: F401 - declares the organisation picker
