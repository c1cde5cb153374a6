"""`hone init`: a commented hone.toml with sensible editable and protected files."""

from __future__ import annotations

import tomllib
from pathlib import Path

from hone.config.load import load_config
from hone.vcs.git import Repo
from hone.vcs.paths import PathRules
from tests.conftest import Hone, MakeRepo

PROJECT = {
    "src/fast.py": "N = 3\n",
    "src/util.py": "X = 1\n",
    "bench/run.py": "print('score: 1')\n",
    "tests/test_fast.py": "def test_x():\n    pass\n",
    "README.md": "hi\n",
}
SUITE_PATTERNS = ["test_*.py", "*_test.py", "conftest.py", "pytest.ini", ".pytest.ini",
                  "pyproject.toml", "tox.ini", "setup.cfg"]


def test_init_writes_a_commented_valid_config(make_repo: MakeRepo, hone: Hone) -> None:
    root = make_repo(PROJECT)
    res = hone("init", "--objective", "python3 bench/run.py --seed {seed}", "--score",
               "ops / seconds", "--direction", "min", "--gate", "python3 -m pytest -q tests/",
               "--goal", "Make it fast.", cwd=root)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[-1] == f"wrote {root / 'hone.toml'}"
    text = (root / "hone.toml").read_text()
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert len(comments) >= 5  # every section explains itself
    raw = tomllib.loads(text)
    assert raw["objective"] == {"run": "python3 bench/run.py --seed {seed}",
                                "score": "ops / seconds", "direction": "min",
                                "timeout": 600, "repeats": 1, "measures": "time"}
    assert "measures = 'time' (guessed from the score 'ops / seconds'" in res.stdout
    assert raw["gates"] == [{"name": "gate1", "run": "python3 -m pytest -q tests/",
                             "timeout": 600}]
    assert raw["run"]["goal"] == "Make it fast."
    # The objective's own file and the test suite are protected; nothing else.
    assert raw["files"] == {"editable": [], "protect": [
        "bench/run.py", "tests/", *SUITE_PATTERNS]}
    _, config = load_config(root)  # hone reads back what it wrote
    assert config.objective.direction == "min"


def test_default_editable_is_every_tracked_file_but_protected(make_repo: MakeRepo,
                                                              hone: Hone) -> None:
    root = make_repo(PROJECT)
    assert hone("init", "--objective", "python3 bench/run.py", "--gate", "pytest tests",
                cwd=root).returncode == 0
    _, config = load_config(root)
    rules = PathRules(config.files.editable, config.files.protect)
    repo = Repo(root)
    assert sorted(rules.editable_files(repo.tracked_files(repo.head()))) == [
        "README.md", "src/fast.py", "src/util.py"]
    assert rules.is_protected("hone.toml")  # always, even when not listed


def test_explicit_editable_and_protect_are_kept(make_repo: MakeRepo, hone: Hone) -> None:
    root = make_repo(PROJECT)
    assert hone("init", "--objective", "python3 bench/run.py", "--editable", "src/*.py",
                "--protect", "src/util.py", cwd=root).returncode == 0
    raw = tomllib.loads((root / "hone.toml").read_text())
    assert raw["files"] == {"editable": ["src/*.py"], "protect": [
        "src/util.py", "bench/run.py", "tests/", *SUITE_PATTERNS]}


def test_commands_outside_the_repo_protect_nothing(make_repo: MakeRepo, hone: Hone) -> None:
    root = make_repo(PROJECT)
    assert hone("init", "--objective", "make speed", "--gate", "/usr/bin/true",
                cwd=root).returncode == 0
    # Only the test suite it finds, nothing the commands name.
    assert tomllib.loads((root / "hone.toml").read_text())["files"]["protect"] == [
        "tests/", *SUITE_PATTERNS]


def test_init_refuses_to_overwrite_without_force(make_repo: MakeRepo, hone: Hone,
                                                 tmp_path: Path) -> None:
    root = make_repo(PROJECT)
    assert hone("init", "--objective", "python3 bench/run.py", cwd=root).returncode == 0
    first = (root / "hone.toml").read_text()
    res = hone("init", "--objective", "other", cwd=root)
    assert res.returncode == 2 and "already exists (use --force" in res.stderr
    assert (root / "hone.toml").read_text() == first
    assert hone("init", "--objective", "other", "--force", cwd=root).returncode == 0
    assert 'run = "other"' in (root / "hone.toml").read_text()


def test_init_rejects_a_bad_direction(make_repo: MakeRepo, hone: Hone) -> None:
    root = make_repo(PROJECT)
    res = hone("init", "--objective", "x", "--direction", "up", cwd=root)
    assert res.returncode == 2 and "--direction must be max or min" in res.stderr
    assert res.stderr.count("\n") == 1 and not (root / "hone.toml").exists()


def test_init_rejects_a_malformed_score_expression(make_repo: MakeRepo, hone: Hone) -> None:
    root = make_repo(PROJECT)
    res = hone("init", "--objective", "x", "--score", "v +* 2", cwd=root)
    assert res.returncode == 2, res.stderr
    assert res.stderr == "hone: error: score expression is not valid: 'v +* 2'\n"
    assert not (root / "hone.toml").exists()


def test_init_does_not_shadow_a_pyproject_config(make_repo: MakeRepo, hone: Hone) -> None:
    root = make_repo({**PROJECT, "pyproject.toml": '[tool.hone.objective]\nrun = "x"\n'})
    res = hone("init", "--objective", "y", cwd=root)
    assert res.returncode == 2, res.stderr
    assert res.stderr == (f"hone: error: {root / 'pyproject.toml'} already has [tool.hone] "
                          "(use --force to write hone.toml, which takes precedence)\n")
    assert not (root / "hone.toml").exists()
    assert hone("init", "--objective", "y", "--force", cwd=root).returncode == 0


def test_init_quotes_awkward_commands(make_repo: MakeRepo, hone: Hone) -> None:
    root = make_repo(PROJECT)
    cmd = 'bash -c "echo \\"score: 1\\"" # and a \\ backslash'
    assert hone("init", "--objective", cmd, cwd=root).returncode == 0
    assert load_config(root)[1].objective.run == cmd
