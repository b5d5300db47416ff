"""Practice seeds: secret, never shown, and never a worked example's seed.

A learner's numbers on a problem come from HMAC-SHA256 of (learner, problem) under a server
secret, `settings.PRACTICE_SEED_KEY` (by default derived from SECRET_KEY); this module is the
one place that key is read. The page never shows the seed (the learner's progress row and
each attempt store it), so the numbers cannot be computed offline from the open-source
generators.

Practice seeds lie in PRACTICE_SEEDS, above every worked-example seed (0 to
`lessons.seeds.MAX_SEED`, shareable in URLs that refuse anything larger). A template serves
as both, and an exercise is a function of its seed alone, so disjoint ranges mean no
worked-example URL can ever render a learner's practice instance with its answer.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings

from lessons.seeds import MAX_SEED

PRACTICE_SEEDS = range(MAX_SEED + 1, 2**31 - 1)  # Attempt.seed is a PositiveIntegerField


def _key() -> bytes:
    key = getattr(settings, "PRACTICE_SEED_KEY", "")
    if key:
        return key.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"practice seeds", hashlib.sha256).digest()


def _seed(message: str) -> int:
    digest = hmac.new(_key(), message.encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    return PRACTICE_SEEDS.start + number % len(PRACTICE_SEEDS)


def learner_seed(learner_id: int, problem_id: int) -> int:
    """A signed-in learner's first numbers on a problem: stable, secret."""
    return _seed(f"learner:{learner_id}:problem:{problem_id}")


def browser_seed(browser: str, problem_id: int) -> int:
    """A visitor's first numbers on a problem, from their browser's secret (the CSRF cookie's,
    `quizzes.visitors.browser_secret`): the same on every view from that browser, another
    browser's differ, and nothing is stored for a visitor who only reads."""
    return _seed(f"browser:{browser}:problem:{problem_id}")


def seed_digest(seed: int) -> str:
    """A name for a seed in shared-cache keys that reveals nothing of it.

    A plain hash would not do: there are only about 2**31 seeds, so anyone reading the
    cache's keys could hash them all. Keyed by the same secret, the digest cannot be
    computed, nor reversed, without it.
    """
    return keyed_digest(f"cache:seed:{seed}")


def keyed_digest(text: str) -> str:
    """32 hex digits of HMAC-SHA256 of `text` under the practice seeds' secret."""
    return hmac.new(_key(), text.encode(), hashlib.sha256).hexdigest()[:32]


def fresh_seed() -> int:
    """New numbers: a random practice seed."""
    return PRACTICE_SEEDS.start + secrets.randbelow(len(PRACTICE_SEEDS))
