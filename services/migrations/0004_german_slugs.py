"""Topic and life-situation slugs keep German letters readable ("eheschliessung", not
"eheschlieung"): slugs made again from the names with kreisportal.text.german_slugify. The old
addresses redirect (services.selectors.renamed_topic / renamed_life_situation)."""

from django.db import migrations

from kreisportal.text import german_slugify


def _reslug(model) -> None:
    taken = set(model.objects.values_list("slug", flat=True))
    for row in model.objects.order_by("pk"):
        wanted = german_slugify(row.name.replace("&", "und")) or "x"
        if wanted == row.slug:
            continue
        slug, n = wanted, 2
        while slug in taken:
            slug, n = f"{wanted}-{n}", n + 1
        taken.discard(row.slug)
        taken.add(slug)
        row.slug = slug
        row.save(update_fields=["slug"])


def forwards(apps, schema_editor) -> None:
    _reslug(apps.get_model("services", "Topic"))
    _reslug(apps.get_model("services", "LifeSituation"))


class Migration(migrations.Migration):
    dependencies = [("services", "0003_search_vocabulary")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
