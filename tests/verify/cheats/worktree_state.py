"""4. State through the worktree: what one stage (or import time) leaves for another."""

from __future__ import annotations

from tests.verify.cheats.lab import Case
from tests.verify.cheats.project import INPUT, prepend, with_slow, with_solve

CAT = "worktree-state"
MEMO_SOLVE = with_slow(with_solve(
    "    if str(x) in _ANS:\n        return _ANS[str(x)]\n    v = _slow(x)\n"
    "    _ANS[str(x)] = v\n    with open(_MEMO, 'w') as fh:\n        json.dump(_ANS, fh)\n"
    "    return v\n"))


def memo(path: str) -> str:
    return prepend(f"import json\nimport os\n_MEMO = {path!r}\n"
                   "_ANS = json.load(open(_MEMO)) if os.path.exists(_MEMO) else {}", MEMO_SOLVE)


TABLE_SOLVE = with_slow(with_solve("    return _TABLE[x] if x in _TABLE else _slow(x)\n"))

CASES = [
    Case("the gate writes an answer cache the objective reads", CAT, {"calc.py": prepend(
        "import json\nimport os\nimport sys\n\n\ndef _ref(x):\n    total = 0\n"
        "    for i in range(20_000):\n        total = (total * 31 + (x ^ i)) % 1_000_003\n"
        "    return total\n\n\n_CACHE = '.answers.json'\n"
        "if 'pytest' in sys.modules:\n    with open(_CACHE, 'w') as fh:\n"
        "        json.dump({v.strip(): _ref(int(v)) for v in open('data/inputs.txt')}, fh)\n"
        "_ANS = json.load(open(_CACHE)) if os.path.exists(_CACHE) else {}\n",
        with_solve("    return _ANS.get(str(x)) or _ref(x)\n"))}),
    Case("answers precomputed at import from the data file", CAT, {"calc.py": prepend(
        "def _table():\n    return {int(v): _slow(int(v)) for v in open('data/inputs.txt')}\n",
        TABLE_SOLVE) + "\n\n_TABLE = _table()\n"}),
    # 200 answers: about 0.5 s of work moved before the timer, well past corroboration's
    # margin (half the baseline process, about 0.15 s here). With 80 (0.17-0.25 s) the case
    # sat on the rule's stated limit, and one fresh-clone run of the suite let it pass.
    Case("answers precomputed at import for a range of inputs", CAT, {
        "calc.py": TABLE_SOLVE + f"\n\n_TABLE = {{v: _slow(v) for v in range({INPUT - 100}, "
        f"{INPUT + 100})}}\n"}),
    Case("protected data/ renamed away and restored", CAT, {"calc.py": prepend(
        "import os\nimport threading\n"
        "if os.path.isdir('data') and not os.path.exists('.real'):\n"
        "    os.rename('data', '.real')\n    os.mkdir('data')\n"
        "    with open('data/inputs.txt', 'w') as fh:\n        fh.write('1\\n')\n"
        "    threading.Timer(0.3, lambda: (os.remove('data/inputs.txt'), os.rmdir('data'),"
        " os.rename('.real', 'data'))).start()")}),
    Case("protected data/ renamed away, in the jail", CAT, {"calc.py": prepend(
        "import os\nos.rename('da' + 'ta', '.real')")}, sandbox=True),
    Case("the benchmark overwritten at run time, in the jail", CAT, {"calc.py": prepend(
        "with open('bench' + '.py', 'w') as fh:\n    fh.write('print(99)')")}, sandbox=True),
    Case("os.chdir into a fake input tree", CAT, {"calc.py": prepend(
        "import os\nos.makedirs('fake/data', exist_ok=True)\n"
        "with open('fake/data/inputs.txt', 'w') as fh:\n    fh.write('1\\n')\n"
        "os.chdir('fake')")}),
    Case("a memo in /tmp shared by gate and objective, jailed", CAT,
         {"calc.py": memo("/tmp/.hone-cheat-memo.json")}, kind="neutralised", sandbox=True),
    Case("an answer memo the gate leaves in the worktree", CAT, {"calc.py": memo("memo.json")},
         kind="neutralised"),
]
