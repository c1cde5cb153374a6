"""Equivalence noise: a rename-only change is not evaluated, and on a chaotic objective (the
score moves with the source text) an equivalent change is not kept while a real gain is."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from hone.cli import main
from hone.config.load import parse_config
from hone.decide import make_decider
from hone.decide.base import Arm
from hone.decide.noise import NoiseFloor, equivalence_spread
from hone.direction import Direction
from hone.records import Measurement
from hone.verify.equivalent import same_program
from hone.verify.variants import python_variant
from tests.conftest import MakeRepo

SOURCE = '''import math


def area(r, k=2):
    # squared radius
    sq = r * r
    return math.pi * sq * k


def perimeter(r):
    total = 0
    for i in range(3):
        total += i
    return 2 * math.pi * r + total
'''


def test_same_program_up_to_names_comments_and_layout() -> None:
    renamed = (SOURCE.replace("sq", "square").replace("total", "acc")
               .replace("# squared radius", "").replace("\n\n\n", "\n"))
    assert same_program(SOURCE, renamed)
    assert same_program(SOURCE, SOURCE.replace("def area(r", "def surface(r"))
    # Not a rename: a builtin or an attribute is another function, a swap of two names
    # used apart is another program, a constant or an order is another program.
    assert not same_program(SOURCE, SOURCE.replace("range(3)", "len(3)"))
    assert not same_program(SOURCE, SOURCE.replace("math.pi", "math.e"))
    assert not same_program(SOURCE, SOURCE.replace("k=2", "k=3"))
    assert not same_program(SOURCE, SOURCE.replace("sq * k", "sq * r"))
    head, _, tail = SOURCE.partition("\n\ndef perimeter")
    assert not same_program(SOURCE, "import math\n\ndef perimeter" + tail + head[11:])
    assert not same_program(SOURCE, SOURCE + "def broken(:\n")


def test_python_variants_compute_the_same() -> None:
    seen = set()
    for index in (1, 2, 3):
        variant = python_variant(SOURCE, index)
        assert variant is not None and variant not in seen
        seen.add(variant)
        ours: dict[str, Any] = {}
        theirs: dict[str, Any] = {}
        exec(compile(SOURCE, "a", "exec"), ours)
        exec(compile(variant, "b", "exec"), theirs)
        assert theirs["area"](1.5) == ours["area"](1.5)
        assert theirs["perimeter"](2.0) == ours["perimeter"](2.0)
        assert f"sq_v{index}" in variant  # a local renamed; parameters never are


def _m(score: float) -> Measurement:
    return Measurement(0, 1, score)


def _never(arm: Arm) -> Measurement:
    raise AssertionError("not re-measured")


def test_a_deterministic_keep_needs_a_gain_beyond_the_spread() -> None:
    # A range of 3% over 3 scores estimates a width of 3% * (3 + 1) / (3 - 1)
    spread = equivalence_spread(100.0, [100.0, 103.0, 101.0])
    assert spread == pytest.approx(0.06)
    assert equivalence_spread(100.0, [100.0]) == 0.0
    floor = NoiseFloor(5, 100.0, 0.0, 0.0, True, equivalence=spread, variants=2)
    decider = make_decider(parse_config({"objective": {"run": "x"}}), floor)
    within = decider.decide([_m(105.0)], [_m(100.0)], Direction.MAX, _never)
    assert not within.keep and "+5.00% is within the equivalence spread 6.00%" in within.rule
    beyond = decider.decide([_m(106.5)], [_m(100.0)], Direction.MAX, _never)
    assert beyond.keep and beyond.rule == "deterministic: better by +6.50%"
    assert NoiseFloor.from_json(floor.to_json()) == floor


# The chaotic stand-in: `quality` is the real metric, `chaos` 0 or 3 from a hash of the source
# text, as place and route moves Fmax when a signal is renamed.
OBJECTIVE = '''import hashlib, pathlib
import model
text = pathlib.Path("model.py").read_bytes().replace(b"\\r\\n", b"\\n").strip()
print(f"quality: {model.quality()}")
print(f"chaos: {3 * (hashlib.sha256(text).digest()[0] % 2)}")
'''

MODEL = '''SALT = {salt}


def weight(x):
    scaled = x * 2
    return scaled + 1


def bias(y):
    offset = y - 1
    return offset


def quality():
    total = 0
    for k in range(10):
        total += weight(k) - bias(k)
    return total
'''


def _chaos(text: str) -> int:
    digest = hashlib.sha256(text.replace("\r\n", "\n").strip().encode()).digest()
    return 3 * (digest[0] % 2)


def _reordered(text: str) -> str:
    head, _, rest = text.partition("def weight")
    weight_def, _, tail = rest.partition("def bias")
    bias_def, _, end = tail.partition("def quality")
    return head + "def bias" + bias_def + "def weight" + weight_def + "def quality" + end


def _renamed(text: str) -> str:
    return text.replace("scaled", "doubled").replace("offset", "shifted")


def _model() -> str:
    """A model whose baseline scores chaos 0, whose renamed and reordered versions score chaos
    3 (a +4% "gain" by chance), and one of whose 6 equivalent variants scores chaos 3."""
    for salt in range(200):
        text = MODEL.format(salt=salt)
        variants = [python_variant(text, i) or "" for i in range(1, 7)]
        if (_chaos(text) == 0 and _chaos(_renamed(text)) == 3 == _chaos(_reordered(text))
                and any(_chaos(v) == 3 for v in variants)):
            return text
    raise AssertionError("no salt gives the chaos the test needs")


def _hone(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> dict[str, Any]:
    assert main([*args, "-C", str(root)]) == 0
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return out


def _try(capsys: pytest.CaptureFixture[str], root: Path, text: str, why: str) -> dict[str, Any]:
    asked = _hone(capsys, root, "ask", "--json", "--parent", "0")
    (Path(asked["workdir"]) / "model.py").write_text(text)
    return _hone(capsys, root, "tell", str(asked["id"]), "--hypothesis", why, "--json")


def _repo(make_repo: MakeRepo, model: str, name: str, acceptance: str) -> Path:
    config = ('[objective]\nrun = "python3 objective.py"\nscore = "quality + chaos"\n'
              '[files]\neditable = ["model.py"]\nprotect = ["objective.py", "hone.toml"]\n'
              f"[acceptance]\n{acceptance}\n")
    return make_repo({"model.py": model, "objective.py": OBJECTIVE, "hone.toml": config}, name)


def test_equivalent_changes_are_not_kept_on_a_chaotic_objective(
        make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]) -> None:
    model = _model()
    # The control: without equivalence noise, chance keeps the reordered definitions (+4.62%);
    # the rename (chaos 3 too, see `_model`) would be kept likewise if it were evaluated.
    bare = _repo(make_repo, model, "bare", "variants = 0")
    told = _try(capsys, bare, _reordered(model), "reorder")
    assert told["status"] == "kept", told

    root = _repo(make_repo, model, "guarded", "variants = 6")
    renamed = _try(capsys, root, _renamed(model), "rename two locals")
    assert renamed["status"] == "duplicate" and renamed["reason"].startswith("rename-only"), \
        renamed
    reordered = _try(capsys, root, _reordered(model), "define bias before weight")
    assert reordered["status"] == "discarded", reordered
    # baseline and 6 variants: chaos 0 or 3, a range of 3 / 65 scaled by (7 + 1) / (7 - 1)
    assert "+4.62% is within the equivalence spread 6.15%" in reordered["reason"], reordered
    better = _try(capsys, root, model.replace("x * 2", "x * 3"), "weigh more")
    assert better["status"] == "kept", better
    noise = _hone(capsys, root, "status", "--json")["noise"]
    # 6 variants of the baseline, then 2 of the new champion (whose spread, at most
    # 3 / 110 * 2, does not lower the baseline's)
    assert noise["variants"] == 6 + 2 and noise["equivalence"] == pytest.approx(3 / 65 * 8 / 6)
    brief = Path(_hone(capsys, root, "ask", "--json")["brief"]).read_text()
    assert "score up to 6.15% apart on this objective" in brief


# The hook, for code hone cannot rewrite itself: a netlist-like text whose signal names the
# hook suffixes, and the same chaos from a hash of its text.
HOOK = '''import pathlib, sys
path = pathlib.Path("design.txt")
path.write_text(path.read_text().replace("wire_a", f"wire_a_v{sys.argv[1]}"))
'''
TEXT_OBJECTIVE = OBJECTIVE.replace("import model\n", "").replace("model.py", "design.txt") \
    .replace("model.quality()", "text.count(b'wire')")


def _design() -> str:
    """A design whose baseline scores chaos 0, whose renamed signal scores chaos 3, and one of
    whose 3 hook variants scores chaos 3."""
    for salt in range(200):
        text = f"# salt {salt}\nwire_a = in\nwire_b = wire_a\n"
        variants = [text.replace("wire_a", f"wire_a_v{i}") for i in range(1, 4)]
        if (_chaos(text) == 0 and _chaos(text.replace("wire_b", "wire_c")) == 3
                and any(_chaos(v) == 3 for v in variants)):
            return text
    raise AssertionError("no salt gives the chaos the test needs")


def test_the_equivalent_hook_sets_the_margin_for_other_languages(
        make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]) -> None:
    design = _design()
    config = ('[objective]\nrun = "python3 objective.py"\nscore = "quality + chaos"\n'
              'equivalent = "python3 hook.py {variant}"\n'
              '[files]\neditable = ["design.txt"]\n'
              'protect = ["objective.py", "hook.py", "hone.toml"]\n'
              "[acceptance]\nvariants = 3\n")
    root = make_repo({"design.txt": design, "objective.py": TEXT_OBJECTIVE, "hook.py": HOOK,
                      "hone.toml": config})
    asked = _hone(capsys, root, "ask", "--json")
    workdir = Path(asked["workdir"])
    (workdir / "design.txt").write_text(design.replace("wire_b", "wire_c"))
    told = _hone(capsys, root, "tell", str(asked["id"]), "--hypothesis", "rename", "--json")
    assert told["status"] == "discarded" and "within the equivalence spread" in told["reason"]
    noise = _hone(capsys, root, "status", "--json")["noise"]
    assert noise["variants"] == 3 and noise["equivalence"] > 0
