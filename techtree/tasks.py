"""Background tasks of the concept graph, run by `manage.py db_worker` (django-tasks)."""

from django_tasks import task

from techtree import services


@task()
def refresh_figures(refresh_id: int) -> bool:
    """Refresh every stored figure for this FigureRefresh request (services.run_figure_refresh)."""
    return services.run_figure_refresh(refresh_id)


@task()
def refresh_map_layout() -> int:
    """Place every published concept on the tree map again (services.refresh_layout)."""
    return services.refresh_layout()
