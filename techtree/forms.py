"""The browse page's filters: validated, so malformed values give a message, not an error."""

from django import forms

from techtree import extensions
from techtree.selectors import SEARCH_MAX_LENGTH


class BrowseFilterForm(forms.Form):
    """Domain, difficulty and a title search; each invalid value is reported and ignored."""

    q = forms.CharField(
        label="Search titles and summaries", required=False, max_length=SEARCH_MAX_LENGTH
    )
    domain = forms.ChoiceField(label="Domain", required=False)
    difficulty = forms.TypedChoiceField(
        label="Difficulty",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any"), *((str(n), "★" * n) for n in range(1, 6))],
    )

    sort = forms.ChoiceField(label="Sort by", required=False)

    def __init__(self, *args, domains: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [("", "Any"), *((d, d) for d in domains)]
        # "Title" (or relevance when searching), then the orders the apps above offer.
        self.fields["sort"].choices = [
            ("", "Title"),
            *((o.key, o.label) for o in extensions.browse_orders()),
        ]

    def filters(self) -> dict:
        """The valid filters only: any field that failed validation is left out."""
        self.is_valid()
        cleaned = self.cleaned_data
        return {
            "search": cleaned.get("q") or "",
            "domain": cleaned.get("domain") or "",
            "difficulty": cleaned.get("difficulty"),
            "sort": cleaned.get("sort") or "",
        }
