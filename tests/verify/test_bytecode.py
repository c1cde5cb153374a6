"""The bytecode folders of jailed commands: warm from a trusted copy, never a channel between
commands (verify/bytecode.py)."""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from hone.config.load import parse_config
from hone.verify import bytecode
from hone.verify.verifier import Verifier
from tests.conftest import require_tool

TAG = sys.implementation.cache_tag
# A gate that plants, in its own bytecode folder, a .pyc of the standard library's `colorsys`
# that Python uses whatever the source says (an unchecked hash): the objective, which imports
# colorsys, would then print the forged figure.
FORGER = """\
import importlib.util, importlib._bootstrap_external as ext, os
origin = importlib.util.find_spec("colorsys").origin
code = compile("def rgb_to_hsv(r, g, b):\\n    return (9.0, 9.0, 9.0)\\n", origin, "exec")
data = ext._code_to_hash_pyc(code, importlib.util.source_hash(open(origin, 'rb').read()),
                             checked=False)
target = importlib.util.cache_from_source(origin)
assert target.startswith(os.environ["PYTHONPYCACHEPREFIX"]), target
os.makedirs(os.path.dirname(target), exist_ok=True)
open(target, "wb").write(data)
"""
READER = "import colorsys, json\nprint('score:', colorsys.rgb_to_hsv(0.2, 0.4, 0.4)[0])\n"


def jailed(tmp_path: Path, **sections: Any) -> Verifier:
    require_tool("bwrap")
    config = parse_config({"objective": {"run": f"{sys.executable} reader.py"},
                           "sandbox": {"enabled": True}, **sections})
    return Verifier(config, tmp_path / "logs")


def workdir(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    (work / "forger.py").write_text(FORGER)
    (work / "reader.py").write_text(READER)
    return work


def test_bytecode_planted_by_a_gate_never_reaches_the_objective(tmp_path: Path) -> None:
    work = workdir(tmp_path)
    v = jailed(tmp_path, gates=[{"name": "plant", "run": f"{sys.executable} forger.py"}])
    for attempt in (1, 2):  # the second time the trusted copy exists and is restored
        verdict = v.verify(work, attempt)
        assert verdict.passed, verdict.failure
        assert [m.score for m in verdict.measurements] == [0.5]


def test_the_standard_library_is_compiled_once_into_trusted_from_its_source(
        tmp_path: Path) -> None:
    work = workdir(tmp_path)
    v = jailed(tmp_path)
    assert v.verify(work, 1).passed
    json_init = importlib.util.find_spec("json")
    assert json_init is not None and json_init.origin is not None
    rel = Path(json_init.origin).parent.relative_to("/") / f"__init__.{TAG}.pyc"
    trusted = bytecode.CACHE.root / "trusted" / rel
    assert trusted.is_file()
    # The next jailed command there starts with the trusted copy in its own folder.
    own = bytecode.CACHE.own(work)
    (own / rel).write_bytes(b"forged")
    bytecode.CACHE.restore(own)
    assert (own / rel).read_bytes() == trusted.read_bytes()


def test_sources_a_candidate_can_write_are_never_compiled(tmp_path: Path) -> None:
    work = workdir(tmp_path)
    elsewhere = tmp_path / "rw"
    elsewhere.mkdir()
    own = bytecode.CACHE.own(work)
    own.mkdir(exist_ok=True)
    for folder in (work, elsewhere):
        (folder / "mine.py").write_text("X = 1\n")
        planted = own / folder.relative_to("/") / f"mine.{TAG}.pyc"
        planted.parent.mkdir(parents=True, exist_ok=True)
        planted.write_bytes(b"anything")
    assert bytecode.CACHE.learn(own, work, [str(elsewhere)]) == 0
    assert not list((bytecode.CACHE.root / "trusted").rglob(f"mine.{TAG}.pyc"))


@pytest.mark.parametrize("plant", ["link", "hardlink", "extra"])
def test_restore_leaves_only_the_trusted_files(tmp_path: Path, plant: str) -> None:
    own = bytecode.CACHE.own(tmp_path / "somewhere")
    own.mkdir(exist_ok=True)
    outside = tmp_path / "outside.pyc"
    outside.write_bytes(b"x")
    planted = own / "usr" / f"thing.{TAG}.pyc"
    planted.parent.mkdir(parents=True, exist_ok=True)
    if plant == "link":
        (own / "lib").symlink_to(tmp_path)
    elif plant == "hardlink":
        planted.hardlink_to(outside)
    else:
        planted.write_bytes(b"x")
    bytecode.CACHE.restore(own)
    files = {p for p in own.rglob("*") if p.is_file() or p.is_symlink()}
    trusted = bytecode.CACHE.root / "trusted"
    assert {p.relative_to(own) for p in files} <= {
        p.relative_to(trusted) for p in trusted.rglob("*") if p.is_file()}
    assert outside.read_bytes() == b"x"


def _trusted_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str, bytes]:
    """An own folder whose files are recorded as matching the trusted ones (then restore
    reads none of them), one trusted file's path in it and that file's trusted content."""
    work = workdir(tmp_path)
    assert jailed(tmp_path).verify(work, 1).passed
    own = bytecode.CACHE.own(work)
    rel = sorted(bytecode.CACHE._trusted)[0]
    monkeypatch.setattr(bytecode, "RACY_NS", 0)  # the copies made during verify are settled
    bytecode.CACHE.restore(own)
    return own, rel, (bytecode.CACHE.root / "trusted" / rel).read_bytes()


def test_a_forged_file_with_the_trusted_size_and_time_is_replaced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own, rel, good = _trusted_copy(tmp_path, monkeypatch)
    target = own / rel
    before = target.stat()
    forged = bytes(b ^ 0xFF for b in good)  # same size, other content
    target.write_bytes(forged)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size and mtime
    bytecode.CACHE.restore(own)
    assert target.read_bytes() == good


def test_a_file_replaced_by_another_of_the_same_size_is_replaced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own, rel, good = _trusted_copy(tmp_path, monkeypatch)
    target = own / rel
    before = target.stat()
    other = target.with_name("other")
    other.write_bytes(bytes(b ^ 0xFF for b in good))
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(other, target)
    bytecode.CACHE.restore(own)
    assert target.read_bytes() == good


def test_caches_left_by_killed_processes_are_swept(tmp_path: Path) -> None:
    import subprocess

    dead = subprocess.Popen(["true"])
    dead.wait()  # exited and reaped: its process id names no process
    left = tmp_path / f"hone-pycache-{dead.pid}-abc"
    (left / "trusted").mkdir(parents=True)
    mine = tmp_path / f"hone-pycache-{os.getpid()}-def"
    mine.mkdir()
    fresh = tmp_path / f"hone-pycache-{dead.pid}x-ghi"  # not a process id: not ours to judge
    fresh.mkdir()
    other = tmp_path / "hone-pycache-old7f3k"  # an older hone's name, without a process id
    other.mkdir()
    old = time.time() - 3600
    for folder in (left, mine, fresh, other):
        os.utime(folder, (old, old))
    assert bytecode.sweep(tmp_path) == 1
    assert not left.exists() and mine.exists() and fresh.exists() and other.exists()
    recent = tmp_path / f"hone-pycache-{dead.pid}-jkl"
    recent.mkdir()  # changed in the last minute: left alone, whatever its process id says
    assert bytecode.sweep(tmp_path) == 0 and recent.exists()
