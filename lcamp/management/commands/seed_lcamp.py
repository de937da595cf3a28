from django.core.management.base import BaseCommand

from lcamp.reference import seed_reference_data


class Command(BaseCommand):
    help = "Create LCAMP's project, pillars, indicators, targets, milestones and known partners (idempotent)."

    def handle(self, *args, **options):
        created = seed_reference_data()
        if created:
            self.stdout.write(self.style.SUCCESS(f"Reference data: {created} rows created."))
        else:
            self.stdout.write("Reference data: already complete, nothing changed.")
