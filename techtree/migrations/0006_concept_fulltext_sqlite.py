"""SQLite's full-text index of concepts (FTS5) and the triggers that keep it in step.

On SQLite only: PostgreSQL searches with its own full-text search and migration 0003's GIN
index, so this migration does nothing there. The statements are techtree.fulltext's.
"""

from django.db import migrations


def install(apps, schema_editor):
    from techtree.fulltext import INSTALL

    if schema_editor.connection.vendor == "sqlite":
        for statement in INSTALL:
            schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    from techtree.fulltext import UNINSTALL

    if schema_editor.connection.vendor == "sqlite":
        for statement in UNINSTALL:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("techtree", "0005_figure_refresh")]

    operations = [migrations.RunPython(install, uninstall)]
