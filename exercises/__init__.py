"""One exercise kit: worked examples and practice problems are one notion, an exercise.

PURE: no Django. An `Exercise` is what a seed gives: the statement, the numbered steps of the
worked solution, hints, the solution and insight, and the answer with its kind and tolerance.
A worked example shows it solved; a practice problem asks for its answer. Exercises come from
Python generators (`exercises.registry`) or from templates written as data
(`exercises.templates`, the format is in the README); both build the same object.
"""

from exercises.exercise import Exercise, Mistake, Step

__all__ = ["Exercise", "Mistake", "Step"]
