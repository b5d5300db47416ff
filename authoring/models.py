"""History for exercise templates, kept in this app so the template's own app stays small.

Concepts, edges, lessons, worked examples and problems declare `HistoricalRecords()` on
their models; an exercise template's history is registered here, one floor up.
"""

from simple_history import register

from exercise_templates.models import ExerciseTemplate

register(ExerciseTemplate, app="authoring")
