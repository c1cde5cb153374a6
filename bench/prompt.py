"""What building one llm prompt costs: git processes and milliseconds, with and without the
loop's (cached) repository in the proposal context.

Makes a repository of 40 editable files and 10 attempts (each a commit changing one file),
then builds the prompt N times from the last attempt's context, over budget so that the files
are ordered by relatedness (a git change per recent attempt). Without `ctx.repo` every prompt
lists files and diffs attempts with its own git processes (the behaviour before the brief was
typed); with it, the loop's `Repo` answers from its cache after the first prompt.

    .venv/bin/python bench/prompt.py [--prompts N]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from hone.config.model import Config
from hone.loop.brief import build_brief
from hone.mutators.base import ProposalContext
from hone.mutators.llm.prompt import build_prompt
from hone.mutators.llm.tokens import TokenMeter
from hone.records import Attempt, Status
from hone.vcs.git import Repo, git

calls = {"git": 0}
_run = subprocess.run


def counting_run(args: Any, *rest: Any, **kw: Any) -> Any:
    if isinstance(args, list) and args and args[0] == "git":
        calls["git"] += 1
    return _run(args, *rest, **kw)


def make_context(root: Path) -> ProposalContext:
    root.mkdir()
    git("init", "-q", "-b", "main", cwd=root)
    for i in range(40):
        (root / f"f{i:02d}.py").write_text(f"X{i} = {i}\n" + "# pad\n" * 200)
    git("add", ".", cwd=root)
    git("commit", "-qm", "base", cwd=root)
    history = [Attempt("main", 0, None, git("rev-parse", "HEAD", cwd=root), Status.BASELINE,
                       score=1.0)]
    for k in range(1, 11):
        (root / f"f{k:02d}.py").write_text(f"X{k} = {k * 7}\n" + "# pad\n" * 200)
        git("commit", "-qam", f"attempt {k}", cwd=root)
        history.append(Attempt("main", k, k - 1, git("rev-parse", "HEAD", cwd=root),
                               Status.KEPT, score=1.0 + k, hypothesis=f"tune X{k}"))
    config = Config.model_validate({"run": {"goal": "go"}, "objective": {"run": "true"},
                                    "files": {"editable": ["*.py"]}})
    last = history[-1]
    brief = build_brief(config, history, last, last, [f"f{i:02d}.py" for i in range(40)])
    return ProposalContext("main", 11, last, last, history, config, root, brief.render(),
                           root / "brief.md", [], sections=brief)


def measure(ctx: ProposalContext, prompts: int) -> tuple[float, float]:
    meter = TokenMeter()
    calls["git"] = 0
    start = time.perf_counter()
    for _ in range(prompts):
        build_prompt(ctx, "", meter, 6000)
    took = time.perf_counter() - start
    return calls["git"] / prompts, took / prompts * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prompts", type=int, default=20)
    args = parser.parse_args()
    subprocess.run = counting_run  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        ctx = make_context(Path(tmp) / "repo")
        bare = measure(ctx, args.prompts)
        repo = Repo(ctx.workdir)
        first = measure(replace(ctx, repo=repo), 1)
        warm = measure(replace(ctx, repo=repo), args.prompts)
    print(f"{'context':<34} {'git processes/prompt':>21} {'ms/prompt':>10}")
    for name, (procs, ms) in (("without ctx.repo", bare), ("with ctx.repo, first prompt", first),
                              ("with ctx.repo, cache warm", warm)):
        print(f"{name:<34} {procs:>21.1f} {ms:>10.1f}")


if __name__ == "__main__":
    main()
