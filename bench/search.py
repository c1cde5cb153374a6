"""Search strategies on a synthetic landscape: greedy vs population vs islands.

The landscape: `--knobs` independent integer knobs, one per file (`knobs/k<i>.py`), each
starting at 0 with its own optimum (3..9 steps away); the score is minus the total distance of
the knobs from their optima (0 is perfect). The scripted proposer moves one knob by one step
(towards its optimum with probability 0.6, a proposer with some insight) and avoids the
changes the history lists as tried, except that with probability `--repeat` it proposes again a
change it proposed before, when that change still applies.

Every run is a real hone run (real git repository, journal, objective subprocess, strict
decider) driven in-process until `--evals` objective evaluations were made; duplicates cost no
evaluation. For each strategy it prints the best score reached, the duplicates caught
(evaluations saved) and the merges: proposed, clean, and how many combined two improvements
(the merge scored better than both of its parents). With `--no-dedupe` the same runs are made
with duplicate detection off, to see what the saved evaluations buy.

    .venv/bin/python bench/search.py [--evals 60] [--seeds 3] [--knobs 8] [--repeat 0.3]
                                     [--trap 2] [--no-dedupe] [--strategies greedy,islands]

`--tuning`: the classic mutator's searches over knobs, TPE (Optuna), mixed (TPE or a neighbour
step, half of the attempts each) and neighbour steps, on 4 knobs of a hyperparameter-like file
(`knobs.py`: two log-scale floats, a linear float, a log-scale int, each `# hone: knob
LOW..HIGH`) whose score is a smooth bowl in the
knobs' own scale (log where the knob is log): 100 at an optimum drawn per seed, 100 - 100 *
squared distance elsewhere. Each evaluation is one real proposal (`ClassicMutator.propose` on a
real file, parent = champion, history of `Attempt` records as the journal holds them) scored in
process; a candidate is kept when strictly better (a deterministic objective); a file already
scored is a duplicate and costs no evaluation. Prints, per seed and as medians, the evaluations
until the score reached 99% of the optimum (capped at `--max-evals`, which counts as reached
there), and the ratios to neighbour steps (goal for TPE: at most 0.5).

`--near` draws the optimum within 0.1 of the start on each knob instead (unit scale), where
small neighbour steps are at their best.

    .venv/bin/python bench/search.py --tuning [--seeds 10] [--max-evals 300] [--near]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import statistics
import subprocess
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from hone.config.load import parse_config
from hone.decide import StrictDecider
from hone.loop.engine import Engine
from hone.loop.workspace import Workspace
from hone.mutators.base import Mutator, MutatorExhausted, Proposal, ProposalContext
from hone.mutators.classic import ClassicMutator
from hone.records import Attempt, Status
from hone.strategies import make_strategy

OBJECTIVE = """\
import glob, re
total = 0
TRAP = {trap}
for path in sorted(glob.glob("knobs/k*.py")):
    text = open(path).read()
    value = int(re.search(r"V = (-?\\d+)", text).group(1))
    target = int(re.search(r"TARGET = (-?\\d+)", text).group(1))
    total += abs(value - target) - (TRAP if value == 1 else 0)
print(f"score: {-total}")
"""


class ScriptedProposer(Mutator):
    """Moves one knob by one step; sometimes repeats one of its earlier proposals."""

    name = "scripted"

    def __init__(self, knobs: int, repeat: float, seed: int) -> None:
        self.knobs, self.repeat, self.seed = knobs, repeat, seed

    def propose(self, ctx: ProposalContext) -> Proposal:
        rng = random.Random(f"{self.seed}:{ctx.attempt_id}")
        values = {i: self._value(ctx.workdir, i) for i in range(self.knobs)}
        earlier = [a.notes for a in ctx.history if a.mutator == self.name and "knob" in a.notes
                   and values.get(int(a.notes["knob"])) == a.notes["old"]]
        tried = {(e["knob"], e["old"], e["new"]) for e in earlier}
        move: dict[str, int] = {}
        if earlier and rng.random() < self.repeat:
            move = dict(rng.choice(earlier))
        for _ in range(50):  # a fresh idea: one the history does not list as tried
            if move:
                break
            knob = rng.randrange(self.knobs)
            old, target = values[knob], self._target(ctx.workdir, knob)
            towards = 1 if target > old else -1
            step = towards if (target != old and rng.random() < 0.6) else rng.choice((-1, 1))
            if (knob, old, old + step) not in tried:
                move = {"knob": knob, "old": old, "new": old + step}
        if not move:  # everything near was tried: repeat something
            move = dict(rng.choice(earlier))
        path = ctx.workdir / f"knobs/k{move['knob']}.py"
        path.write_text(re.sub(r"V = -?\d+", f"V = {move['new']}", path.read_text()))
        return Proposal(f"knob {move['knob']}: {move['old']} -> {move['new']}",
                        notes={"knob": move["knob"], "old": move["old"], "new": move["new"]})

    @staticmethod
    def _value(root: Path, i: int) -> int:
        return int(re.search(r"V = (-?\d+)", (root / f"knobs/k{i}.py").read_text())[1])  # type: ignore[index]

    @staticmethod
    def _target(root: Path, i: int) -> int:
        return int(re.search(r"TARGET = (-?\d+)", (root / f"knobs/k{i}.py").read_text())[1])  # type: ignore[index]


def make_repo(base: Path, knobs: int, seed: int, dedupe: bool, strategy: str, trap: int
              ) -> Path:
    root = base / f"{strategy}-{seed}-{int(dedupe)}-{trap}"
    (root / "knobs").mkdir(parents=True)
    rng = random.Random(seed)
    for i in range(knobs):
        (root / f"knobs/k{i}.py").write_text(f"V = 0\nTARGET = {rng.randint(3, 9)}\n")
    (root / "score.py").write_text(OBJECTIVE.replace("{trap}", str(trap)))
    (root / "hone.toml").write_text(
        '[objective]\nrun = "python3 score.py"\n\n[files]\neditable = ["knobs/*.py"]\n\n'
        f'[search]\nstrategy = "{strategy}"\ndedupe = {str(dedupe).lower()}\n')
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@x",
           "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@x"}
    for cmd in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-qm", "landscape"]):
        subprocess.run(["git", *cmd], cwd=root, check=True, env=env)
    return root


def evaluations(history: list[Attempt]) -> int:
    """Attempts that ran the objective (or a gate): not duplicates, not skipped merges."""
    return sum(1 for a in history[1:] if a.status in (Status.KEPT, Status.DISCARDED)
               or (a.status is Status.FAILED and a.stage not in ("merge", "propose")))


def one_run(base: Path, strategy: str, seed: int, args: argparse.Namespace, dedupe: bool
            ) -> dict[str, float]:
    root = make_repo(base, args.knobs, seed, dedupe, strategy, args.trap)
    ws = Workspace.open(root)
    engine = Engine(ws, "bench", decider=StrictDecider())
    engine.start()
    proposer = ScriptedProposer(args.knobs, args.repeat, seed)
    chooser = make_strategy(strategy, ws.config)
    t0 = time.monotonic()
    # Stop at the budget of evaluations, at the perfect score, or when only repeats are left.
    while evaluations(history := engine.history()) < args.evals and len(history) < 4 * args.evals \
            and engine.champion().score != 0:
        engine.step(proposer, chooser)
    history = engine.history()
    by_id = {a.id: a for a in history}
    merges = [a for a in history if a.parent2 is not None]
    clean = [a for a in merges if a.stage != "merge" and a.status is not Status.DUPLICATE]
    combined = [a for a in clean if a.score is not None and all(
        (by_id[p].score or -1e9) < a.score for p in (a.parent, a.parent2) if p is not None)]
    return {"best": engine.champion().score or 0.0,
            "duplicates": sum(1 for a in history if a.status is Status.DUPLICATE),
            "merges": len(merges), "clean": len(clean), "combined": len(combined),
            "merge_kept": sum(1 for a in merges if a.status is Status.KEPT),
            "evals": evaluations(history), "attempts": len(history) - 1,
            "seconds": time.monotonic() - t0}


# name, start, low, high, log: a learning rate, a momentum, a width, a weight decay
KNOBS = (("LR", "0.1", 1e-5, 1.0, True), ("MOMENTUM", "0.5", 0.0, 0.99, False),
         ("WIDTH", "32", 4, 1024, True), ("DECAY", "0.01", 1e-6, 0.1, True))


def knob_file() -> str:
    return "".join(f"{name} = {start}  # hone: knob {low:g}..{high:g}{' log' if log else ''}\n"
                   for name, start, low, high, log in KNOBS)


def unit(value: float, low: float, high: float, log: bool) -> float:
    """Where `value` lies in its range, 0..1, on the knob's own scale."""
    if log:
        return (math.log(value) - math.log(low)) / (math.log(high) - math.log(low))
    return (value - low) / (high - low)


def bowl(text: str, optimum: list[float]) -> float:
    """The score of a knob file: 100 at `optimum` (unit coordinates), a smooth bowl around."""
    values = {m.group(1): float(m.group(2)) for m in re.finditer(r"(\w+) = (\S+)", text)}
    where = [unit(values[name], low, high, log) for name, _, low, high, log in KNOBS]
    return 100.0 - 100.0 * sum((w - o) ** 2 for w, o in zip(where, optimum, strict=True))


def optimum_of(seed: int, near: bool) -> list[float]:
    """The bowl's optimum in unit coordinates: anywhere in 0.1..0.9 on each knob, or with
    `near` within 0.1 of the start."""
    draw = random.Random(seed)
    if not near:
        return [draw.uniform(0.1, 0.9) for _ in KNOBS]
    start = [unit(float(s), low, high, log) for _, s, low, high, log in KNOBS]
    return [min(max(x + draw.uniform(-0.1, 0.1), 0.0), 1.0) for x in start]


def tune(root: Path, search: str, seed: int, max_evals: int, near: bool = False) -> int:
    """Evaluations the classic mutator's `search` needs until the bowl of `seed` reaches 99 (99%
    of its optimum, 100); `max_evals` when it did not."""
    optimum = optimum_of(seed, near)
    config = parse_config({"objective": {"run": "true"}, "mutator": {"search": search}})
    mutator = ClassicMutator.from_config(config)
    workdir = root / f"{search}-{seed}"
    workdir.mkdir()
    texts = {0: knob_file()}
    run = f"seed{seed}"
    champion = Attempt(run, 0, None, "0" * 40, Status.BASELINE, score=bowl(texts[0], optimum))
    history, scored, evals = [champion], {texts[0]}, 0
    while evals < max_evals and champion.score is not None and champion.score < 99.0:
        (workdir / "knobs.py").write_text(texts[champion.id])
        attempt_id = len(history)
        ctx = ProposalContext(run, attempt_id, champion, champion, list(history), config,
                              workdir, "", workdir / "brief.md", ["knobs.py"])
        try:
            proposal = mutator.propose(ctx)
        except MutatorExhausted:
            return max_evals  # a local optimum of the neighbour grid: it never gets there
        text = (workdir / "knobs.py").read_text()
        record = Attempt(run, attempt_id, champion.id, None, Status.DUPLICATE,
                         hypothesis=proposal.hypothesis, mutator=mutator.name,
                         notes=proposal.notes)
        if text not in scored:
            scored.add(text)
            evals += 1
            score = bowl(text, optimum)
            better = score > (champion.score or 0.0)
            record = replace(record, status=Status.KEPT if better else Status.DISCARDED,
                             score=score, commit="0" * 40)
        texts[attempt_id] = text
        history.append(record)
        champion = record if record.status is Status.KEPT else champion
    return evals if champion.score is not None and champion.score >= 99.0 else max_evals


SEARCHES = ("tpe", "mixed", "neighbour")


def tuning(seeds: int, max_evals: int, near: bool) -> None:
    where = "within 0.1 of the start" if near else "anywhere in 0.1..0.9"
    print(f"4 knobs, smooth bowl, optimum drawn per seed {where} (unit scale); evaluations "
          f"until 99% of the optimum (cap {max_evals}); seeds 1..{seeds}", flush=True)
    print(f"{'seed':>4} " + " ".join(f"{name:>9}" for name in SEARCHES))
    rows = []
    with tempfile.TemporaryDirectory(prefix="hone-bench-tuning-") as tmp:
        for seed in range(1, seeds + 1):
            row = [tune(Path(tmp), name, seed, max_evals, near) for name in SEARCHES]
            rows.append(row)
            print(f"{seed:>4} " + " ".join(f"{n:>9}" for n in row), flush=True)
    medians = {name: statistics.median(r[i] for r in rows) for i, name in enumerate(SEARCHES)}
    steps = medians["neighbour"]
    print("median: " + ", ".join(f"{name} {m:g}" for name, m in medians.items()), flush=True)
    print(f"ratio to neighbour steps: tpe {medians['tpe'] / steps:.2f}, mixed "
          f"{medians['mixed'] / steps:.2f} (goal for tpe: at most 0.5)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tuning", action="store_true",
                        help="compare the classic mutator's TPE and neighbour searches")
    parser.add_argument("--max-evals", type=int, default=300)
    parser.add_argument("--near", action="store_true",
                        help="with --tuning: the optimum lies within 0.1 of the start")
    parser.add_argument("--evals", type=int, default=60)
    parser.add_argument("--seeds", type=int, default=None, help="3, or 10 with --tuning")
    parser.add_argument("--knobs", type=int, default=8)
    parser.add_argument("--repeat", type=float, default=0.3)
    parser.add_argument("--trap", type=int, default=0,
                        help="bonus for a knob at 1: with 2 or more, a local optimum that "
                             "a one-step climb kept only when better cannot leave (the "
                             "perfect score stays 0, at the optima)")
    parser.add_argument("--strategies", default="greedy,population,islands")
    parser.add_argument("--no-dedupe", action="store_true",
                        help="also run every strategy with duplicate detection off")
    args = parser.parse_args()
    args.seeds = args.seeds or (10 if args.tuning else 3)
    if args.tuning:
        tuning(args.seeds, args.max_evals, args.near)
        return
    print(f"landscape: {args.knobs} knobs in {args.knobs} files, trap {args.trap}, "
          "perfect score 0; "
          f"{args.evals} evaluations per run; proposer repeats with p={args.repeat}; "
          f"seeds 1..{args.seeds}", flush=True)
    header = (f"{'strategy':<11} {'dedupe':<6} {'best (mean)':>11} {'best/seed':<18} "
              f"{'evals':>5} "
              f"{'dups caught':>11} {'merges':>6} {'clean':>5} {'combined':>8} "
              f"{'merge kept':>10} {'s/run':>6}")
    print(header)
    with tempfile.TemporaryDirectory(prefix="hone-bench-search-") as tmp:
        for dedupe in (True, False) if args.no_dedupe else (True,):
            for strategy in args.strategies.split(","):
                runs = [one_run(Path(tmp), strategy, s, args, dedupe)
                        for s in range(1, args.seeds + 1)]
                total = {k: sum(r[k] for r in runs) for k in runs[0]}
                best = [r["best"] for r in runs]
                print(f"{strategy:<11} {'on' if dedupe else 'off':<6} "
                      f"{statistics.mean(best):>11.2f} {' '.join(f'{b:g}' for b in best):<18} "
                      f"{int(total['evals']):>5} "
                      f"{int(total['duplicates']):>11} {int(total['merges']):>6} "
                      f"{int(total['clean']):>5} {int(total['combined']):>8} "
                      f"{int(total['merge_kept']):>10} "
                      f"{total['seconds'] / len(runs):>6.1f}", flush=True)
    print("evals, dups caught (= evaluations saved), merges: summed over seeds; combined = "
          "clean merges that scored better than both parents", flush=True)


if __name__ == "__main__":
    main()
