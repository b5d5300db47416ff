"""A GIN index for full-text search of concepts, on PostgreSQL only (SQLite has no GIN).

The indexed expression is selectors.SEARCH_VECTOR itself, so searches use the index.
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

INDEX_NAME = "concept_search_gin"


def index():
    from techtree.selectors import SEARCH_VECTOR

    return GinIndex(SEARCH_VECTOR, name=INDEX_NAME)


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("techtree", "Concept"), index())


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("techtree", "Concept"), index())


class Migration(migrations.Migration):
    dependencies = [("techtree", "0002_history_and_content_limits")]

    operations = [migrations.RunPython(add_index, remove_index)]
