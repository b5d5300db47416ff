"""What placement adds to the concept page (registered in PlacementConfig.ready)."""

from __future__ import annotations

from django.urls import reverse


def concept_section(request, view) -> dict:
    """A link to the concept's test-out when it has prerequisites (shown where it is locked)."""
    if not view.prerequisites:
        return {}
    return {"test_out_url": reverse("placement:test_out", args=[view.concept.slug])}
