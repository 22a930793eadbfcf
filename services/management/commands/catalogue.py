"""`kreisportal catalogue import [FILE] | rebuild-finder | seed-demo`"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from services.catalogue_import import CatalogueImportError, import_catalogue


class Command(BaseCommand):
    help = "Import the shared service catalogue; rebuild the finder's read model."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import services.json (idempotent, one transaction)")
        imp.add_argument("file", nargs="?", help="default: ../shared/data/leika/services.json")
        sub.add_parser("rebuild-finder", help="recompute the district-wide read model")
        sub.add_parser("seed-demo", help="local offers and offices of the demo tenants")

    def handle(self, *args, **options):
        action = options["action"]
        started = time.perf_counter()
        if action == "import":
            try:
                report = import_catalogue(Path(options["file"]) if options["file"] else None)
            except CatalogueImportError as exc:
                raise CommandError(f"import failed, nothing imported: {exc}") from exc
            self.stdout.write(
                f"catalogue: {report.summary()} ({time.perf_counter() - started:.1f} s)"
            )
        elif action == "rebuild-finder":
            from services.finder import rebuild_read_model

            counts = rebuild_read_model()
            self.stdout.write(
                f"finder read model rebuilt: {sum(counts.values())} rows for {len(counts)} tenants"
            )
        elif action == "seed-demo":
            from services.demo import seed_demo_catalogue

            self.stdout.write(seed_demo_catalogue())
