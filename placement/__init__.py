"""Test-outs of a locked concept's prerequisites, and the placement of a new learner."""
