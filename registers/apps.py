from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistersConfig(AppConfig):
    name = "registers"
    verbose_name = _("Register engine")

    def ready(self):
        from django.apps import apps
        from django.conf import settings

        from . import generations, submission_inbox, validators

        generations.connect()
        submission_inbox.register()
        # Every app's models are loaded before any ready() runs.
        validators.protect_text_fields(apps.get_app_configs(), settings.BASE_DIR)
