from django.apps import AppConfig


class AuthoringConfig(AppConfig):
    """The top floor for authors: exercise templates in the admin with a live preview, the
    history of every authored row, and `dump_content` (the tree back to files)."""

    name = "authoring"
    verbose_name = "Authoring"
