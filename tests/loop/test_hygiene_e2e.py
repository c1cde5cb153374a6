"""Interpreter hygiene at materialise: a change that shadows a module or commits bytecode or an
unreviewable binary is rejected before anything runs; an allowed binary passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from hone.loop.asktell import ask, tell
from hone.loop.session import open_engine
from hone.loop.workspace import Workspace
from tests.conftest import KNOB_PROJECT, MakeRepo


@pytest.fixture
def root(make_repo: MakeRepo) -> Path:
    return make_repo({**KNOB_PROJECT, "hone.toml": (
        '[objective]\nrun = "python3 score.py"\n[files]\nallow_binary = ["assets/**"]\n'
        "[sandbox]\nenabled = false\n")})


@pytest.mark.parametrize(("name", "content", "why"), [
    ("json.py", b"import sys\n", "shadows"),
    ("lib/random/__init__.py", b"x = 1\n", "shadows"),
    ("__pycache__/knob.cpython-311.pyc", b"\x00\x01bytecode", "bytecode"),
    ("blob.bin", b"\x00\xff\x00\xfe" * 64, "binary"),
])
def test_an_unclean_change_is_rejected_at_stage_hygiene(root: Path, name: str, content: bytes,
                                                        why: str) -> None:
    ws = Workspace.open(root)
    with open_engine(ws, "main") as engine:
        asked = ask(engine)
        path = Path(asked.workdir) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        told = tell(engine, asked.id, f"add {name}").attempt
    assert (told.status.value, told.stage) == ("rejected", "hygiene"), told
    assert name in told.reason and why in told.reason
    # Nothing ran: the only measurements are the baseline's.
    assert ws.store.measurements("main", told.id) == []


def test_an_allowed_binary_is_measured_like_any_change(root: Path) -> None:
    ws = Workspace.open(root)
    with open_engine(ws, "main") as engine:
        asked = ask(engine)
        (Path(asked.workdir) / "assets").mkdir()
        (Path(asked.workdir) / "assets" / "logo.png").write_bytes(b"\x89PNG\x00\x00" * 32)
        told = tell(engine, asked.id, "a logo").attempt
    assert told.status.value in ("kept", "discarded"), told


@pytest.mark.parametrize(("name", "target", "why"), [
    ("zero.py", "/dev/zero", "leaves the worktree"),
    ("x", "/etc/passwd", "leaves the worktree"),
    ("up", "../../outside.txt", "leaves the worktree"),
])
def test_a_symlink_out_of_the_worktree_is_rejected_and_the_run_goes_on(
        root: Path, name: str, target: str, why: str) -> None:
    ws = Workspace.open(root)
    with open_engine(ws, "main") as engine:
        asked = ask(engine)
        (Path(asked.workdir) / name).symlink_to(target)
        told = tell(engine, asked.id, f"link {name}").attempt
        assert (told.status.value, told.stage) == ("rejected", "hygiene"), told
        assert name in told.reason and why in told.reason
        # The run goes on: the next attempt is measured as usual.
        nxt = ask(engine)
        (Path(nxt.workdir) / "knob.py").write_text("KNOB = 4  # hone: tune\n")
        assert tell(engine, nxt.id, "raise the knob").attempt.status.value == "kept"


def test_a_symlink_inside_the_worktree_is_measured(root: Path) -> None:
    ws = Workspace.open(root)
    with open_engine(ws, "main") as engine:
        asked = ask(engine)
        (Path(asked.workdir) / "alias.py").symlink_to("knob.py")
        told = tell(engine, asked.id, "an alias").attempt
    assert told.status.value in ("kept", "discarded"), told
