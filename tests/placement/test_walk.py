"""The placement walk without a database: right answers, few questions."""

from __future__ import annotations

import math
import random

import pytest

from placement.walk import Walk, down_closure, place, question_budget
from techtree.synthetic import synthetic_tree


def _tree(size: int, seed: int = 0) -> dict[int, list[int]]:
    concepts, edges = synthetic_tree(size, seed=seed)
    needs = {c.number: [] for c in concepts}
    for p, c in edges:
        needs[c].append(p)
    return needs


def _random_truth(needs, rng) -> set:
    return down_closure(needs, set(rng.sample(sorted(needs), rng.randint(0, 6))))


def test_on_a_chain_the_walk_is_binary_search():
    for length in (1, 2, 7, 8, 100, 1000):
        chain = {i: ([i - 1] if i else []) for i in range(length)}
        for known_up_to in (-1, 0, length // 3, length - 1):
            truth = set(range(known_up_to + 1))
            known, asked = place(chain, truth.__contains__)
            assert known == truth
            assert asked <= math.ceil(math.log2(length + 1))


@pytest.mark.parametrize("seed", range(5))
def test_the_walk_finds_every_down_closed_knowledge_set(seed):
    rng = random.Random(seed)
    needs = _tree(300, seed=seed)
    for _ in range(5):
        truth = _random_truth(needs, rng)
        known, asked = place(needs, truth.__contains__)
        assert known == truth
        assert asked < len(needs) / 4


def test_a_pass_credits_ancestors_and_a_fail_rules_out_descendants():
    needs = {"a": [], "b": ["a"], "c": ["b"], "d": ["a"]}
    walk = Walk(needs)
    walk.record("b", True)
    assert walk.members(walk.known) == {"a", "b"}
    walk.record("d", False)
    assert walk.members(walk.unknown) == {"d"}
    assert walk.next_probe() == "c"
    walk.record("c", False)
    assert walk.done and walk.next_probe() is None


def test_a_walk_replays_from_its_answers():
    needs = _tree(120)
    walk = Walk(needs)
    for passed in (True, False, True):
        walk.record(walk.next_probe(), passed)
    again = Walk.replay(needs, walk.asked)
    assert (again.known, again.unknown, again.next_probe()) == (
        walk.known,
        walk.unknown,
        walk.next_probe(),
    )


@pytest.mark.parametrize("seed", range(3))
def test_a_budgeted_walk_stops_at_its_budget_and_credits_only_what_is_known(seed):
    rng = random.Random(seed)
    needs = _tree(1000, seed=seed)
    budget = question_budget(len(needs))
    assert budget == 20  # 2 log2(1001), rounded up
    credited = 0
    for _ in range(5):
        truth = _random_truth(needs, rng)
        known, asked = place(needs, truth.__contains__, budget)
        assert asked <= budget
        assert known <= truth  # never credits what the learner does not know
        credited += len(known)
    assert credited > 0  # it does place learners, not merely stop


def test_a_budget_leaves_what_it_did_not_reach_undecided():
    chain = {i: ([i - 1] if i else []) for i in range(64)}
    walk = Walk(chain, budget=2)
    walk.record(walk.next_probe(), True)
    walk.record(walk.next_probe(), False)
    assert walk.done and walk.next_probe() is None
    assert walk.undecided  # 2 questions cannot bisect 64 concepts down to one
