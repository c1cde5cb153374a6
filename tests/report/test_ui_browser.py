"""`hone ui` in headless Chromium: it waits for a run, then shows new attempts while it goes."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import KNOB_PROJECT, run_hone
from tests.report.browser import browser_page, screenshot
from tests.report.conftest import make_project

pytestmark = pytest.mark.slow

# An objective slow enough that the run is still going when the dashboard shows attempt #1.
SLOW = {**KNOB_PROJECT, "score.py": "import time\nfrom knob import KNOB\ntime.sleep(0.4)\n"
        "print(f'score: {min(KNOB, 20)}')\n"}


def start_ui(root: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "hone", "ui", "--port", "0"], cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+/", line)
    assert match, (line, proc.stderr.read() if proc.poll() is not None else "")
    return proc, match.group(0)


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # SIGINT may be ignored when run in the background
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_ui_picks_up_attempts_while_a_run_is_going(tmp_path: Path) -> None:
    root = make_project(tmp_path / "repo", SLOW)
    assert run_hone("init", "--objective", "python3 score.py", cwd=root).returncode == 0
    ui, url = start_ui(root)
    run: subprocess.Popen[str] | None = None
    try:
        with browser_page() as (page, errors):
            page.goto(url)
            page.wait_for_function("document.getElementById('updated').textContent"
                                   ".includes('waiting')")
            run = subprocess.Popen([sys.executable, "-m", "hone", "run", "--attempts", "40"],
                                   cwd=root, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
            # The page was loaded once; new rows can only come from its polling.
            page.wait_for_selector("#attempts tbody tr[data-id='1']", timeout=60_000)
            assert run.poll() is None, "the run ended before the dashboard showed an attempt"
            assert "running" in page.inner_text("#live-badge")
            page.wait_for_selector("#attempts tbody tr[data-id='2']", timeout=60_000)
            assert run.poll() is None
            assert int(page.evaluate(
                "document.querySelectorAll('#plot-lineage .scatterlayer .point').length")) >= 3
            page.click("#attempts tbody tr[data-id='1']")
            page.wait_for_selector("#detail pre.diff .dl.add")
            assert "KNOB" in page.inner_text("#detail pre.diff")
            screenshot(page, "ui-live.png")
            assert errors == []
        # The JSON endpoints answer for scripts too.
        with urllib.request.urlopen(url + "api/overview", timeout=10) as resp:
            data = json.load(resp)
        assert data["run"] == "main" and len(data["attempts"]) >= 3
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(url + "api/attempt/9999", timeout=10)
        assert missing.value.code == 404
    finally:
        if run is not None:
            stop(run)
        stop(ui)
    assert ui.returncode == 0
    assert run is not None and run.returncode in (0, 130)


def test_ui_reports_a_busy_port_in_one_line(tmp_path: Path) -> None:
    root = make_project(tmp_path / "repo", KNOB_PROJECT)
    assert run_hone("init", "--objective", "python3 score.py", cwd=root).returncode == 0
    ui, url = start_ui(root)
    try:
        port = url.rsplit(":", 1)[1].strip("/")
        res = run_hone("ui", "--port", port, cwd=root, timeout=60)
        assert res.returncode == 1
        assert res.stderr.startswith("hone: error: cannot listen on 127.0.0.1:")
        assert len(res.stderr.strip().splitlines()) == 1
    finally:
        stop(ui)
