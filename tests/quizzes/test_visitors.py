"""A visitor's practice state, kept in their session (no database)."""

from quizzes import practice_seeds
from quizzes.visitors import SESSION_KEY, VisitorPractice


def test_state_round_trips_through_the_session_and_starts_on_the_visitor_seed():
    session = {}
    visitor = VisitorPractice.load(session)
    assert visitor.seed(3) in practice_seeds.PRACTICE_SEEDS and visitor.changed
    other = VisitorPractice.load({})
    assert other.seed(3) != visitor.seed(3)  # each visitor their own numbers
    visitor.reveal_hint(3, available=2)
    visitor.reveal_hint(3, available=2)
    visitor.reveal_hint(3, available=2)  # never more than there are
    visitor.reveal_solution(3)
    visitor.save(session)
    again = VisitorPractice.load(session)
    assert (again.hints_shown(3), again.solution_shown(3)) == (2, True)
    again.new_numbers(3)
    assert again.seed(3) in practice_seeds.PRACTICE_SEEDS and again.seed(3) != visitor.seed(3)
    assert (again.hints_shown(3), again.solution_shown(3)) == (0, False)


def test_malformed_session_data_starts_afresh():
    for state in (None, "text", {"seeds": {"1": "x"}}, {"hints": [1, 2]}):
        visitor = VisitorPractice.load({SESSION_KEY: state})
        assert visitor == VisitorPractice()
