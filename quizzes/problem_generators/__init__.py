"""Practice problem generators, one module per group of concepts (see quizzes/problems.py)."""
