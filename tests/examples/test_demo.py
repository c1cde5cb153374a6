"""`make demo`'s script, shortened: offline, improves, prints the table, scores and paths."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo" / "run_demo.py"


@pytest.mark.slow
def test_demo_runs_offline_and_improves(tmp_path: Path) -> None:
    env = {**os.environ, "HONE_DEMO_SECONDS": "4", "TMPDIR": str(tmp_path),
           "OPENAI_API_KEY": "", "OPENAI_BASE_URL": "http://127.0.0.1:9"}  # no LLM reachable
    env.pop("COLUMNS", None)  # a pipe: the table fits 80 columns
    res = subprocess.run([sys.executable, str(DEMO)], capture_output=True, text=True,
                         env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "mutator: classic (offline, no LLM)" in out
    assert "mode:       offline, classic mutator" in out
    assert "run main: champion #" in out  # the status table
    assert "--hours 0.001111 " in out  # not 0.0011111111111111111
    table = out.split("$ hone status\n")[1].split("$ hone best")[0].splitlines()
    assert len(table) > 3 and all(len(line) <= 80 for line in table), table

    def grab(pattern: str) -> str:
        found = re.search(pattern, out)
        assert found, pattern
        return found.group(1)

    assert float(grab(r"champion #\d+ score (\S+)")) < float(grab(r"baseline score (\S+) \("))
    report = Path(grab(r"report:\s+(\S+)"))
    assert report.is_file() and report.read_text().lstrip().lower().startswith("<!doctype html")
    repo = Path(grab(r"repository: (\S+)"))
    assert repo.is_relative_to(tmp_path) and (repo / ".git" / "hone" / "hone.db").is_file()
