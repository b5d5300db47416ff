"""Matplotlib is imported by the first figure drawn, never when the site starts."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.urls import reverse

from lessons import figures

ROOT = Path(__file__).resolve().parents[2]

START_UP = """
import os, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "techtree.settings"
django.setup()
from django.urls import get_resolver
from django.template import engines
from techtree.wsgi import application  # what gunicorn loads
get_resolver().url_patterns  # every app's views and what they import
for library in engines["django"].engine.template_libraries.values():
    pass
from lessons import figures, views, markup  # noqa: F401
from lessons.templatetags import lesson_tags  # noqa: F401
print("matplotlib" in sys.modules)
figures.render(figures.FigureSpec("probabilities", (2.0, 1.0, 0.1), 1.0))
print("matplotlib" in sys.modules)
"""


def test_starting_the_site_does_not_import_matplotlib_but_drawing_does():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "techtree.settings"}
    run = subprocess.run(
        [sys.executable, "-c", START_UP],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert run.stdout.split() == ["False", "True"], run.stderr


@pytest.mark.django_db
def test_a_render_that_cannot_get_the_lock_is_a_503_with_retry_after(client, monkeypatch):
    monkeypatch.setattr(figures, "RENDER_WAIT", 0.05)
    url = reverse("lessons:figure", args=["probabilities"]) + "?logits=3,1,0.2&t=1"
    held = threading.Event()
    release = threading.Event()

    def hold():
        with figures._RENDER_LOCK:
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        held.wait(5)
        busy = client.get(url)
    finally:
        release.set()
        holder.join()
    assert busy.status_code == 503
    assert busy["Retry-After"] == "5"
    assert "try again" in busy.content.decode()
    drawn = client.get(url)
    assert drawn.status_code == 200
    assert drawn["Content-Type"] == "image/svg+xml"
