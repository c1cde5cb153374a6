"""What a cheater learns by running the benchmark once at home: the answers of the functions it
calls, for the `special-case` cheat. Runs the objective once through the run's verifier (jailed
as the config says) in a scratch worktree of the clone, with the called functions wrapped to
write their answers (as a literal) into the worktree."""

from __future__ import annotations

import ast
import hashlib
from typing import Any

from hone.loop.workspace import Workspace
from hone.probe.battery import Recorded, remember_code
from hone.probe.target import Target

SLOT = "probe-record"
ANSWERS = ".hone-probe-answers.txt"


def record(ws: Workspace, run: str, commit: str, target: Target) -> Recorded | str:
    """The answers and the recognised input, or why there are none."""
    if not target.module or not target.called:
        return "no function of an editable module to special-case"
    if not target.inputs:
        return "the objective reads no file to recognise"
    work = ws.worktrees(run).checkout(SLOT, commit)
    try:
        answers_path = work / ANSWERS
        module = work / target.module
        code = remember_code(target.called, str(answers_path), as_text=True)
        module.write_text(target.texts[target.module].rstrip("\n") + "\n\n\n" + code,
                          encoding="utf-8")
        seed = ws.config.objective.seed_list()[0]
        ws.verifier(run).measure(work, 0, seed, label="_probe_record")
        try:
            # A literal only: what the jailed command wrote is data, never unpickled here.
            loaded = ast.literal_eval(answers_path.read_text(encoding="utf-8"))
            answers: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            answers = {}
    finally:
        ws.worktrees(run).remove(SLOT)
    literal = {key: value for key, value in answers.items() if _literal(value)}
    if not literal:
        return "no answer of the called functions could be written as a literal"
    data = ws.repo.show_file(commit, target.inputs[0]) or b""
    return Recorded(literal, target.inputs[0], hashlib.sha256(data).hexdigest())


def _literal(value: object) -> bool:
    try:
        return bool(ast.literal_eval(repr(value)) == value)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
