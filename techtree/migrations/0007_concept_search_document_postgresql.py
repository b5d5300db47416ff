"""PostgreSQL's stored search document of each concept, its trigger and its GIN index.

On PostgreSQL only (SQLite searches its FTS5 index, migration 0006). The statements are
techtree.fulltext's. Migration 0003's index on the computed document is dropped: searches
read the stored one.
"""

from django.db import migrations

OLD_INDEX = "concept_search_gin"  # migration 0003's


def install(apps, schema_editor):
    from techtree.fulltext import POSTGRESQL_INSTALL

    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_INSTALL:
            schema_editor.execute(statement)
        schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")


def uninstall(apps, schema_editor):
    from techtree.fulltext import POSTGRESQL_UNINSTALL

    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_UNINSTALL:
            schema_editor.execute(statement)
        migration = __import__(
            "techtree.migrations.0003_concept_search_index", fromlist=["add_index"]
        )
        migration.add_index(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("techtree", "0006_concept_fulltext_sqlite")]

    operations = [migrations.RunPython(install, uninstall)]
