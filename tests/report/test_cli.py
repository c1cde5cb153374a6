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
