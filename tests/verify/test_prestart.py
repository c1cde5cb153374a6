"""Jails built ahead of their command: used only while they are the jail the command would get."""

from __future__ import annotations

import os
import shutil
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from hone.config.load import parse_config
from hone.config.model import SandboxSection
from hone.verify import launcher, prestart, process
from hone.verify.call import Call
from hone.verify.verifier import Verifier
from tests.conftest import MakeRepo, require_tool

# Writes the protected file if it can, then prints its content and the seed.
PROBE = "sh -c 'echo forged >> bench.py; echo w=$?; cat bench.py; echo seed=$HONE_SEED'"


@pytest.fixture
def repo(make_repo: MakeRepo) -> Path:
    require_tool("bwrap")
    return make_repo({"bench.py": "print('score: 1')\n", "knob.py": "K = 1\n"})


@pytest.fixture(autouse=True)
def _nothing_left_waiting() -> object:
    yield
    prestart.discard_all()


def call(repo: Path, seed: int = 1, command: str = PROBE) -> Call:
    own = repo.parent / f"own-{repo.name}"
    own.mkdir(exist_ok=True)
    settings = SandboxSection(enabled=True, rw_paths=[str(own)])
    env = {**os.environ, "HONE_SEED": str(seed)}
    return Call(command, repo, repo.parent / "logs" / f"run{seed}", env, settings,
                ("bench.py",), own)


def built(workdir: Path) -> None:
    """Wait until the jail waiting in `workdir` is built (its changes come after the binds)."""
    held = prestart._held[workdir]
    assert held.limited.wait(30) and not held.failed
    assert prestart._settled(held, held.supervisor.child)


def run(c: Call) -> str:
    res = launcher.run(c, 60, 100_000)
    return res.stdout_tail + res.stderr_tail


def test_the_same_call_runs_in_the_jail_built_ahead(repo: Path) -> None:
    c = call(repo)
    assert prestart.start(c)
    held = prestart.take(c)
    assert held is not None
    res = held.run(60, 100_000)
    out = res.stdout_tail
    assert "w=0" not in out and "seed=1" in out and "forged" not in out, res.tail()
    assert (repo / "bench.py").read_text() == "print('score: 1')\n"
    assert prestart.take(c) is None  # used once


def test_another_call_in_the_worktree_gets_a_jail_of_its_own(repo: Path) -> None:
    assert prestart.start(call(repo, seed=1))
    waiting = prestart._held[repo]
    assert prestart.take(call(repo, seed=2)) is None  # other environment: not that jail
    assert "seed=2" in run(call(repo, seed=2))
    # the jail built for seed 1 (the next attempt's, while this one is measured) waits on
    held = prestart.take(call(repo, seed=1))
    assert held is waiting
    assert "seed=1" in held.run(60, 100_000).stdout_tail


def test_asked_again_for_the_same_call_the_waiting_jail_is_kept(repo: Path) -> None:
    assert prestart.start(call(repo, seed=1))
    first = prestart._held[repo]
    assert prestart.start(call(repo, seed=1))
    assert prestart._held[repo] is first and first.proc.poll() is None
    assert prestart.start(call(repo, seed=2))  # another call: the first one is killed
    assert prestart._held[repo] is not first and first.proc.poll() is not None


def _replaced(repo: Path) -> None:
    data = (repo / "bench.py").read_bytes()
    (repo / "bench.py").unlink()
    (repo / "bench.py").write_bytes(data)


def _moved_away_and_another_put_there(repo: Path) -> None:
    # The jail's read-only bind moves with the file; at the name, the jail would show the
    # new file through the writable worktree, the very file (inode) the host has there.
    (repo / "bench.py").rename(repo / "elsewhere.py")
    (repo / "bench.py").write_text("print('score: 1')\n")


def _worktree_recreated(repo: Path) -> None:
    keep = repo.parent / "keep"
    shutil.copytree(repo, keep, symlinks=True)
    shutil.rmtree(repo)
    keep.rename(repo)


def _jail_killed(repo: Path) -> None:
    process.kill_running()


@pytest.mark.parametrize("change", [_replaced, _moved_away_and_another_put_there,
                                    _worktree_recreated, _jail_killed])
def test_a_jail_that_no_longer_matches_is_not_used(repo: Path, change: object) -> None:
    c = call(repo)
    assert prestart.start(c)
    built(repo)
    assert callable(change)
    change(repo)
    assert prestart.take(c) is None
    out = run(c)  # a jail built now: the protected file is read-only again
    assert "w=0" not in out and "forged" not in out, out
    assert (repo / "bench.py").read_text() == "print('score: 1')\n"


def test_a_file_moved_away_and_back_stays_protected(repo: Path) -> None:
    """The read-only bind follows the file away and back: the jail is intact, and used."""
    c = call(repo)
    assert prestart.start(c)
    built(repo)
    (repo / "bench.py").rename(repo / "elsewhere.py")
    (repo / "elsewhere.py").rename(repo / "bench.py")
    out = run(c)
    assert "w=0" not in out and "forged" not in out, out
    assert (repo / "bench.py").read_text() == "print('score: 1')\n"


def test_a_jail_whose_masks_would_differ_now_is_not_used(repo: Path, tmp_path: Path) -> None:
    """What the jail masks depends on the files present when it is built: a protected file
    that appears after the jail was built ahead gets a read-only bind only in a new jail."""
    (repo / "bench.py").unlink()
    c = call(repo, command="sh -c 'echo forged > bench.py; echo w=$?'")
    assert prestart.start(c)
    built(repo)
    (repo / "bench.py").write_text("print('score: 1')\n")
    assert prestart.take(c) is None
    assert "w=0" not in run(c)
    assert (repo / "bench.py").read_text() == "print('score: 1')\n"


def test_the_verifier_runs_its_first_command_in_the_jail_built_ahead(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = parse_config({"objective": {"run": "python3 bench.py"},
                           "files": {"protect": ["bench.py"]}, "sandbox": {"enabled": True}})
    verifier = Verifier(config, repo.parent / "vlogs")
    discarded: list[Path] = []
    real_discard = prestart.Held.discard

    def spy(self: prestart.Held) -> None:
        discarded.append(self.call.workdir)
        real_discard(self)

    monkeypatch.setattr(prestart.Held, "discard", spy)
    assert verifier.prestart(repo, 7)
    waiting = dict(prestart._held)
    assert list(waiting) == [repo] and waiting[repo].call.env["HONE_ATTEMPT"] == "7"
    measured = verifier.measure(repo, 7, 1)
    assert not discarded and not prestart._held
    assert getattr(measured, "score", None) == 1.0
    # With gates, the first command is the first gate's.
    gated = parse_config({"objective": {"run": "python3 bench.py"}, "sandbox": {"enabled": True},
                          "gates": [{"name": "lint", "run": "true"}]})
    assert Verifier(gated, repo.parent / "vlogs").prestart(repo, 8)
    assert prestart._held[repo].call.command == "true"
    assert replace(prestart._held[repo].call, command="x").command == "x"


def test_a_serial_run_verifies_each_attempt_in_a_jail_built_while_the_last_was_measured(
        make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    require_tool("bwrap")
    from hone.cli import main
    from hone.loop.workspace import Workspace
    from hone.records import Status

    root = make_repo({
        "knob.py": "KNOB = 3  # hone: tune\n",
        "score.py": "from knob import KNOB\nprint(f'score: {min(KNOB, 20)}')\n",
        "hone.toml": ('[objective]\nrun = "python3 score.py"\n[files]\neditable = ["knob.py"]\n'
                      '[sandbox]\nenabled = true\n[audit]\nenabled = false\n')})
    taken: list[bool] = []
    real_take = prestart.take

    def spy(c: Call) -> prestart.Held | None:
        held = real_take(c)
        taken.append(held is not None)
        return held

    builders: dict[int, str] = {}  # attempt -> the thread that built its jail
    real_start = prestart.start

    def start_spy(c: Call) -> bool:
        attempt = int(c.env["HONE_ATTEMPT"])
        if prestart._held.get(c.workdir) is None or prestart._held[c.workdir].call != c:
            builders[attempt] = threading.current_thread().name
        return real_start(c)

    monkeypatch.setattr(prestart, "take", spy)
    monkeypatch.setattr(prestart, "start", start_spy)
    assert main(["run", "--mutator", "classic", "--attempts", "6", "-C", str(root)]) == 0
    attempts = [a for a in Workspace.open(root).store.list_attempts("main") if a.id > 0]
    verified = [a for a in attempts if a.status in (Status.KEPT, Status.DISCARDED)]
    assert len(attempts) == 6 and verified, attempts
    # The baseline's runs are not built ahead; every attempt's first command is.
    assert taken.count(True) == len(verified), taken
    assert not prestart._held  # nothing left waiting after the run
    # #1's jail is built as it is proposed; the one of an attempt that follows a verified
    # one, while that one was measured (after an attempt that never ran, as it is proposed)
    ran = {a.id for a in verified}
    for a in verified:
        assert builders[a.id] == ("hone-meanwhile" if a.id - 1 in ran else "MainThread"), (
            a.id, builders)


def test_prestart_false_builds_nothing_ahead(repo: Path) -> None:
    c = call(repo)
    off = replace(c, settings=c.settings.model_copy(update={"prestart": False}))
    assert not prestart.start(off) and not prestart._held
    assert "seed=1" in run(off)
