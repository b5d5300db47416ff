"""Seeds: stable per learner and item, fresh on request, bounded."""

from lessons.seeds import MAX_SEED, fresh_seed, personal_seed, valid_seed


def test_personal_seeds_are_stable_and_differ_between_learners_and_items():
    assert personal_seed(7, "example:3") == personal_seed(7, "example:3")
    assert len({personal_seed(learner, "example:3") for learner in range(50)}) > 40
    assert len({personal_seed(7, f"example:{i}") for i in range(50)}) > 40
    assert personal_seed(None, "example:3") == 1


def test_fresh_seeds_are_in_range_and_vary():
    drawn = {fresh_seed() for _ in range(200)}
    assert len(drawn) > 150
    assert all(1 <= s <= MAX_SEED for s in drawn)
    assert valid_seed(0) and valid_seed(MAX_SEED) and not valid_seed(MAX_SEED + 1)
