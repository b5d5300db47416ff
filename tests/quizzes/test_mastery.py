"""The pure mastery rules: what counts as mastered and each concept's status."""

from quizzes.mastery import (
    MASTERY_RULE,
    Status,
    concept_status,
    is_mastered,
    missing_difficulties,
    newly_unlocked,
    statuses,
)


def test_mastery_needs_a_clean_solve_of_each_offered_difficulty():
    assert is_mastered({"easy", "medium", "hard"}, {"easy", "medium", "hard"})
    assert not is_mastered({"easy", "medium"}, {"easy", "medium", "hard"})
    assert is_mastered({"easy"}, {"easy"})  # a concept offering only easy problems
    assert not is_mastered(set(), set())  # nothing to practise: never mastered by accident
    assert missing_difficulties({"medium"}, {"easy", "medium", "hard"}) == ["easy", "hard"]


def test_status_order_of_precedence():
    assert concept_status(mastered=True, started=True, prerequisites_mastered=False) == (
        Status.MASTERED
    )
    assert concept_status(mastered=False, started=True, prerequisites_mastered=False) == (
        Status.LOCKED
    )
    assert concept_status(mastered=False, started=True, prerequisites_mastered=True) == (
        Status.IN_PROGRESS
    )
    assert concept_status(mastered=False, started=False, prerequisites_mastered=True) == (
        Status.AVAILABLE
    )


def test_statuses_over_a_small_tree():
    needs = {"exp": [], "prob": [], "softmax": ["exp", "prob"], "attention": ["softmax"]}
    result = statuses(needs, mastered={"exp"}, started={"prob"})
    assert result == {
        "exp": Status.MASTERED,
        "prob": Status.IN_PROGRESS,
        "softmax": Status.LOCKED,
        "attention": Status.LOCKED,
    }
    result = statuses(needs, mastered={"exp", "prob"}, started=set())
    assert result["softmax"] == Status.AVAILABLE
    assert result["attention"] == Status.LOCKED


def test_unlocking_waits_for_every_prerequisite():
    needs = {"softmax": {"exp", "prob"}, "sigmoid": {"softmax", "vectors"}}
    assert newly_unlocked("exp", ["softmax"], needs, mastered=set()) == []
    assert newly_unlocked("prob", ["softmax"], needs, mastered={"exp"}) == ["softmax"]
    assert newly_unlocked("softmax", ["sigmoid"], needs, mastered={"exp", "prob"}) == []


def test_the_rule_is_stated_for_learners():
    assert "easy" in MASTERY_RULE and "without revealing the solution" in MASTERY_RULE
