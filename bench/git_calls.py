"""Per-call cost of hone's per-attempt git work: the worktree commit and the attempt's change,
in-process (pygit2) against git processes, on a 50-file repository, 60 alternating calls each.

    .venv/bin/python bench/git_calls.py
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from hone.vcs import fast_change, fast_commit
from hone.vcs.git import Repo
from hone.vcs.worktrees import Worktrees

FILES, CALLS = 50, 60


def main() -> None:
    root = Path(tempfile.mkdtemp()) / "repo"
    root.mkdir()
    for i in range(FILES):
        (root / f"m{i}.py").write_text("".join(f"x{j} = {j}\n" for j in range(40)))
    for args in (["init", "-q"], ["add", "-A"],
                 ["-c", "user.name=b", "-c", "user.email=b@localhost", "commit", "-qm0"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    repo = Repo(root)
    worktrees = Worktrees(repo, root / ".hone" / "worktrees")
    path = worktrees.checkout("s", repo.head())
    fast_commit.commit(path, repo.head(), "warm up", True)  # pygit2's import, once
    times: dict[str, list[float]] = {}
    for i in range(CALLS):
        for how in ("in-process", "git"):
            parent = worktrees.head("s")
            body = "".join(f"x{j} = {j}\n" for j in range(1, 40))
            (path / "m3.py").write_text(f"x0 = {i}  # {how}\n" + body)
            start = time.perf_counter()
            sha = (fast_commit.commit(path, parent, "m", False) if how == "in-process"
                   else worktrees.commit_with_git("s", "m"))
            assert sha is not None
            times.setdefault(f"commit, {how}", []).append(time.perf_counter() - start)
            start = time.perf_counter()
            if how == "in-process":
                fast_change.change(root, parent, sha)
            else:
                repo.change_with_git(parent, sha)
            times.setdefault(f"change, {how}", []).append(time.perf_counter() - start)
    for name, values in sorted(times.items()):
        print(f"{name}: median {statistics.median(values) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
