"""The letter bands of a mean rating (pure: no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedback import grades


@pytest.mark.parametrize(
    ("mean", "letter"),
    [
        (5.0, "A"),
        (4.5, "A"),
        (4.46, "A"),  # shown as 4.5, so graded as it is shown
        (4.44, "B"),
        (3.5, "B"),
        (3.49, "B"),
        (3.44, "C"),
        (2.5, "C"),
        (2.4, "D"),
        (1.5, "D"),
        (1.44, "F"),
        (1.0, "F"),
    ],
)
def test_bands(mean, letter):
    assert grades.letter(mean) == letter


def test_no_ratings_no_grade():
    assert grades.letter(None) is None
    assert grades.mean(0, 0) is None


def test_seed_003s_grade():
    assert grades.letter(grades.mean(23, 5)) == "A"  # 4.6/5 as seed 003 shows it


@pytest.mark.parametrize("mean", [0.9, 5.1, -1.0])
def test_a_mean_outside_the_stars_is_an_error(mean):
    with pytest.raises(ValueError, match="between 1 and 5"):
        grades.letter(mean)


@given(st.lists(st.integers(grades.LOWEST, grades.HIGHEST), min_size=1, max_size=50))
def test_any_ratings_get_a_grade_and_more_stars_never_a_worse_one(stars):
    order = [letter for _, letter in grades.BANDS]
    mean = grades.mean(sum(stars), len(stars))
    better = grades.mean(sum(stars) + 1, len(stars)) if max(stars) < grades.HIGHEST else mean
    assert grades.letter(mean) in order
    assert order.index(grades.letter(better)) <= order.index(grades.letter(mean))
