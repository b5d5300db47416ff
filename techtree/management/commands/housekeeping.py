"""Delete what has outlived its use: expired sessions and old finished background tasks.

Django never deletes an expired session by itself, and django-tasks keeps every finished
task's result row; both tables would only grow. `make serve`'s gunicorn runs this with
`--every HOUSEKEEPING_HOURS` beside its workers (gunicorn.conf.py); any number of servers may
run it at once, as each run only deletes rows that are past their use.
"""

import os
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--every",
            type=float,
            default=0,
            help="hours between runs, until the process that started it ends (default: once)",
        )

    def handle(self, *args, every: float, verbosity: int, **options) -> None:
        parent = os.getppid()
        while True:
            call_command("clearsessions")
            call_command(
                "prune_db_task_results",
                queue_name="*",
                min_age_days=settings.TASK_RESULTS_DAYS,
                verbosity=verbosity,
            )
            if every <= 0:
                return
            connections.close_all()  # none held open while it sleeps
            deadline = time.monotonic() + every * 3600
            while time.monotonic() < deadline:
                if os.getppid() != parent:  # the server that started it is gone, even killed
                    return
                time.sleep(min(5.0, max(0.0, deadline - time.monotonic())))
