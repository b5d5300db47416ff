"""A GIN index for full-text search of concepts, on PostgreSQL only (SQLite has no GIN).

The indexed expression was the one searches computed then; migration 0007 replaced both with
a stored document (techtree.fulltext) and drops this index.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX_NAME = "concept_search_gin"


def index():
    document = SearchVector("title", config="english", weight="A") + SearchVector(
        "summary", config="english", weight="B"
    )
    return GinIndex(document, name=INDEX_NAME)


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("techtree", "Concept"), index())


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("techtree", "Concept"), index())


class Migration(migrations.Migration):
    dependencies = [("techtree", "0002_history_and_content_limits")]

    operations = [migrations.RunPython(add_index, remove_index)]
