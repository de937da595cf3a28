from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lcamp.demo import DEMO_ACCOUNTS, create_demo_accounts


class Command(BaseCommand):
    help = "Create the demo accounts admin, staff, manager and partner (password lcamp-demo). DEBUG only."

    def handle(self, *args, **options):
        # The test suite runs with DEBUG off (Django's test runner forces it) but never in production.
        if not (settings.DEBUG or settings.TESTING):
            raise CommandError("Demo accounts are made only while DEBUG is on, never in production.")
        create_demo_accounts()
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password: {settings.DEMO_PASSWORD}):"))
        for username, role, organisation, _ in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<8} {role or 'admin':<8} {organisation}")
