"""Review before keep: a flagged keep ends `held`; `hone approve` crowns it; `hone veto` takes a
kept champion back, taints its descendants and moves the champion (and its git ref) back.
Driven in-process through `hone.cli.main` on a real repository."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from hone.cli import main
from tests.conftest import KNOB_PROJECT, MakeRepo, git

# The knob goes up, and the candidate patches the timer: the audit flags `patches-runtime`.
PATCHED = "import time\n\ntime.perf_counter = lambda: 0.0\nKNOB = {}  # hone: tune\n"
HONEST = "KNOB = {}  # hone: tune\n"


def hone(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `hone ARGS` in this process: exit code, stdout, stderr."""
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def data(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> dict[str, Any]:
    code, out, err = hone(capsys, *args, "--json", "-C", str(root))
    assert code == 0, err
    return dict(json.loads(out))


def propose(capsys: pytest.CaptureFixture[str], root: Path, text: str,
            parent: int | None = None) -> dict[str, Any]:
    """`hone ask`, write knob.py, `hone tell`; the told JSON."""
    extra = ["--parent", str(parent)] if parent is not None else []
    asked = data(capsys, root, "ask", *extra)
    (Path(str(asked["workdir"])) / "knob.py").write_text(text)
    return data(capsys, root, "tell", str(asked["id"]), "--hypothesis", text.splitlines()[-1])


def attempts(capsys: pytest.CaptureFixture[str], root: Path) -> dict[int, dict[str, Any]]:
    status = data(capsys, root, "status")
    return {int(a["id"]): a for a in status["attempts"]}


@pytest.fixture
def repo(make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]) -> Path:
    root = make_repo(KNOB_PROJECT)
    assert hone(capsys, "init", "--objective", "python3 score.py", "--editable", "knob.py",
                "-C", str(root))[0] == 0
    return root


def best_ref(root: Path) -> str:
    return git("rev-parse", "refs/hone/main/best", cwd=root)


def test_flagged_keep_is_held_then_approved_then_vetoed(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repo
    # 1: honest and better: kept, champion.
    assert propose(capsys, root, HONEST.format(4))["status"] == "kept"
    # 2: better again, but it patches the timer: held, not champion.
    told = propose(capsys, root, PATCHED.format(6))
    assert told["status"] == "held" and "held for review" in str(told["reason"])
    status = data(capsys, root, "status")
    assert status["champion"] == {"id": 1, "score": 4.0}
    held = attempts(capsys, root)[2]
    assert held["flags"][0].startswith("held: waits for")
    assert any("patches-runtime" in f for f in held["flags"])
    best = data(capsys, root, "best")
    assert best["id"] == 1 and best["held"] == [2]
    assert "held for review: #2" in hone(capsys, "best", "-C", str(root))[1]
    show = data(capsys, root, "show", "2")
    assert show["status"] == "held" and show["flags"]

    # approve: kept, and champion (6 beats 4); the ref moves with it.
    code, out, err = hone(capsys, "approve", "2", "-C", str(root))
    assert code == 0, err
    assert "#2 approved: kept; champion #2 score 6 (was #1)" in out
    assert best_ref(root) == attempts(capsys, root)[2]["commit"]
    best = data(capsys, root, "best")
    assert best["id"] == 2 and best["held"] == []
    assert any(f.startswith("approved by ") for f in best["flags"])

    # 3: built on the approved champion.
    assert propose(capsys, root, HONEST.format(8))["status"] == "kept"
    assert data(capsys, root, "status")["champion"] == {"id": 3, "score": 8.0}

    # veto #2: #3 descends from it (tainted), so the champion falls back to #1.
    vetoed = data(capsys, root, "veto", "2", "--reason", "patches the clock")
    assert vetoed["status"] == "vetoed" and vetoed["tainted"] == [3]
    assert vetoed["champion"] == {"id": 1, "score": 4.0}
    rows = attempts(capsys, root)
    assert best_ref(root) == rows[1]["commit"]
    assert rows[2]["status"] == "vetoed" and rows[3]["status"] == "kept" and rows[3]["tainted"]
    assert rows[3]["review"]["source"] == 2
    assert any(f.startswith("tainted: descends from #2") for f in rows[3]["flags"])
    assert "(patches the clock)" in rows[2]["flags"][0]
    best = data(capsys, root, "best")
    assert (best["id"], best["vetoed"], best["tainted"]) == (1, [2], [3])
    title = hone(capsys, "status", "-C", str(root))[1].splitlines()[1]
    assert "1 vetoed" in title and "1 tainted" in title
    # The journal's ledger says who did what, in order.
    info_meta = _meta(root)
    assert [r["action"] for r in info_meta["reviews"]] == ["approved", "vetoed"]
    assert info_meta["reviews"][1]["champion_after"] == 1 and info_meta["reviews"][1]["by"]

    # The next attempt starts from the new champion, never from a tainted one.
    assert data(capsys, root, "ask")["parent"] == 1
    code, _, err = hone(capsys, "ask", "--parent", "3", "-C", str(root))
    assert code == 2 and "#3 (tainted by a veto) cannot be a parent" in err


def test_refusals_are_one_line_and_exit_2(repo: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo
    assert propose(capsys, root, HONEST.format(4))["status"] == "kept"
    for args, words in ((("approve", "1"), "#1 is kept, not held"),
                        (("veto", "0"), "#0 is baseline"),
                        (("veto", "9"), "no attempt #9")):
        code, _, err = hone(capsys, *args, "-C", str(root))
        assert code in (1, 2) and words in err and len(err.splitlines()) == 1, err
    from hone.loop.workspace import Workspace

    lock = Workspace.open(root).lock("main")  # as a running `hone run` holds it
    try:
        code, _, err = hone(capsys, "veto", "1", "-C", str(root))
        assert code == 2 and "in use by another hone process" in err
    finally:
        lock.release(force=True)
    monkeypatch.setenv("HONE_ATTEMPT", "7")  # what hone sets for the commands it verifies
    code, _, err = hone(capsys, "veto", "1", "-C", str(root))
    assert code == 2 and "a person's decision" in err
    monkeypatch.delenv("HONE_ATTEMPT")
    assert hone(capsys, "veto", "1", "-C", str(root))[0] == 0


def test_hold_false_keeps_with_flags(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repo
    with (root / "hone.toml").open("a") as f:
        f.write("\n[audit]\nhold = false\n")
    told = propose(capsys, root, PATCHED.format(6))
    assert told["status"] == "kept"
    row = attempts(capsys, root)[1]
    assert any("patches-runtime" in f for f in row["flags"])
    assert data(capsys, root, "status")["champion"]["id"] == 1


def reviewed(capsys: pytest.CaptureFixture[str], root: Path) -> None:
    """#1 kept, #2 held then approved (squashed on branch `reviewed`), then #1 vetoed: #2 is
    tainted and the champion falls back to the baseline."""
    propose(capsys, root, HONEST.format(4))
    propose(capsys, root, PATCHED.format(6))
    assert hone(capsys, "approve", "2", "-C", str(root))[0] == 0
    assert hone(capsys, "best", "--branch", "reviewed", "--squash", "-C", str(root))[0] == 0
    assert hone(capsys, "veto", "1", "-C", str(root))[0] == 0  # #2 descends from #1


def test_squash_report_and_ui_data_show_reviews(repo: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    root = repo
    reviewed(capsys, root)
    message = git("log", "-1", "--format=%B", "reviewed", cwd=root)
    assert "flag: approved by " in message and "patches-runtime" in message
    from hone.cli_common import open_view
    from hone.report.data import overview

    view = overview(open_view(root, None))
    assert view["summary"]["review"] == {"held": [], "vetoed": [1], "tainted": [2]}
    assert view["summary"]["champion"]["id"] == 0
    assert [s["id"] for s in view["champion_steps"]] == [0]
    rows = {r["id"]: r for r in view["attempts"]}
    assert rows[1]["review"]["action"] == "vetoed" and rows[2]["tainted"]
    assert best_ref(root) == rows[0]["commit"]


@pytest.mark.slow
def test_the_report_shows_vetoes_and_taint_in_a_browser(
        repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from tests.report.browser import browser_page

    reviewed(capsys, repo)
    out = tmp_path / "report.html"
    assert hone(capsys, "report", "-o", str(out), "-C", str(repo))[0] == 0
    with browser_page() as (page, errors):
        page.goto(out.as_uri())
        page.wait_for_selector("#attempts tbody tr")
        summary = page.inner_text("#summary")
        assert "vetoed #1" in summary and "tainted #2" in summary, summary
        page.locator("#attempts tbody tr", has=page.locator(".st", has_text="vetoed")).click()
        page.wait_for_selector("#detail h2")
        detail = page.inner_text("#detail")
        assert "vetoed by" in detail, detail
        assert errors == []


def test_mcp_offers_neither_approve_nor_veto(repo: Path) -> None:
    from hone.mcp.server import build_server
    from hone.mcp.tools import HoneTools

    server = build_server(HoneTools(repo))
    names = {t.name for t in asyncio.run(server.list_tools())}
    assert "ask" in names and "tell" in names
    assert not names & {"approve", "veto"}


def _meta(root: Path) -> dict[str, Any]:
    from hone.loop.workspace import Workspace

    info = Workspace.open(root).store.get_run("main")
    assert info is not None
    return info.meta
