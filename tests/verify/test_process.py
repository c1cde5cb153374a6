"""Running one command: timeouts kill the whole process group, logs are capped."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from hone.verify.process import TAIL_BYTES, run_command


def alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def wait_for_file(path: Path, seconds: float = 10.0) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        time.sleep(0.02)
    raise AssertionError(f"{path} never appeared")


def test_output_exit_code_and_logs(tmp_path: Path) -> None:
    res = run_command(["bash", "-c", "echo out; echo err >&2; exit 3"], tmp_path,
                      tmp_path / "logs" / "cmd", timeout=30)
    assert res.returncode == 3 and not res.ok and not res.timed_out
    assert res.stdout_tail == "out\n" and res.stderr_tail == "err\n"
    assert res.stdout_path.read_text() == "out\n" and res.stderr_path.read_text() == "err\n"
    assert res.tail() == "err\nout"


def test_runs_in_cwd_with_env(tmp_path: Path) -> None:
    res = run_command(["bash", "-c", 'echo "$PWD $FOO"'], tmp_path, tmp_path / "c", 30,
                      env={**os.environ, "FOO": "bar"})
    assert res.ok and res.stdout_tail.strip() == f"{tmp_path} bar"


@pytest.mark.parametrize("detach", [False, True])
def test_timeout_kills_grandchildren(tmp_path: Path, detach: bool) -> None:
    """A background grandchild (even one that ignores SIGTERM/SIGHUP) dies with the command."""
    pidfile = tmp_path / "grandchild.pid"
    inner = "trap '' TERM HUP; sleep 60"
    script = (f"bash -c \"{inner}\" & echo $! > {pidfile}; "
              + ("disown; " if detach else "") + "sleep 60")
    start = time.monotonic()
    res = run_command(["bash", "-c", script], tmp_path, tmp_path / "c", timeout=1.0)
    assert res.timed_out and res.returncode is None and not res.ok
    assert time.monotonic() - start < 30  # it did not wait for the sleeps
    grandchild = int(wait_for_file(pidfile))
    deadline = time.monotonic() + 5
    while alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(grandchild)


def test_grandchildren_die_when_the_command_exits(tmp_path: Path) -> None:
    pidfile = tmp_path / "bg.pid"
    res = run_command(["bash", "-c", f"sleep 60 & echo $! > {pidfile}; echo done"], tmp_path,
                      tmp_path / "c", timeout=30)
    assert res.ok
    bg = int(wait_for_file(pidfile))
    deadline = time.monotonic() + 5
    while alive(bg) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(bg)


def test_logs_keep_head_and_tail_when_capped(tmp_path: Path) -> None:
    # 200 000 numbered lines (~1.3 MB) through a 4 KiB cap.
    res = run_command(["bash", "-c", "seq 1 200000"], tmp_path, tmp_path / "big", 60,
                      max_bytes=4096)
    assert res.ok
    text = res.stdout_path.read_text()
    head, sep, rest = text.partition("\n[hone: ")
    assert sep and head.startswith("1\n2\n3\n") and len(head) <= 4096
    note, _, tail = rest.partition("\n")
    assert note.endswith(f"bytes dropped; last {TAIL_BYTES} follow]")
    assert tail.rstrip().endswith("199999\n200000")
    assert len(text) < 4096 + TAIL_BYTES + 200
    assert res.stdout_tail.endswith("200000\n") and len(res.stdout_tail) <= TAIL_BYTES


def test_disk_full_is_reported_not_raised(tmp_path: Path) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("/dev/full is Linux-only")
    (tmp_path / "c.out").symlink_to("/dev/full")
    res = run_command(["bash", "-c", "echo score: 1"], tmp_path, tmp_path / "c", 30)
    assert res.returncode == 0 and not res.ok
    assert res.log_error == "disk full while writing log c.out"
    assert res.stdout_tail == "score: 1\n"  # the output itself was still read


def test_both_streams_flooding_at_once_are_copied_whole(tmp_path: Path) -> None:
    """The waiting thread copies both pipes as they fill: neither blocks the command."""
    res = run_command(["bash", "-c", "seq 1 300000 >&2 & seq 1 300000; wait"], tmp_path,
                      tmp_path / "flood", 60, max_bytes=10_000_000)
    assert res.ok
    expected = "".join(f"{i}\n" for i in range(1, 300001))
    assert res.stdout_path.read_text() == expected
    assert res.stderr_path.read_text() == expected
    assert res.stdout_tail.endswith("299999\n300000\n")


def test_a_process_that_escaped_with_the_pipe_does_not_hold_the_command(
        tmp_path: Path) -> None:
    """A grandchild in a session of its own (out of the killed group, no jail) keeps stdout
    open: the command's result comes once its output is read, within DRAIN_SECONDS."""
    from hone.verify.process import DRAIN_SECONDS

    pidfile = tmp_path / "escaped.pid"
    script = (f"setsid bash -c 'echo $$ > {pidfile}; sleep 60' & "
              f"while [ ! -s {pidfile} ]; do sleep 0.01; done; echo done")
    start = time.monotonic()
    res = run_command(["bash", "-c", script], tmp_path, tmp_path / "c", timeout=30)
    try:
        assert res.ok and res.stdout_tail == "done\n"
        assert time.monotonic() - start < DRAIN_SECONDS + 20
    finally:
        escaped = int(wait_for_file(pidfile))
        if alive(escaped):
            os.kill(escaped, 9)
