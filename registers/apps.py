from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "registers"
    verbose_name = "Register engine"

    def ready(self):
        from . import generations, submission_inbox

        generations.connect()
        submission_inbox.register()
