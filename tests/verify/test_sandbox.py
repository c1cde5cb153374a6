"""The jail: network, filesystem, limits, environment, and the kill of the whole tree."""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from hone.config.model import SandboxSection
from hone.verify import jail_paths, sandbox
from hone.verify.process import CommandResult, run_command
from tests.conftest import MakeRepo, require_tool


def jailed(command: str, workdir: Path, settings: SandboxSection | None = None,
           readonly: tuple[str, ...] = (), env: dict[str, str] | None = None,
           timeout: float = 60) -> CommandResult:
    settings = settings or SandboxSection(enabled=True)
    with sandbox.launch(command, workdir, settings, env or dict(os.environ), readonly) as how:
        assert how.sandboxed
        return run_command(how.argv, workdir, workdir.parent / "logs" / "cmd", timeout,
                           how.env, 1_000_000, how.preexec)


@pytest.fixture
def repo(make_repo: MakeRepo) -> Path:
    require_tool("bwrap")
    return make_repo({"bench.py": "print('score: 1')\n", "data.txt": "42\n"})


def test_scrub_env_keeps_the_allow_list_and_drops_secrets() -> None:
    environ = {"PATH": "/usr/bin", "HOME": "/root", "LC_ALL": "C", "OPENAI_API_KEY": "sk-x",
               "ANTHROPIC_API_KEY": "a", "GITHUB_TOKEN": "t", "RANDOM_THING": "r",
               "HONE_SEED": "3", "MY_OPT": "1", "DB_PASSWORD": "p"}
    env = sandbox.scrub_env(environ, SandboxSection(env=["MY_OPT", "EXTRA=yes"]))
    assert env["PATH"] == "/usr/bin" and env["LC_ALL"] == "C" and env["HONE_SEED"] == "3"
    assert env["MY_OPT"] == "1" and env["EXTRA"] == "yes" and env["TMPDIR"] == "/tmp"
    for secret in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GITHUB_TOKEN", "DB_PASSWORD",
                   "RANDOM_THING"):
        assert secret not in env


def test_no_network_even_to_loopback(repo: Path) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    port = server.getsockname()[1]
    accepted: list[object] = []
    done = threading.Event()

    def accept() -> None:
        while not done.is_set() and not accepted:
            with contextlib.suppress(OSError):
                accepted.append(server.accept())

    thread = threading.Thread(target=accept)
    thread.start()
    code = (f"import socket\ntry:\n    socket.create_connection(('127.0.0.1', {port}), "
            "timeout=3)\n    print('connected')\nexcept OSError as e:\n    print('refused', e)\n")
    res = jailed(f"{sys.executable} -c \"{code}\"", repo)
    done.set()
    thread.join()
    server.close()
    assert res.ok, res.tail()
    assert "refused" in res.stdout_tail and "connected" not in res.stdout_tail
    assert accepted == []


def test_filesystem_is_read_only_outside_the_worktree(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"  # under /tmp: lands in the jail's private /tmp
    system = Path(sys.prefix) / f"hone-test-{uuid.uuid4().hex[:8]}"
    res = jailed(f"echo x > {outside}; echo x > {system}; echo rc=$?; echo y > made.txt; "
                 "echo z > /tmp/private; cat /tmp/private", repo)
    assert "rc=1" in res.stdout_tail and "Read-only file system" in res.stderr_tail
    assert not outside.exists() and not system.exists()
    assert (repo / "made.txt").read_text() == "y\n"  # the worktree is writable
    assert "z" in res.stdout_tail and not Path("/tmp/private").exists()


def test_protected_files_are_bound_read_only(repo: Path) -> None:
    res = jailed("echo cheat > bench.py; echo w=$?; rm -f bench.py; echo rm=$?; "
                 "mv data.txt bench.py; echo mv=$?; cat bench.py", repo,
                 readonly=("bench.py",))
    assert "w=1" in res.stdout_tail and "rm=1" in res.stdout_tail
    assert "mv=1" in res.stdout_tail
    assert (repo / "bench.py").read_text() == "print('score: 1')\n"


def test_the_user_repository_and_secrets_are_hidden(repo: Path, make_repo: MakeRepo) -> None:
    # A worktree inside the user's repository: the rest of the repository is masked.
    (repo / "secret-holdout.txt").write_text("answers\n")
    work = repo / ".hone" / "worktrees" / "slot"
    from tests.conftest import git

    git("worktree", "add", "-q", "--detach", str(work), "HEAD", cwd=repo)
    res = jailed("ls -a ..; cat ../../../secret-holdout.txt; echo rc=$?; git status", work,
                 env={**os.environ, "OPENAI_API_KEY": "sk-hidden-123"})
    assert "answers" not in res.stdout_tail and "rc=1" in res.stdout_tail
    res = jailed("echo key=${OPENAI_API_KEY:-none}; env", work,
                 env={**os.environ, "OPENAI_API_KEY": "sk-hidden-123"})
    assert "key=none" in res.stdout_tail and "sk-hidden-123" not in res.stdout_tail


def test_a_detached_grandchild_dies_with_the_timeout(repo: Path) -> None:
    marker = f"hone-test-{uuid.uuid4().hex[:8]}"
    res = jailed(f"setsid bash -c 'exec -a {marker} sleep 600' & sleep 60", repo, timeout=2)
    assert res.timed_out
    time.sleep(0.5)
    assert not _processes_named(marker)


def test_limits_stop_a_fork_bomb_and_a_huge_allocation(repo: Path) -> None:
    settings = SandboxSection(enabled=True, processes=40, memory_mb=512)
    bomb = ("import subprocess\nn = 0\ntry:\n    for _ in range(200):\n"
            "        subprocess.Popen(['sleep', '30']); n += 1\n"
            "except OSError as e:\n    print('stopped', e)\nprint(f'started={n}')\n")
    (repo / "bomb.py").write_text(bomb)
    res = jailed(f"{sys.executable} bomb.py", repo, settings, timeout=30)
    started = int(res.stdout_tail.split("started=")[1].split()[0])
    assert started < 40
    res = jailed(f"{sys.executable} -c 'bytearray(2 * 1024**3)'", repo, settings)
    assert res.returncode != 0
    # An rlimit makes the allocation fail (MemoryError); a memory cgroup kills the process.
    assert "MemoryError" in res.stderr_tail or "memory limit" in res.killed


def test_enabled_false_runs_plain(repo: Path) -> None:
    with sandbox.launch("true", repo, SandboxSection(enabled=False),
                        {"OPENAI_API_KEY": "k"}) as how:
        assert how.argv == ["true"] and how.env == {"OPENAI_API_KEY": "k"}


def _processes_named(marker: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if marker.encode() in (proc / "cmdline").read_bytes():
                    found.append(int(proc.name))
            except OSError:
                pass
    return found


def test_a_venv_inside_the_repository_stays_usable_but_the_repository_does_not(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A user's `.venv` inside the repository (or a clone under /tmp) is masked with the
    # repository; its interpreter must still run, while the rest of the repository stays hidden.
    venv = repo / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    tool = venv / "bin" / "hello-tool"
    tool.write_text("#!/bin/sh\necho tool-ran\n")
    tool.chmod(0o755)
    worktree = tmp_path / "wt"
    from tests.conftest import git

    git("worktree", "add", "-q", "--detach", str(worktree), cwd=repo)
    monkeypatch.setenv("PATH", f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}")
    assert venv.resolve() in jail_paths.toolchains((repo,), (repo,), os.environ["PATH"], ())
    res = jailed(f"hello-tool; cat {repo / 'data.txt'} || echo hidden", worktree,
                 env=dict(os.environ))
    assert "tool-ran" in res.stdout_tail
    assert "hidden" in res.stdout_tail and "42" not in res.stdout_tail


def _path_without_bwrap(tmp_path: Path) -> str:
    """A PATH with git, bash and Python but no bwrap."""
    import shutil

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("git", "bash", "sh", "python3", "prlimit", "env"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    (bin_dir / "python3").unlink(missing_ok=True)
    (bin_dir / "python3").symlink_to(sys.executable)
    return str(bin_dir)


@pytest.mark.slow
@pytest.mark.parametrize("enabled", ["true", '"auto"'])
def test_missing_bwrap_is_an_error_when_required_and_a_warning_on_auto(
        make_repo: MakeRepo, tmp_path: Path, enabled: str) -> None:
    from tests.conftest import KNOB_PROJECT, run_hone

    root = make_repo({**KNOB_PROJECT, "hone.toml": '[objective]\nrun = "python3 score.py"\n'
                      f'[sandbox]\nenabled = {enabled}\n'})
    res = run_hone("run", "--attempts", "2", cwd=root, env={"PATH": _path_without_bwrap(
        tmp_path)})
    if enabled == "true":
        assert res.returncode == 1
        assert res.stderr.startswith("hone: error: [sandbox] enabled = true, but bubblewrap")
        assert len(res.stderr.splitlines()) == 1 and "Traceback" not in res.stderr
        # The run was not left half-created: a later run starts afresh.
        assert "no run" in run_hone("status", cwd=root).stderr
    else:
        assert res.returncode == 0, res.stderr
        assert res.stderr.count("warning: bubblewrap (bwrap) is not installed") == 1
