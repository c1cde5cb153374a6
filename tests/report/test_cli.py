"""`hone report` on the command line: default path, self-contained output, one-line errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import run_hone


def test_report_writes_one_self_contained_file(finished_run: Path) -> None:
    res = run_hone("report", cwd=finished_run)
    assert res.returncode == 0, res.stderr
    path = finished_run / ".hone" / "reports" / "main.html"
    assert res.stdout.strip() == f"wrote {path}"
    html = path.read_text()
    # Plotly, the app and the data are inline; nothing is fetched from elsewhere.
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"(https?:)?//", html)
    assert "Plotly" in html
    data = json.loads(re.search(r'<script type="application/json" id="hone-data">(.*?)'
                                r"</script>", html, re.S).group(1))  # type: ignore[union-attr]
    assert len(data["overview"]["attempts"]) == 15
    assert set(data["details"]) == {str(i) for i in range(15)}


def test_report_of_an_unknown_run_is_a_one_line_error(finished_run: Path) -> None:
    res = run_hone("report", "--run", "nope", cwd=finished_run)
    assert res.returncode == 1
    assert res.stderr == "hone: error: no run named 'nope'; start it with `hone run`\n"
    assert not (finished_run / ".hone" / "reports" / "nope.html").exists()


def test_report_into_a_directory_or_unwritable_place_is_a_one_line_error(
        finished_run: Path, tmp_path: Path) -> None:
    res = run_hone("report", "-o", str(tmp_path), cwd=finished_run)
    assert res.returncode == 2
    assert res.stderr == f"hone: error: {tmp_path} is a directory; give -o a file name\n"
    assert not tmp_path.with_name(tmp_path.name + ".tmp").exists()
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    res = run_hone("report", "-o", str(blocker / "r.html"), cwd=finished_run)
    assert res.returncode == 1
    assert res.stderr.startswith(f"hone: error: cannot write {blocker / 'r.html'}: ")
    assert "Traceback" not in res.stderr and res.stderr.count("\n") == 1


def test_ui_port_out_of_range_is_bad_usage(finished_run: Path) -> None:
    res = run_hone("ui", "--port", "99999", cwd=finished_run)
    assert res.returncode == 2
    assert res.stderr == "hone: error: --port must be between 0 and 65535, not 99999\n"


def test_run_option_help_names_the_config_key(finished_run: Path) -> None:
    res = run_hone("status", "--help", cwd=finished_run)
    assert "(default: [run] name)" in res.stdout
