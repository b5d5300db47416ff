"""Authored exercise templates, stored: the database side of the pure `exercises` kit."""
