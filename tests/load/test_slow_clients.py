"""Slow clients and heavy lab requests cannot stall page views: gunicorn with the project's
config, a small run of bench/slow_clients.py.

Under the same load, gunicorn's default sync workers stall completely (every concept-page
request times out; `bench/slow_clients.py --without-config`, README "Time budgets").
"""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOUND = 2.5  # seconds of p95: generous for a busy 2-core CI machine; a stall is the timeout
CLIENT_TIMEOUT = 5.0
RUN = ["--duration", "5", "--idle", "1.5", "--bound", str(BOUND)]
RUN += ["--client-timeout", str(CLIENT_TIMEOUT)]


def test_page_views_stay_fast_beside_three_slow_and_three_heavy_clients(tmp_path):
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "slow_clients.py"), *RUN, "--workdir", tmp_path],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    print(run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert "gunicorn.conf.py" in run.stdout
    loaded = re.search(r"under slow and heavy clients\s+n=\s*(\d+).*?\{(.*)\}", run.stdout)
    assert int(loaded.group(1)) >= 5, "the normal client got through several requests"
    assert "timeout" not in loaded.group(2)
    # The slow clients really held their connections, and the heavy ones were answered.
    assert "trickling a body" in run.stdout and "trickling headers" in run.stdout
    assert re.search(r"heavy lab requests\s+\{'200': [1-9]", run.stdout)


def test_make_serve_runs_gunicorn_with_this_config():
    makefile = (ROOT / "Makefile").read_text()
    serve = makefile[makefile.index("\nserve:") :].split("\n\n")[0]
    assert "gunicorn --config gunicorn.conf.py" in serve
    settings = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), settings)
    assert settings["worker_class"] == "gthread"
    assert settings["threads"] >= 4
    assert settings["timeout"] <= 60 and settings["graceful_timeout"] <= 30
    assert settings["max_requests"] > 0 and settings["max_requests_jitter"] > 0


def test_the_longest_lab_text_fits_gunicorns_request_line():
    """256 four-byte characters, percent-encoded, in the lab's longest URL (a no-JS token link)."""
    from urllib.parse import urlencode

    from lens.logit_lens import TEXT_LIMIT

    settings = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), settings)
    text = "😀" * TEXT_LIMIT
    query = urlencode(
        {"sample": "custom", "shown": "custom", "stage": 8, "text": text, "position": 255}
    )
    line = f"GET /lab/logit-evolution/?{query} HTTP/1.1"
    assert len(line) < settings["limit_request_line"]
