"""Store the results of the last automated accessibility check (the JSON report the axe browser
tests write, see tests/cms/test_bitv.py) in each portal it covers; the accessibility statement
cites them (date, tool, pages checked, violations found).

    django-admin accessibility_report path/to/axe-report.json
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime
from django_tenants.utils import tenant_context

from cms.actions import do_record_accessibility_check
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Store an axe report's results in the portals it covers (accessibility statement)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("report", type=Path)

    def handle(self, *args, report: Path, **options) -> None:
        try:
            data = json.loads(report.read_text(encoding="utf-8"))
            checked_at = parse_datetime(data["checked_at"])
            tool, rules, tenants = str(data["tool"]), str(data["rules"]), dict(data["tenants"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise CommandError(f"cannot read the report {report}: {error}") from error
        if checked_at is None:
            raise CommandError(f"{report}: checked_at is not a date and time")
        stored = []
        for slug, pages in sorted(tenants.items()):
            tenant = Tenant.objects.filter(slug=slug).first()
            if tenant is None:
                raise CommandError(f"{report}: no portal '{slug}'")
            with tenant_context(tenant):
                check = do_record_accessibility_check(
                    checked_at=checked_at, tool=tool, rules=rules, pages=pages
                )
            stored.append(f"{slug} ({check.page_count} pages, {check.violation_count} violations)")
        self.stdout.write("stored: " + ", ".join(stored))
