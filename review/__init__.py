"""Spaced review of mastered concepts, scheduled by FSRS."""
