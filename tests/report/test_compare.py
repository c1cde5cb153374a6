"""The report's compare view: the changed files' versions it embeds, and a side-by-side diff of
two attempts drawn by headless Chromium."""

from __future__ import annotations

from pathlib import Path

from hone.loop.view import RunView
from hone.loop.workspace import Workspace
from hone.report.compare import changed_files
from tests.conftest import run_hone
from tests.report.browser import browser_page, screenshot


def test_every_version_of_each_changed_file_is_embedded_once(finished_run: Path) -> None:
    ws = Workspace.open(finished_run)
    view = RunView(ws, ws.config.run.name)
    files = changed_files(view)
    trees = files["trees"]
    assert set(trees["0"]) <= {"knob.py", "other.py"} and trees["0"]
    committed = [a for a in view.history() if a.commit]
    assert set(trees) == {str(a.id) for a in committed}
    for a in committed:
        assert a.commit is not None
        for path, sha in trees[str(a.id)].items():
            shown = ws.repo.show_file(a.commit, path)
            assert shown is not None and files["blobs"][sha] == shown.decode()
    assert len(files["blobs"]) == len({sha for t in trees.values() for sha in t.values()})

    # `hone ui` serves the same for its compare view.
    import json
    import threading
    import urllib.request

    from hone.report.server import make_server

    server = make_server(view, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        host, port = server.server_address[:2]
        with urllib.request.urlopen(f"http://{host!s}:{port}/api/files", timeout=10) as resp:
            assert json.loads(resp.read()) == files
    finally:
        server.shutdown()
        server.server_close()


def test_two_attempts_side_by_side(finished_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert run_hone("report", "-o", str(out), cwd=finished_run).returncode == 0
    with browser_page() as (page, errors):
        page.goto(out.as_uri())
        page.wait_for_selector("#attempts tbody tr")
        kept = page.locator("#attempts tbody tr", has=page.locator(".st", has_text="kept"))
        kept.last.click()
        assert page.input_value("#cmp-b") == kept.last.get_attribute("data-id")
        page.fill("#cmp-a", "0")
        page.click("#cmp-go")
        page.wait_for_selector("#cmp-out table.sbs td.new")
        assert "differ" in page.inner_text("#cmp-note")
        old = page.inner_text("#cmp-out table.sbs td.old")
        new = page.inner_text("#cmp-out table.sbs td.new")
        assert old != new and ("KNOB" in new or "OTHER" in new)
        page.fill("#cmp-b", "0")
        page.click("#cmp-go")
        page.wait_for_function("document.getElementById('cmp-note').textContent"
                               " === 'no difference'")
        screenshot(page, "report-compare.png")
        assert not errors, errors
