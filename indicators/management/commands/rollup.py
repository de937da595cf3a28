from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from indicators import rollup
from registers.commands import date_option, logs_for_verbosity


def number(value):
    return f"{value:.2f}".rstrip("0").rstrip(".")


class Command(BaseCommand):
    help = ("Roll up every indicator now, synchronously, and print the table. --backfill writes the month-end "
            "snapshots from the project start to today (or --date).")

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Roll up on this date (YYYY-MM-DD) instead of today.")
        parser.add_argument("--backfill", action="store_true",
                            help="Also write month-end snapshots from the project start to the date.")

    def handle(self, *args, verbosity=1, **options):
        with logs_for_verbosity(verbosity):
            self.run(verbosity=verbosity, **options)

    def run(self, *, date=None, backfill=False, verbosity=1, **options):
        on = date_option(date)
        if on is not None and on > timezone.localdate():
            raise CommandError(f"--date {on} is after today ({timezone.localdate()}): a roll-up computes what is "
                               "true on a date that has come.")
        if backfill:
            count = rollup.backfill(end=on)
            if verbosity:
                self.stdout.write(f"Backfill: {count} month-end snapshots written or kept.")
        snapshots = rollup.rollup_all(on)
        if verbosity:
            self.stdout.write(self.table(snapshots))

    def table(self, snapshots):
        header = ("indicator", "date", "value", "target", "expected", "progress", "status", "forecast")
        rows = [header] + [
            (s.indicator.code, str(s.date), number(s.value), number(s.target), number(s.expected),
             f"{s.progress_percent}%", s.get_status_display() + (" (frozen)" if s.is_frozen else ""),
             "" if s.forecast is None else number(s.forecast))
            for s in snapshots
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        lines = ["  ".join(cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row))
                 for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        if not snapshots:
            lines.append("No indicators: run `python manage.py seed_lcamp` first.")
        return "\n".join(lines)
