"""Which numbers a learner sees: seeds for generated examples and problems.

PURE: no Django. A signed-in learner gets their own stable seed per item, so the page they
come back to shows the same numbers; anyone can ask for a fresh seed, and the seed travels
in the URL so that an example can be shared and reproduced.
"""

import secrets
import zlib

MAX_SEED = 999_999
VISITOR_SEED = 1  # the numbers a visitor who is not signed in sees


def personal_seed(learner_id: int | None, item: str) -> int:
    """A stable seed for this learner and item (VISITOR_SEED for visitors not signed in)."""
    if learner_id is None:
        return VISITOR_SEED
    return zlib.crc32(f"{learner_id}:{item}".encode()) % MAX_SEED + 1


def fresh_seed() -> int:
    """A new random seed in 1..MAX_SEED."""
    return secrets.randbelow(MAX_SEED) + 1


def valid_seed(seed: int) -> bool:
    """Whether a seed from a URL is in range."""
    return 0 <= seed <= MAX_SEED
