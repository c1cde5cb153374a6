"""`hone report` in headless Chromium: plots drawn, table sortable and filterable, diffs shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_hone
from tests.report.browser import browser_page, screenshot

pytestmark = pytest.mark.slow


def plotted_points(page: object, plot_id: str) -> int:
    return int(page.evaluate(  # type: ignore[attr-defined]
        f"document.querySelectorAll('#{plot_id} .scatterlayer .point').length"))


def test_report_renders_offline_with_plots_table_and_diffs(finished_run: Path,
                                                           tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    res = run_hone("report", "-o", str(out), cwd=finished_run)
    assert res.returncode == 0, res.stderr
    assert str(out) in res.stdout
    html = out.read_text()
    assert "<script src=" not in html and "<link rel=\"stylesheet\"" not in html

    with browser_page() as (page, errors):
        page.goto(out.as_uri())
        page.wait_for_selector("#attempts tbody tr")
        rows = page.locator("#attempts tbody tr")
        assert rows.count() == 15
        # Every plot drew its points; the score plot has one per scored attempt at least.
        assert plotted_points(page, "plot-score") >= 10
        assert plotted_points(page, "plot-lineage") == 15
        assert plotted_points(page, "plot-gain") >= 2
        assert page.locator("#summary .card").count() >= 5
        assert "14" in page.inner_text("#summary")

        # Clicking an attempt shows its diff, highlighted.
        kept = page.locator("#attempts tbody tr", has=page.locator(".st", has_text="kept"))
        kept.first.click()
        page.wait_for_selector("#detail pre.diff .dl.add")
        assert "KNOB" in page.inner_text("#detail pre.diff") or \
            "OTHER" in page.inner_text("#detail pre.diff")
        assert "objective" in page.inner_text("#detail")

        # Clicking a point of the lineage tree selects that attempt too.
        page.locator("#plot-lineage .scatterlayer .trace:last-child .point").nth(3).click(
            force=True)  # Plotly listens on the drag layer above the points
        page.wait_for_function("document.querySelector('#detail h2') && "
                               "document.querySelector('#detail h2').textContent"
                               ".startsWith('Attempt #3')")

        # Sorting by score puts the best (highest) last when ascending, first when descending.
        page.click("#attempts th[data-key=score]")
        page.click("#attempts th[data-key=score]")
        first_score = float(page.locator("#attempts tbody tr td:nth-child(4)").first.inner_text())
        scores = [float(t) for t in page.locator("#attempts tbody tr td:nth-child(4)")
                  .all_inner_texts() if t not in ("—", "")]
        assert first_score == max(scores)

        # Filtering by status and by text.
        page.select_option("#filter-status", "kept")
        kept_count = page.locator("#attempts tbody tr").count()
        assert 0 < kept_count < 15
        assert all(t == "kept" for t in page.locator("#attempts tbody .st").all_inner_texts())
        page.select_option("#filter-status", "")
        page.fill("#filter-text", "zzz-no-such-hypothesis")
        assert page.locator("#attempts tbody tr").count() == 0
        page.fill("#filter-text", "")
        kept.first.click()
        screenshot(page, "report.png")
        assert errors == []
