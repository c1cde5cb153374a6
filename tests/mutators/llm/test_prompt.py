"""The llm prompt: whole files when they fit, else a file map and the related files, in budget."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from hone.config.model import Config
from hone.loop.brief import build_brief
from hone.mutators.base import ProposalContext
from hone.mutators.llm.lessons import lessons_section
from hone.mutators.llm.prompt import build_prompt, list_files, related_order
from hone.mutators.llm.tokens import TokenMeter
from hone.records import Attempt, Status
from hone.vcs.git import Repo
from tests.conftest import MakeRepo, git

FILES = {
    "src/small.py": "A = 1\n",
    "src/big_one.py": "# filler\n" * 3000,
    "src/hot.py": "def hot():\n    return 2\n" + "# pad\n" * 300,
    "docs/spec.md": "The spec says: be fast.\n",
    "hone.toml": "[objective]\nrun = 'x'\n[holdout]\nsecret = 'do not show'\n",
}


def context(root: Path, budget_files: dict[str, str], history: list[Attempt]) -> ProposalContext:
    config = Config.model_validate({
        "run": {"goal": "Speed up src/hot.py"}, "objective": {"run": "python3 bench.py"},
        "files": {"editable": ["src/**"], "context": ["docs/*.md", "hone.toml"]}})
    champion = history[-1] if history[-1].status is Status.KEPT else history[0]
    stale = lessons_section("- [L1 +1/-0] stale lesson")
    assert stale is not None
    brief = build_brief(config, history, champion, champion, list(budget_files),
                        extra_sections=[stale])
    return ProposalContext("main", len(history), champion, champion, history, config, root,
                           brief.render(), root / "brief.md", [], sections=brief)


def test_everything_fits_whole(make_repo: MakeRepo) -> None:
    root = make_repo({k: v for k, v in FILES.items() if k != "src/big_one.py"})
    hist = [Attempt("main", 0, None, "c", Status.BASELINE, score=1.0)]
    parts = build_prompt(context(root, FILES, hist), "- [L1 +2/-0] fresh lesson",
                         TokenMeter(), 12000)
    assert parts.whole == ["src/hot.py", "src/small.py"] and not parts.mapped
    assert parts.context == ["docs/spec.md"]  # the config (it names the holdout) never shows
    assert "do not show" not in parts.user
    assert "def hot():" in parts.user and "be fast" in parts.user
    assert "fresh lesson" in parts.user and "stale lesson" not in parts.user
    assert parts.user.count("# Lessons learnt in this run") == 1
    assert "# What to do" not in parts.user and "## How to answer" in parts.user
    assert parts.user.rstrip().endswith("fails the attempt.")  # the answer format comes last


def test_over_budget_gives_a_map_and_related_files(make_repo: MakeRepo) -> None:
    root = make_repo(FILES)
    hist = [Attempt("main", 0, None, "c", Status.BASELINE, score=1.0),
            Attempt("main", 1, 0, None, Status.FAILED, hypothesis="inline hot() in src/hot.py",
                    stage="tests", reason="gate failed")]
    meter = TokenMeter()
    parts = build_prompt(context(root, FILES, hist), "", meter, 3000)
    assert "src/hot.py" in parts.whole and "src/big_one.py" in parts.mapped
    assert "File map" in parts.user and "- src/big_one.py (3000 lines" in parts.user
    assert "# filler" not in parts.user
    assert parts.tokens <= 3000 and meter.count(parts.system + parts.user) <= 3000


def test_meter_learns_from_reported_tokens() -> None:
    meter = TokenMeter()
    assert meter.count("x" * 300) == 100  # 3 chars per token until measured
    meter.observe(4000, 1000)
    assert meter.count("x" * 400) == 100


def test_a_long_history_is_cut_from_the_oldest(make_repo: MakeRepo) -> None:
    root = make_repo({k: v for k, v in FILES.items() if k != "src/big_one.py"})
    hist = [Attempt("main", 0, None, "c", Status.BASELINE, score=1.0)] + [
        Attempt("main", i, 0, None, Status.DISCARDED, score=0.5,
                hypothesis=f"idea number {i}: change constant {i} to {i * 7}")
        for i in range(1, 600)]
    parts = build_prompt(context(root, FILES, hist), "", TokenMeter(), 6000)
    assert parts.tokens <= 6000
    assert "idea number 599:" in parts.user and "idea number 1:" not in parts.user
    assert "older attempts not shown)" in parts.user
    shown = [int(n) for n in re.findall(r"^- #(\d+) \(from #0\) discarded", parts.user, re.M)]
    assert shown == list(range(shown[0], 600))  # the newest attempts, oldest of them first
    omitted = re.findall(r"^- \((\d+) older attempts not shown\)$", parts.user, re.M)
    assert omitted == [str(shown[0] - 1)]
    assert "Ideas already tried" not in parts.user  # one list, not two
    assert "def hot():" in parts.user  # and the code still fits


def test_the_brief_lessons_and_task_are_left_out_by_kind(make_repo: MakeRepo) -> None:
    root = make_repo({k: v for k, v in FILES.items() if k != "src/big_one.py"})
    hist = [Attempt("main", 0, None, "c", Status.BASELINE, score=1.0)]
    ctx = context(root, FILES, hist)
    assert "stale lesson" in ctx.brief and "# What to do" in ctx.brief  # for ask and agent
    parts = build_prompt(ctx, "", TokenMeter(), 12000)  # no fresh lessons: none at all
    assert "stale lesson" not in parts.user and "# Lessons learnt" not in parts.user
    assert "# What to do" not in parts.user and "Make one focused change" not in parts.user
    assert parts.user.startswith("# Goal\nSpeed up src/hot.py\n\n# Objective\n")
    assert "# Files you may edit" in parts.user


def test_files_and_changes_come_from_the_loops_repository(make_repo: MakeRepo) -> None:
    root = make_repo({k: v for k, v in FILES.items() if k != "src/big_one.py"}
                     | {"src/zz_changed.py": "Z = 1\n" + "# pad\n" * 400})
    first = git("rev-parse", "HEAD", cwd=root)
    (root / "src/zz_changed.py").write_text("Z = 2\n" + "# pad\n" * 400)
    git("commit", "-qam", "change zz", cwd=root)
    second = git("rev-parse", "HEAD", cwd=root)
    (root / "untracked.py").write_text("U = 1\n")  # not in the parent's commit: not listed
    hist = [Attempt("main", 0, None, first, Status.BASELINE, score=1.0),
            Attempt("main", 1, 0, second, Status.KEPT, score=2.0, hypothesis="tweak")]
    ctx = replace(context(root, FILES, hist), repo=Repo(root))
    assert list_files(ctx) == sorted(git("ls-files", cwd=root).splitlines())
    assert "untracked.py" not in list_files(ctx)
    # the file the last attempt changed comes first, though it is the largest
    assert related_order(ctx, ["src/small.py", "src/zz_changed.py"])[0] == "src/zz_changed.py"
    assert related_order(replace(ctx, history=hist[:1]),
                         ["src/small.py", "src/zz_changed.py"])[0] == "src/small.py"
