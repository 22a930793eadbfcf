"""pg_trgm and unaccent, created once in the public schema (visible from every tenant's
search_path). The catalogue search needs both."""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tenants", "0001_initial")]

    operations = [TrigramExtension(), UnaccentExtension()]
