"""`hone status --md`: one table row per attempt, whatever the hypothesis holds."""

from __future__ import annotations

import json

from tests.conftest import KNOB_PROJECT, Hone, MakeRepo


def test_markdown_row_of_a_multiline_hypothesis_stays_one_row(make_repo: MakeRepo,
                                                             hone: Hone) -> None:
    root = make_repo(KNOB_PROJECT)
    assert hone("init", "--objective", "python3 score.py", cwd=root).returncode == 0
    asked = json.loads(hone("ask", "--json", cwd=root).stdout)
    (root / asked["workdir"] / "knob.py").write_text("KNOB = 5  # hone: tune\n")
    res = hone("tell", str(asked["id"]), "--hypothesis", "raise | the knob\nto five", cwd=root)
    assert res.returncode == 0, res.stderr
    lines = hone("status", "--md", cwd=root).stdout.splitlines()
    assert len(lines) == 4  # header, rule, baseline, the attempt
    assert lines[3].startswith("| 1 | 0 | kept | 5 |")
    assert " | raise / the knob to five | " in lines[3]
