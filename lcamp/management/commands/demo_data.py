import time

from django.core.management.base import BaseCommand, CommandError

from lcamp import demo
from lcamp.reference import seed_reference_data
from registers.commands import logs_for_verbosity


class Command(BaseCommand):
    help = (
        "Add demo records reproducing LCAMP's December 2024 state (10 observatories active, 30 alliance "
        "members...), marked as demo. With --scale N, add N synthetic records spread over the registers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=0, help="Add N synthetic records, in bulk.")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=None, help="Random seed for --scale.")

    def handle(self, *args, verbosity, **options):
        with logs_for_verbosity(verbosity):
            self.run(verbosity=verbosity, **options)

    def run(self, *, scale, batch_size, seed, verbosity, **options):
        if scale < 0:
            raise CommandError("--scale takes a number of records, 0 or more.")
        seed_reference_data()
        if demo.demo_records_exist():
            if verbosity:
                self.stdout.write("Demo records: already there, nothing added.")
        else:
            demo.create_demo_records()
            if verbosity:
                self.stdout.write(self.style.SUCCESS("Demo records: the December 2024 state was added."))
        if scale:
            started = time.perf_counter()
            log = (lambda line: self.stdout.write(f"  {line}")) if verbosity > 1 else None
            counts = demo.create_synthetic_records(scale, batch_size=batch_size, seed=seed, log=log)
            elapsed = time.perf_counter() - started
            if verbosity:
                parts = ", ".join(f"{k} {v}" for k, v in counts.items())
                self.stdout.write(self.style.SUCCESS(
                    f"Synthetic records: {sum(counts.values())} in {elapsed:.1f} s ({parts})."))
