"""PURE: when two usernames would look the same to a reader.

Two names are lookalikes when their skeletons are equal: NFKC-normalised (so full-width
"ａｄａ" and "ada" agree), case-folded ("Ada", "ADA", "ada"), and with the Cyrillic and Greek
letters that are drawn like Latin ones replaced by those Latin letters ("аdа" in Cyrillic).
A name mixing letters of several scripts ("pаypal" with a Cyrillic а) is refused outright:
no honest name needs it, and it is the usual way to impersonate one.
"""

from __future__ import annotations

import unicodedata

# Letters drawn like Latin ones (after casefolding), from Unicode's confusables list.
_LOOKALIKES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j",
        "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y",
        "х": "x", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ь": "b",
        # Greek
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ϲ": "c", "ϳ": "j", "ѵ": "v",
    }
)  # fmt: skip


def skeleton(name: str) -> str:
    """The form two lookalike names share."""
    return unicodedata.normalize("NFKC", name).casefold().translate(_LOOKALIKES)


def scripts(name: str) -> set[str]:
    """The scripts of a name's letters (by their Unicode names: LATIN, CYRILLIC, ...)."""
    found = set()
    for char in unicodedata.normalize("NFKC", name):
        if char.isalpha():
            found.add(unicodedata.name(char, "UNKNOWN").split(" ")[0])
    return found


def mixes_scripts(name: str) -> bool:
    """True when the name's letters come from more than one script."""
    return len(scripts(name)) > 1
