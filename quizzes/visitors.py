"""A visitor's practice: numbers, hints and given-up problems, kept in their session.

Visitors (not signed in) are graded but nothing is stored in the database; this state is all
they have. It is separate from the visitor rate limit (`techtree.limits`), which counts in
the shared cache. Seeds come from `practice_seeds`, like a learner's.

A visitor who only reads stores nothing: their first numbers on a problem follow from their
browser's secret (`browser_secret`), so a page view writes no session, and a crawler's
thousands of cookieless views leave no rows behind. The state is saved when they act on a
problem (an answer, a hint, the solution, new numbers), with that problem's seed in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson
from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.crypto import salted_hmac

from quizzes import practice_seeds

SESSION_KEY = "practice_visitor"
MAX_SOLVES = 200  # solves kept for a sign-up; beyond that the oldest go
RAW_KEPT = 400  # characters of an answer kept (the answer field's own limit)


@dataclass
class VisitorPractice:
    """What one visitor has done per problem (keys are problem ids as text)."""

    seeds: dict[str, int] = field(default_factory=dict)
    hints: dict[str, int] = field(default_factory=dict)
    solutions: list[str] = field(default_factory=list)
    # Right answers, kept so that signing up turns them into the new account's attempts:
    # {"problem": id, "seed": seed, "raw": text, "clean": no solution shown first}.
    solved: list[dict] = field(default_factory=list)
    changed: bool = field(default=False, compare=False)  # a seed was kept: save the state
    browser: str = field(default="", compare=False)  # their browser's secret, if known

    @classmethod
    def from_state(cls, state: dict | None) -> VisitorPractice:
        """Read it from session data (anything malformed starts afresh)."""
        state = state if isinstance(state, dict) else {}
        try:
            return cls(
                seeds={str(k): int(v) for k, v in dict(state.get("seeds", {})).items()},
                hints={str(k): int(v) for k, v in dict(state.get("hints", {})).items()},
                solutions=[str(k) for k in list(state.get("solutions", []))],
                solved=[
                    {
                        "problem": int(s["problem"]),
                        "seed": int(s["seed"]),
                        "raw": str(s["raw"])[:RAW_KEPT],
                        "clean": bool(s["clean"]),
                    }
                    for s in list(state.get("solved", []))
                ],
            )
        except (TypeError, ValueError, KeyError):
            return cls()

    @classmethod
    def load(cls, session, *, browser: str = "") -> VisitorPractice:
        visitor = cls.from_state(session.get(SESSION_KEY))
        visitor.browser = browser
        return visitor

    def fingerprint(self) -> str:
        """A keyed digest of all that decides this visitor's cards (their browser's secret,
        kept seeds, hints and solutions shown): a name for what is rendered from them that
        reveals none of it."""
        state = [self.browser, self.seeds, self.hints, sorted(self.solutions)]
        value = orjson.dumps(state, option=orjson.OPT_SORT_KEYS)
        return salted_hmac(__name__, value, algorithm="sha256").hexdigest()[:32]

    def save(self, session) -> None:
        self.changed = False
        session[SESSION_KEY] = {
            "seeds": self.seeds,
            "hints": self.hints,
            "solutions": self.solutions,
            "solved": self.solved,
        }

    def seed(self, problem_id: int) -> int:
        """This visitor's own numbers on a problem (visitors do not all share one seed per
        problem): the kept seed, else their browser's, else one drawn fresh and kept."""
        key = str(problem_id)
        if not self.seeds.get(key):
            if self.browser:
                return practice_seeds.browser_seed(self.browser, problem_id)
            self.seeds[key] = practice_seeds.fresh_seed()
            self.changed = True
        return self.seeds[key]

    def keep(self, problem_id: int) -> int:
        """The problem's seed, kept in the state: the visitor acted on these numbers, which
        stay theirs whatever becomes of the browser's secret."""
        seed = self.seed(problem_id)
        if self.seeds.get(str(problem_id)) != seed:
            self.seeds[str(problem_id)] = seed
            self.changed = True
        return seed

    def hints_shown(self, problem_id: int) -> int:
        return self.hints.get(str(problem_id), 0)

    def solution_shown(self, problem_id: int) -> bool:
        return str(problem_id) in self.solutions

    def reveal_hint(self, problem_id: int, available: int) -> None:
        key = str(problem_id)
        self.keep(problem_id)
        self.hints[key] = min(available, self.hints.get(key, 0) + 1)

    def reveal_solution(self, problem_id: int) -> None:
        self.keep(problem_id)
        if str(problem_id) not in self.solutions:
            self.solutions.append(str(problem_id))

    def record_solve(self, problem_id: int, seed: int, raw: str) -> None:
        """Keep a right answer on these numbers (once), for a sign-up to keep."""
        if any(s["problem"] == problem_id and s["seed"] == seed for s in self.solved):
            return
        clean = not self.solution_shown(problem_id)
        self.solved.append(
            {"problem": problem_id, "seed": seed, "raw": raw[:RAW_KEPT], "clean": clean}
        )
        del self.solved[:-MAX_SOLVES]

    def new_numbers(self, problem_id: int) -> None:
        key = str(problem_id)
        self.seeds[key] = practice_seeds.fresh_seed()
        self.hints.pop(key, None)
        if key in self.solutions:
            self.solutions.remove(key)


def browser_secret(request: HttpRequest) -> tuple[str, bool]:
    """The browser's CSRF secret, made now if it brought none, and whether it brought it.

    Every page with a form sets the CSRF cookie anyway; the secret is in that cookie, never in
    the page (which holds masked tokens), and seeds are an HMAC of it under the server's key.
    """
    get_token(request)  # puts the secret in request.META["CSRF_COOKIE"], as Django keeps it
    secret = request.META["CSRF_COOKIE"]
    return secret, request.COOKIES.get(settings.CSRF_COOKIE_NAME) == secret


def load(request: HttpRequest) -> VisitorPractice:
    """The visitor's practice state, their browser's secret included."""
    return VisitorPractice.load(request.session, browser=browser_secret(request)[0])
