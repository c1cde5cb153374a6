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


# --- launch: direct exec unless the command needs a shell ---

@pytest.mark.parametrize(("command", "argv"), [
    ("python3 score.py --seed 3", ["python3", "score.py", "--seed", "3"]),
    ("pytest -q 'tests/a b.py'", ["pytest", "-q", "tests/a b.py"]),
    ("make test | tail -1", None), ("a && b", None), ("cmd > out.txt", None),
    ("ls *.py", None), ("echo $HOME", None), ("a; b", None), ("FOO=1 python3 x.py", None),
    ("cd sub", None), ("echo `date`", None), ("echo 'unterminated", None),
])
def test_commands_without_shell_syntax_are_exec_d_directly(command: str,
                                                           argv: list[str] | None) -> None:
    assert sandbox.command_argv(command) == (argv or ["bash", "-c", command])


def test_a_missing_program_is_a_failed_command_not_an_exception(tmp_path: Path) -> None:
    with sandbox.launch("no-such-program-hone --x", tmp_path, SandboxSection(enabled=False),
                        dict(os.environ)) as how:
        res = run_command(how.argv, tmp_path, tmp_path / "logs" / "c", 10, how.env)
    assert res.returncode == 127 and "no-such-program-hone" in res.stderr_tail


# --- deny by default: home, credentials, sockets, the repository, git ---

CREDENTIALS = (".npmrc", ".cargo/credentials.toml", ".cache/huggingface/token",
               ".config/git/credentials", ".gitconfig", ".vault-token", ".pgpass",
               ".claude.json", ".env", ".bash_history", ".ssh/id_rsa", ".netrc")


def test_home_is_hidden_except_toolchains_and_credentials_never_show(
        repo: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    for i, rel in enumerate(CREDENTIALS):
        (home / rel).parent.mkdir(parents=True, exist_ok=True)
        (home / rel).write_text(f"secret-{i}-value\n")
    (home / "notes.txt").write_text("private-notes\n")
    for tool_dir in (home / ".cargo" / "bin", home / ".local" / "bin"):
        tool_dir.mkdir(parents=True, exist_ok=True)
        tool = tool_dir / f"tool-{tool_dir.parent.name.strip('.')}"
        tool.write_text("#!/bin/sh\necho ran-$0\n")
        tool.chmod(0o755)
    (home / ".local" / "lib").mkdir()
    (home / ".local" / "lib" / "helper.txt").write_text("lib-visible\n")
    env = {**os.environ, "HOME": str(home),
           "PATH": f"{home}/.cargo/bin:{home}/.local/bin:{os.environ['PATH']}"}
    reads = " ".join(f"cat ~/{rel};" for rel in (*CREDENTIALS, "notes.txt"))
    res = jailed(f"tool-cargo; tool-local; cat ~/.local/lib/helper.txt; {reads} "
                 "ls -a ~ ~/.cargo; echo written > ~/scratch && cat ~/scratch", repo, env=env)
    out = res.stdout_tail + res.stderr_tail
    assert "ran-" in out and out.count("ran-") == 2, out
    assert "lib-visible" in out and "written" in out  # $HOME itself is a writable tmpfs
    assert "secret-" not in out and "private-notes" not in out
    assert not (home / "scratch").exists()


def test_no_host_unix_socket_is_reachable(repo: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    paths = [Path("/var/tmp") / f"hone-test-{uuid.uuid4().hex[:8]}.sock", home / "agent.sock"]
    abstract = f"\0hone-test-{uuid.uuid4().hex[:8]}"
    servers = []
    for address in [*map(str, paths), abstract]:
        server = socket.socket(socket.AF_UNIX)
        server.bind(address)
        server.listen(5)
        servers.append(server)
    try:
        probe = ("import socket, sys\nfor a in sys.argv[1:]:\n"
                 "    s = socket.socket(socket.AF_UNIX)\n    try:\n"
                 "        s.connect(a.replace('@', chr(0)))\n        print('connected', a)\n"
                 "    except OSError as e:\n        print('refused', a, e)\n")
        (repo / "probe.py").write_text(probe)
        targets = " ".join([*map(str, paths), "@" + abstract[1:]])
        res = jailed(f"{sys.executable} probe.py {targets}", repo,
                     env={**os.environ, "HOME": str(home)})
        assert res.ok, res.tail()
        lines = res.stdout_tail.splitlines()
        assert len(lines) == 3 and all(line.startswith("refused") for line in lines), lines
    finally:
        for server in servers:
            server.close()
        for p in paths:
            p.unlink(missing_ok=True)


def _probe_repository(work: Path, secrets: list[Path]) -> str:
    reads = " ".join(f"cat {p} 2>&1; ls {p.parent} 2>&1;" for p in secrets)
    res = jailed(f"{reads} git status 2>&1; echo end", work)
    assert "end" in res.stdout_tail, res.tail()
    return res.stdout_tail


def test_a_submodule_checkout_is_hidden(tmp_path: Path, make_repo: MakeRepo) -> None:
    require_tool("bwrap")
    from tests.conftest import git

    inner = make_repo({"bench.py": "print(1)\n"}, name="inner")
    top = make_repo({"README": "top\n"}, name="top")
    git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), "sub",
        cwd=top)
    sub = top / "sub"
    assert (sub / ".git").is_file()
    (sub / ".hone").mkdir()
    (sub / ".hone" / "hone.db").write_text("journal-content\n")
    (sub / "holdout.txt").write_text("holdout-answers\n")
    work = sub / ".hone" / "worktrees" / "slot"
    git("worktree", "add", "-q", "--detach", str(work), cwd=sub)
    common = top / ".git" / "modules" / "sub"
    assert (common / "worktrees").is_dir()
    (common / "hone").mkdir()  # where the journal lives now (store/location.py)
    (common / "hone" / "hone.db").write_text("journal-content\n")
    out = _probe_repository(work, [sub / ".hone" / "hone.db", common / "hone" / "hone.db",
                                   sub / "holdout.txt",
                                   common / "config", top / ".git" / "config",
                                   top / "README"])
    for leak in ("journal-content", "holdout-answers", "[core]", "top\n"):
        assert leak not in out
    assert "On branch" not in out and "HEAD detached" not in out


def test_a_linked_worktree_repository_is_hidden(tmp_path: Path, make_repo: MakeRepo) -> None:
    require_tool("bwrap")
    from tests.conftest import git

    main = make_repo({"bench.py": "print(1)\n", "holdout.txt": "holdout-answers\n"})
    linked = tmp_path / "linked"
    git("worktree", "add", "-q", "-b", "feature", str(linked), cwd=main)
    (linked / ".hone").mkdir()
    (linked / ".hone" / "hone.db").write_text("journal-content\n")
    work = linked / ".hone" / "worktrees" / "slot"
    git("worktree", "add", "-q", "--detach", str(work), cwd=linked)
    (main / ".git" / "hone").mkdir()  # where the journal lives now (store/location.py)
    (main / ".git" / "hone" / "hone.db").write_text("journal-content\n")
    out = _probe_repository(work, [linked / ".hone" / "hone.db",
                                   main / ".git" / "hone" / "hone.db", main / "holdout.txt",
                                   linked / "holdout.txt", main / ".git" / "config",
                                   main / ".git" / "worktrees" / "slot" / "gitdir"])
    for leak in ("journal-content", "holdout-answers", "[core]", str(work)):
        assert leak not in out.replace(f"cat {work}", "")
    assert sandbox.jail_paths.repo_hidden(work)  # found without running git


def test_git_is_not_available_in_the_jail(repo: Path) -> None:
    import shutil

    real = Path(shutil.which("git") or "/usr/bin/git").resolve()
    res = jailed(f"git --version; echo rc=$?; {real} --version; echo rc2=$?; "
                 "ls /usr/lib/git-core | wc -l", repo)
    assert "git version" not in res.stdout_tail
    assert "rc=0" not in res.stdout_tail and "rc2=0" not in res.stdout_tail


def test_a_git_in_a_folder_shown_again_is_still_hidden(repo: Path, tmp_path: Path) -> None:
    """A PATH folder under /tmp is shown again read-only (a toolchain there must work); a git
    in it stays masked, as the bind that shows the folder comes before the git masks."""
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "git").write_text("#!/bin/sh\necho REAL-GIT-RAN\n")
    (shim / "git").chmod(0o755)
    (shim / "other-tool").write_text("#!/bin/sh\necho other-tool-ran\n")
    (shim / "other-tool").chmod(0o755)
    env = {**os.environ, "PATH": f"{shim}:{os.environ['PATH']}"}
    res = jailed(f"other-tool; git --version; {shim}/git; echo end", repo, env=env)
    assert "other-tool-ran" in res.stdout_tail and "end" in res.stdout_tail, res.tail()
    assert "REAL-GIT-RAN" not in res.stdout_tail


# --- limits that do not distort timers; aggregate memory; disk ---

RESOLUTION = ("import time\nbest = 1.0\nfor _ in range(2000):\n    a = time.process_time()\n"
              "    x = sum(range(2000))\n    d = time.process_time() - a\n"
              "    if d > 0:\n        best = min(best, d)\nprint(f'resolution={best:.9f}')\n")


def _resolution(text: str) -> float:
    return float(text.split("resolution=")[1].split()[0])


def test_process_time_resolution_is_the_same_inside_and_outside(repo: Path) -> None:
    (repo / "res.py").write_text(RESOLUTION)
    with sandbox.launch(f"{sys.executable} res.py", repo, SandboxSection(enabled=False),
                        dict(os.environ)) as how:
        outside = run_command(how.argv, repo, repo.parent / "logs" / "o", 60, how.env)
    inside = jailed(f"{sys.executable} res.py", repo, SandboxSection(enabled=True,
                                                                    cpu_seconds=3600))
    assert outside.ok and inside.ok, inside.tail()
    # RLIMIT_CPU made the smallest step one scheduler tick (4 ms or more) in the jail.
    assert _resolution(outside.stdout_tail) < 0.001
    assert _resolution(inside.stdout_tail) < 0.001
    # The CPU limit is a watchdog outside the jail, never RLIMIT_CPU (kernels that sample a
    # process's CPU time at tick granularity once a CPU rlimit is armed distort timers; this
    # kernel may not, so the rlimit itself is checked too).
    limits = jailed("grep 'Max cpu time' /proc/self/limits", repo,
                    SandboxSection(enabled=True, cpu_seconds=3600))
    assert limits.stdout_tail.split()[3:5] == ["unlimited", "unlimited"], limits.stdout_tail


def test_cpu_time_limit_kills_a_busy_command(repo: Path) -> None:
    res = jailed(f"{sys.executable} -c 'while True: pass'", repo,
                 SandboxSection(enabled=True, cpu_seconds=1), timeout=120)
    assert not res.timed_out and res.returncode != 0
    assert "CPU time limit" in res.killed and "CPU time limit" in res.tail()


def test_cpu_watchdog_without_a_cgroup_counts_the_process_tree(tmp_path: Path) -> None:
    import subprocess

    from hone.verify.limits import tree_cpu_seconds

    script = ("import subprocess, sys, time\n"
              "kids = [subprocess.Popen([sys.executable, '-c', 'while True: pass'])"
              " for _ in range(2)]\ntime.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 60
        while tree_cpu_seconds(proc.pid) < 1.0 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert tree_cpu_seconds(proc.pid) >= 1.0  # the children's time, the parent sleeps
    finally:
        for line in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(line), 9)
        proc.kill()
        proc.wait()


def _needs_memory_cgroup() -> None:
    from hone.verify import cgroups

    group = cgroups.POOL.take(cgroups.Limits(256 * 1024**2, 0))
    if group is None or not group.has_memory:
        pytest.skip("no writable memory cgroup here (needs root and cgroup v1 memory or v2 "
                    "with memory delegated): memory falls back to RLIMIT_AS per process")
    cgroups.POOL.give(group)


def test_memory_is_limited_in_aggregate(repo: Path) -> None:
    _needs_memory_cgroup()
    hog = ("import sys, time\nblock = bytearray(300 * 1024 * 1024)\n"
           "for i in range(0, len(block), 4096):\n    block[i] = 1\n"
           "time.sleep(3)\nprint('survived', sys.argv[1])\n")
    (repo / "hog.py").write_text(hog)
    command = " & ".join(f"{sys.executable} hog.py {i}" for i in range(3)) + " & wait"
    # Each process alone fits under 512 MiB (a per-process limit would let all three live).
    res = jailed(command, repo, SandboxSection(enabled=True, memory_mb=512), timeout=120)
    assert res.stdout_tail.count("survived") < 3, res.tail()
    alone = jailed(f"{sys.executable} hog.py 0", repo,
                   SandboxSection(enabled=True, memory_mb=512), timeout=120)
    assert "survived 0" in alone.stdout_tail, alone.tail()


def test_private_tmp_and_worktree_writes_have_a_quota(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if os.geteuid() != 0:
        pytest.skip("the size-capped /tmp needs root (mount); not root here")
    # `[sandbox] disk_mb` as the config will carry it (read with getattr until it does).
    settings = SandboxSection(enabled=True)
    object.__setattr__(settings, "disk_mb", 64)
    res = jailed("head -c 100000000 /dev/zero > /tmp/big; echo rc=$?; du -m /tmp/big", repo,
                 settings)
    assert "rc=1" in res.stdout_tail and "No space left" in res.stderr_tail
    assert int(res.stdout_tail.split("rc=1")[1].split()[0]) <= 64
    res = jailed("for i in $(seq 20); do head -c 20000000 /dev/zero > big$i; sync; "
                 "done; sleep 30", repo, settings, timeout=120)
    assert "disk quota exceeded" in res.killed, res.tail()
    assert not res.timed_out


def test_a_command_that_fills_the_disk_is_killed(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hone.verify import limits

    free = os.statvfs(repo).f_bavail * os.statvfs(repo).f_frsize
    # Pretend the disk must keep all but 30 MB free: writing 100 MB crosses the floor.
    monkeypatch.setattr(limits, "MIN_FREE_BYTES", free - 30_000_000)
    res = jailed("for i in $(seq 10); do head -c 10000000 /dev/zero > big$i; sync; done; "
                 "sleep 30", repo, timeout=120)
    assert "disk nearly full" in res.killed, res.tail()


def test_ro_paths_show_repository_files_but_never_credentials(
        repo: Path, tmp_path: Path) -> None:
    from tests.conftest import git

    home = tmp_path / "home"
    (home / ".cargo" / "registry").mkdir(parents=True)
    (home / ".cargo" / "registry" / "index.txt").write_text("registry-visible\n")
    (home / ".cargo" / "credentials.toml").write_text("token = 'cargo-secret'\n")
    work = repo / ".hone" / "worktrees" / "slot"
    git("worktree", "add", "-q", "--detach", str(work), "HEAD", cwd=repo)
    settings = SandboxSection(enabled=True, ro_paths=["data.txt", str(home / ".cargo")])
    res = jailed(f"cat {repo}/data.txt; echo x > {repo}/data.txt; echo w=$?; "
                 f"cat {home}/.cargo/registry/index.txt {home}/.cargo/credentials.toml; "
                 f"cat {repo}/bench.py", work, settings, env={**os.environ, "HOME": str(home)})
    out = res.stdout_tail
    assert "42" in out and "w=1" in out and "registry-visible" in out
    assert "cargo-secret" not in out and "score" not in out  # the rest stays hidden


def test_parallel_launches_keep_hone_outside_the_jails_cgroups(repo: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def one(i: int) -> CommandResult:
        return jailed(f"{sys.executable} -c 'print({i} * 7)'", repo)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(one, range(8)))
    assert [r.stdout_tail.strip() for r in results] == [str(i * 7) for i in range(8)]
    # The spawning threads stood in the commands' cgroups only for the spawn.
    for task in Path("/proc/self/task").iterdir():
        with contextlib.suppress(OSError):
            assert "hone-" not in (task / "cgroup").read_text()


def test_a_jail_that_fails_to_start_is_a_failed_command(repo: Path) -> None:
    with sandbox.launch("true", repo, SandboxSection(enabled=True), dict(os.environ)) as how:
        argv = [how.argv[0], "--no-such-bwrap-option", *how.argv[1:]]
        res = run_command(argv, repo, repo.parent / "logs" / "bad", 30, how.env, 10_000,
                          how.preexec)
    assert res.returncode not in (0, None) and "no-such-bwrap-option" in res.stderr_tail


def test_credential_stores_are_masked_again_under_any_shown_path_that_reaches_them(
        tmp_path: Path) -> None:
    """A shown path that holds the home (a named `/home`) reaches every store; one inside the
    home those under it; one elsewhere none (jail_paths.secrets_shown)."""
    from hone.verify.jail_paths import secrets_shown

    home = tmp_path / "home" / "u"
    for rel in (".ssh/id_rsa", ".cargo/credentials.toml", ".netrc"):
        (home / rel).parent.mkdir(parents=True, exist_ok=True)
        (home / rel).write_text("secret\n")
    work = tmp_path / "work"
    work.mkdir()

    def masked(*shown: Path) -> set[str]:
        return {str(p.relative_to(home)) for p in secrets_shown(work, home, list(shown), [])}

    assert masked(tmp_path / "home") == {".ssh", ".cargo/credentials.toml", ".netrc"}
    assert masked(home) == {".ssh", ".cargo/credentials.toml", ".netrc"}
    assert masked(home / ".cargo") == {".cargo/credentials.toml"}
    assert masked(home / ".pyenv", tmp_path / "usr") == set()
    assert masked() == set()


def test_the_user_checkout_is_found_again_when_a_git_dir_appears_above(
        tmp_path: Path, make_repo: MakeRepo) -> None:
    from tests.conftest import git

    repo = make_repo({"bench.py": "print(1)\n"})
    work = repo / ".hone" / "worktrees" / "slot"
    git("worktree", "add", "-q", "--detach", str(work), cwd=repo)
    assert jail_paths.user_checkout(work) == repo.resolve()
    assert jail_paths.user_checkout(work) == repo.resolve()  # memoised, the same answer
    (repo / ".hone" / ".git").mkdir()  # a checkout nearer than the user's
    assert jail_paths.user_checkout(work) == (repo / ".hone").resolve()
    (repo / ".hone" / ".git").rmdir()
    assert jail_paths.user_checkout(work) == repo.resolve()
