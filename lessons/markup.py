"""Markdown with math to sanitised HTML: moved to ``techtree.markup``.

The concept tree renders its own summaries and symbols with it, and the tree app must not
import the apps built on it, so the renderer lives in the tree app; this name keeps working
for the code and tests that import it from here.
"""

from techtree.markup import (
    Heading,
    contents_tree,
    render_document,
    render_inline,
    render_markdown,
)

__all__ = ["Heading", "contents_tree", "render_document", "render_inline", "render_markdown"]
