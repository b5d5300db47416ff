"""The review tests' small tree, learner, clock and logged-in client serve here too."""

from tests.review.conftest import clock, learner, signed_in  # noqa: F401
