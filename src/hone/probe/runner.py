"""Run the battery through hone's own ask/tell path, in a throwaway clone of the repository.

The clone shares the user's objects (`git clone --shared`, which writes nothing into the
original) and has its own journal, refs and worktrees, so the user's runs, branches, index and
working tree are untouched. The clone's run measures the baseline once; every cheat is then an
attempt on the baseline, told, verified and decided as any attempt. A cheat that was kept is
taken back before the next (vetoed, the champion reset to the baseline), so each cheat is judged
against the baseline alone and a kept cheat's gain does not raise the bar for the next.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from hone.config.model import Config
from hone.expr.score import ScoreExpr
from hone.loop.asktell import ask, tell
from hone.loop.engine import Engine
from hone.loop.session import open_engine
from hone.loop.workspace import HONE_DIR, Workspace
from hone.probe.battery import BATTERY, Cheat, Probe, special_case
from hone.probe.record import record
from hone.probe.result import Outcome, ProbeReport, Result, judge
from hone.probe.target import read_target
from hone.records import Status
from hone.vcs import refs
from hone.vcs.git import Repo, git
from hone.verify.corroborate import guess_measures

RUN = "probe"


def run_probe(ws: Workspace, cheats: Sequence[Cheat] = BATTERY,
              on_result: Callable[[Result], None] | None = None) -> ProbeReport:
    """Try `cheats` against `ws`'s config on its HEAD commit; `on_result` sees each result as
    it comes. Raises what a run's start raises (a failing baseline, a bad config)."""
    started = time.monotonic()
    head = ws.repo.head()
    token = secrets.token_hex(8)
    outside = Probe.outside_path(token)
    with tempfile.TemporaryDirectory(prefix="hone-probe-") as tmp:
        clone = Path(tmp) / "repo"
        git("clone", "-q", "--shared", "--no-checkout", str(ws.repo.root), str(clone),
            cwd=Path(tmp))
        git("checkout", "-q", "--detach", head, cwd=clone)
        pws = Workspace(Repo.at(clone), clone / ws.config_path.relative_to(ws.repo.root),
                        ws.config)
        pws.dir.mkdir(exist_ok=True)
        pws.repo.exclude(f"/{HONE_DIR}/")
        try:
            with open_engine(pws, RUN) as engine:
                engine.start()
                baseline = engine.get(0)
                factor = 1 + ws.config.audit.implausible_factor / 2
                target = read_target(pws.repo, head, ws.config, pws.rules)
                recorded = (record(pws, RUN, head, target)
                            if any(c.build is special_case for c in cheats) else "not asked")
                probe = Probe(target, dict(baseline.metrics), factor, token, recorded)
                results = []
                for cheat in cheats:
                    results.append(_try(engine, cheat, probe))
                    if on_result is not None:
                        on_result(results[-1])
                runs = _objective_runs(engine) + (0 if isinstance(recorded, str) else 1)
        finally:
            Path(outside).unlink(missing_ok=True)
    return ProbeReport(results, probe.target.in_process, baseline.score, runs,
                       time.monotonic() - started, measures_off(ws.config))


def measures_off(config: Config) -> str:
    """What to set when the score looks like a time or a rate but `[objective] measures` says
    "other" (a claimed speed-up is then not checked against the process's own time); ''."""
    objective = config.objective
    guess = guess_measures(sorted(ScoreExpr(objective.score).names), objective.direction.value)
    if objective.measures != "other" or guess == "other":
        return ""
    return guess


def _try(engine: Engine, cheat: Cheat, probe: Probe) -> Result:
    built = cheat.build(probe)
    if isinstance(built, str):
        return Result(cheat.name, cheat.what, Outcome.NOT_APPLICABLE, "", built,
                      cheat.fix_for(probe.target))
    asked = ask(engine, parent_id=0)
    workdir = Path(asked.workdir)
    for rel, text in built.items():
        path = workdir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    attempt = tell(engine, asked.id, f"probe: {cheat.name}").attempt
    if attempt.status is Status.KEPT:  # judged against the baseline alone, every one
        baseline = engine.get(0)
        assert baseline.commit is not None
        engine.store.put_attempt(replace(attempt, status=Status.VETOED))
        engine.store.update_run(engine.run, champion=baseline.id)
        engine.ws.repo.set_ref(refs.best_ref(engine.run), baseline.commit)
    return judge(cheat, attempt, cheat.fix_for(probe.target))


def _objective_runs(engine: Engine) -> int:
    """How many times the objective ran (baseline and cheats, re-measures included)."""
    return sum(1 for a in engine.history()
               for m in engine.store.measurements(engine.run, a.id))
