"""btree_gist, created once in the public schema (like pg_trgm in tenants.0002): the operator
classes are visible from every tenant's search_path, so the exclusion constraint of each
tenant's appointments finds them; IF NOT EXISTS makes the run in every further schema a no-op."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = []

    operations = [
        migrations.RunSQL(
            "CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public",
            reverse_sql=migrations.RunSQL.noop,
        )
    ]
