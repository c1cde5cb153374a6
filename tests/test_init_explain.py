"""`hone init` that explains (issues 15 and 18): it protects what the objective and the gates
really open, the data their scripts read and the test suite, says why for each, keeps a file
the user names editable, and writes every section of the config. In-process."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from hone.cli import main
from hone.config.load import load_config
from hone.config.model import Config
from hone.init import plan_files
from hone.init.commands import named_paths, simple_commands
from hone.init.reads import data_read_by
from hone.vcs.git import Repo
from hone.vcs.paths import PathRules
from tests.conftest import MakeRepo

BENCH = ('import json\nfrom pathlib import Path\nfrom mistune.core import render\n'
         'text = open("data/inputs.txt").read()\ncases = Path("fixtures") / "cases.txt"\n'
         'print(json.dumps({"score": len(render(text))}))\n')
SRC_LAYOUT = {
    "src/mistune/__init__.py": "",
    "src/mistune/core.py": "def render(text):\n    return text\n",
    "tests/test_core.py": "def test_render():\n    assert True\n",
    "bench.py": BENCH,
    "data/inputs.txt": "# hello\n",
    "fixtures/cases.txt": "a\n",
    "pyproject.toml": "[project]\nname = 'mistune'\n",
    "README.md": "hi\n",
}
GATE = "PYTHONPATH=src python3 -m pytest -q"


def hone(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `hone ARGS` in this process: exit code, stdout, stderr."""
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def files_of(root: Path) -> tuple[list[str], list[str]]:
    """(the protect list hone.toml holds, the tracked files its rules leave editable)"""
    _, config = load_config(root)
    repo = Repo(root)
    rules = PathRules(config.files.editable, config.files.protect)
    return config.files.protect, rules.editable_files(repo.tracked_files(repo.head()))


def test_src_layout_with_pythonpath_in_the_gate(make_repo: MakeRepo,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(SRC_LAYOUT)
    code, out, err = hone(capsys, "init", "--objective", "PYTHONPATH=src python3 bench.py",
                          "--gate", GATE, "--editable", "src/mistune/**", "-C", str(root))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == ("editable src/mistune/** (you asked: src/mistune/__init__.py, "
                        "src/mistune/core.py)")
    assert "protect bench.py (the objective runs it)" in lines
    assert ("protect data/inputs.txt, fixtures/ (the objective reads it: bench.py names it)"
            in lines)
    assert "protect tests/ (the test suite: pytest finds tests here)" in lines
    assert any(line.startswith("protect conftest.py (pytest's hooks") for line in lines)
    assert any(line.startswith("protect pytest.ini, .pytest.ini, pyproject.toml, tox.ini, "
                               "setup.cfg (pytest reads its options") for line in lines)
    assert lines[-1] == f"wrote {root / 'hone.toml'}"
    protect, editable = files_of(root)
    assert not any(p.startswith("src") for p in protect)  # PYTHONPATH=src is no path
    assert editable == ["src/mistune/__init__.py", "src/mistune/core.py"]


def test_a_file_named_with_editable_stays_editable_with_a_warning(
        make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo({"evaluate.py": "import sys\nprint('score: 1')\n",
                      "packing.py": "R = 1\n"})
    objective = "python3 evaluate.py packing.py"
    code, out, err = hone(capsys, "init", "--objective", objective, "--gate",
                          "python3 -m py_compile packing.py", "--editable", "packing.py",
                          "-C", str(root))
    assert code == 0, err
    assert ("warning: packing.py stays editable as you asked (--editable packing.py), "
            "although the objective names it") in out.splitlines()
    assert files_of(root) == (["evaluate.py"], ["packing.py"])
    # Not named by the user: the objective's argument is protected, and init says why.
    code, out, _ = hone(capsys, "init", "--force", "--objective", objective, "-C", str(root))
    assert code == 2  # nothing would be left editable
    code, out, _ = hone(capsys, "init", "--force", "--objective", "python3 evaluate.py",
                        "-C", str(root))
    assert code == 0 and "protect evaluate.py (the objective runs it)" in out


def test_tests_stay_protected_under_a_broad_editable_unless_named(
        make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(SRC_LAYOUT)
    args = ("init", "--objective", "python3 bench.py", "--gate", GATE, "-C", str(root))
    code, out, err = hone(capsys, *args, "--editable", "**/*.py")
    assert code == 0, err
    assert ("note: tests/ stays protected (the test suite: pytest finds tests here) although "
            "--editable matches tests/test_core.py; name a file itself with --editable to "
            "make it editable") in out
    assert "tests/test_core.py" not in files_of(root)[1]
    code, out, err = hone(capsys, *args, "--force", "--editable", "src/**",
                          "--editable", "tests/test_core.py")
    assert code == 0, err
    assert "warning: tests/test_core.py stays editable as you asked" in out
    assert "not protected: tests/test_core.py (you named it with --editable" in out
    assert "tests/test_core.py" in files_of(root)[1]


def test_every_section_is_written_and_parses(make_repo: MakeRepo,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(SRC_LAYOUT)
    assert hone(capsys, "init", "--objective", "python3 bench.py", "-C", str(root))[0] == 0
    text = (root / "hone.toml").read_text()
    for section, field in Config.model_fields.items():
        header = "[[gates]]" if section == "gates" else f"[{section}]"
        assert header in text, section
        model = getattr(field.annotation, "model_fields", None)
        for key in model or {}:
            assert f"{key} = " in text, f"{section}.{key}"
    raw = tomllib.loads(text)
    # A section init set nothing in is commented whole, so that appending it later never
    # defines it twice; uncommenting its header and a key turns it on.
    assert {"run", "objective", "files", "mutator"} <= raw.keys()
    assert "# [budget]\n" in text and "budget" not in raw
    _, config = load_config(root)  # hone reads back what it wrote
    assert config.acceptance == Config.model_fields["acceptance"].default
    (root / "hone.toml").write_text(text.replace("# [budget]\n", "[budget]\n").replace(
        "# attempts = 100", "attempts = 7"))
    assert load_config(root)[1].budget.attempts == 7
    (root / "hone.toml").write_text(text + "\n[notify]\ncommand = \"true\"\n")  # appended
    assert load_config(root)[1].notify.command == "true"


def test_what_a_command_opens() -> None:
    tracked = ["bench.py", "src/pkg/a.py", "tests/test_a.py", "Makefile", "mod/__main__.py"]
    assert simple_commands("A=1 B=2 python3 x.py && env C=3 make -s all | tee log") == [
        ["python3", "x.py"], ["make", "-s", "all"], ["tee", "log"]]
    assert [n.path for n in named_paths(
        "PYTHONPATH=src python3 -m pytest -q tests", tracked)] == ["tests/"]
    assert [(n.path, n.runs) for n in named_paths("python3 ./bench.py --in=src/pkg/a.py",
                                                  tracked)] == [("bench.py", True),
                                                                ("src/pkg/a.py", False)]
    assert [n.path for n in named_paths("python3 -m mod; make lint", tracked)] == [
        "mod/__main__.py", "Makefile"]
    assert named_paths("python3 -c 'open(\"bench.py\")'", tracked) == []
    assert named_paths("echo srcbench.py src2 'unbalanced", tracked) == []


def test_data_a_script_reads(tmp_path: Path) -> None:
    (tmp_path / "bench.py").write_text(
        'import sys\nsys.path.insert(0, "src")\nrows = open("data/in.csv")\n'
        'run("solver.py")\nimport os\nos.path.join("data", "more")\n')
    tracked = ["bench.py", "src/a.py", "data/in.csv", "data/more/b.csv", "solver.py"]
    # Data files and data folders; never code (solver.py, src/ is the candidate).
    assert data_read_by(tmp_path, "bench.py", tracked) == ["data/in.csv", "data/"]
    (tmp_path / "broken.py").write_text("def (:\n")
    assert data_read_by(tmp_path, "broken.py", tracked) == []


def test_tests_of_another_language_protect_their_folder_only(tmp_path: Path) -> None:
    tracked = ["src/lib.rs", "tests/parse.rs", "bench.sh"]
    plan = plan_files(tmp_path, tracked, "sh bench.sh", ["cargo test"])
    assert plan.protect == ["bench.sh", "tests/"]
