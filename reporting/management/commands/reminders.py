from django.core.management.base import BaseCommand

from registers.commands import date_option
from reporting import reminders


class Command(BaseCommand):
    help = "Send the reminder e-mails due today (each once); --dry-run prints what would be sent and to whom."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print what would be sent; send nothing.")
        parser.add_argument("--date", help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, dry_run=False, date=None, **options):
        done = reminders.send_due(date_option(date), dry_run=dry_run)
        verb = "would be sent" if dry_run else "sent"
        for reminder in done:
            self.stdout.write(f"{reminder.kind}\t{reminder.user.username} <{reminder.user.email}>\t{reminder.subject_text()}")
        self.stdout.write(f"{len(done)} reminder{'s' if len(done) != 1 else ''} {verb}.")
