from django.db import migrations

from tierline.intake.similar import create_index, drop_index, rebuild_index


class Migration(migrations.Migration):
    """The full-text index keeps words unstemmed, with a vocabulary table of document counts, so a
    lookup can pick the query's distinctive words. Rebuilt from the issues on the next lookup."""

    dependencies = [
        ("intake", "0002_similarity_index"),
    ]

    operations = [
        migrations.RunPython(rebuild_index, lambda apps, schema_editor: (drop_index(), create_index())),
    ]
