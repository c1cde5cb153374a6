"""The lab: one fixture repository, candidates committed on its baseline, each verified by the
real Verifier (gates and objective as subprocesses) and checked by the audit and hygiene; a
candidate that passes all that meets the holdout, as a would-be champion does in the loop."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from hone.config.load import parse_config
from hone.init import plan_files
from hone.records import Measurement
from hone.vcs.git import Repo
from hone.vcs.paths import PathRules
from hone.verify import holdout
from hone.verify.audit import audit
from hone.verify.corroborate import corroborate
from hone.verify.guard import Guard
from hone.verify.hygiene import hygiene_failures
from hone.verify.verifier import StageFailure, Verifier
from tests.verify.cheats import project

GIT_ENV = {"GIT_AUTHOR_NAME": "lab", "GIT_AUTHOR_EMAIL": "lab@example.com",
           "GIT_COMMITTER_NAME": "lab", "GIT_COMMITTER_EMAIL": "lab@example.com"}


@dataclass(frozen=True)
class Case:
    """One candidate. `kind`: "cheat" (must fail, be rejected or be flagged), "neutralised" (a
    cheat the verifier's set-up makes ineffective: no gain over the baseline), "honest" (must
    pass with no finding). `gap` names the layer outside verify/ that will catch a cheat this
    suite shows is not caught yet (the test is then a strict xfail)."""

    name: str
    category: str
    edits: dict[str, str | bytes | None]
    kind: str = "cheat"
    gap: str = ""
    sandbox: bool = False  # jailed: always verified, to show what the jail does
    weak: bool = False  # under a weak config that protects nothing
    init: bool = False  # under the protect list `hone init` writes for this project
    verify: bool = False  # verify even when the static checks already caught it


@dataclass(frozen=True)
class Outcome:
    failure: StageFailure | None
    score: float | None
    findings: list[str] = field(default_factory=list)
    verified: bool = True
    overfit: str = ""  # why the holdout says overfit (the loop holds such a champion)

    @property
    def caught(self) -> bool:
        return self.failure is not None or bool(self.findings) or bool(self.overfit)

    def describe(self) -> str:
        if self.failure:
            return f"failed at {self.failure.stage}: {self.failure.reason[:90]}"
        if self.overfit:
            return f"held: {self.overfit}"
        if self.findings:
            return ("flagged" + ("" if self.verified else " before verification") + ": "
                    + "; ".join(f[:70] for f in self.findings[:3]))
        return f"passed, score {self.score}"


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True, env={**os.environ, **GIT_ENV}).stdout.strip()


class Lab:
    def __init__(self, root: Path) -> None:
        self.root = root / "repo"
        self.root.mkdir(parents=True)
        git("init", "-q", "-b", "main", cwd=self.root)
        for rel, text in project.FILES.items():
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        git("add", ".", cwd=self.root)
        git("commit", "-qm", "baseline", cwd=self.root)
        self.base = git("rev-parse", "HEAD", cwd=self.root)
        self.tracked = set(git("ls-files", cwd=self.root).splitlines())
        self.work = root / "work"
        git("worktree", "add", "-q", "--detach", str(self.work), self.base, cwd=self.root)
        # The outer pytest's variables would tell the candidate it runs under pytest.
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        self.logs = root / "logs"
        self.attempt = 0
        self.reference: list[float] = []  # the baseline's holdout scores
        self.verifiers: dict[tuple[bool, bool, bool], tuple[Verifier, list[str]]] = {}
        self.watched: dict[tuple[bool, bool, bool], dict[str, str]] = {}
        self.baseline = self.run(Case("baseline", "", {}, kind="honest")).score
        # Corroboration's reference: the baseline's objective run several times, as a run
        # measures its noise (warm: the first run also compiled numpy's bytecode).
        self.base_runs: list[Measurement] = self.verifier(False, False)[0].verify(
            self.work, 0, seeds=[1, 2, 3, 4], gates=False).measurements

    def verifier(self, sandbox: bool, weak: bool, init: bool = False
                 ) -> tuple[Verifier, list[str]]:
        key = (sandbox, weak, init)
        if key not in self.verifiers:
            protect = [] if weak else self.init_protect(sandbox) if init else project.PROTECT
            config = parse_config(project.config(protect, sandbox))
            rules = PathRules(config.files.editable, config.files.protect)
            guard = Guard.snapshot(self.root, self.base, rules, project.HIDDEN)
            self.verifiers[key] = (Verifier(config, self.logs, env=self.env, guard=guard),
                                   protect)
        return self.verifiers[key]

    def init_protect(self, sandbox: bool) -> list[str]:
        """What `hone init --objective ... --gate ... --editable ...` protects here."""
        raw = project.config([], sandbox)
        objective, gates, files = raw["objective"], raw["gates"], raw["files"]
        assert isinstance(objective, dict) and isinstance(gates, list)
        assert isinstance(files, dict)
        plan = plan_files(self.root, sorted(self.tracked), str(objective["run"]),
                          [str(g["run"]) for g in gates], list(files["editable"]))
        return plan.protect

    def commit(self, case: Case) -> str:
        git("checkout", "-q", "-f", "--detach", self.base, cwd=self.work)
        git("clean", "-ffdxq", cwd=self.work)
        for rel, content in case.edits.items():
            path = self.work / rel
            if content is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)
        git("add", "-A", "-f", cwd=self.work)
        git("commit", "-q", "--allow-empty", "-m", case.name, cwd=self.work)
        return git("rev-parse", "HEAD", cwd=self.work)

    def run(self, case: Case) -> Outcome:
        """Commit `case`, then what the loop would do: hygiene at materialise, the verifier,
        the audit of the diff."""
        commit = self.commit(case)
        verifier, protect = self.verifier(case.sandbox, case.weak, case.init)
        guard = verifier.guard
        assert guard is not None
        changed = [p for p in git("diff", "--name-only", "--no-renames", "--diff-filter=d",
                                  self.base, commit, cwd=self.root).splitlines() if p]
        findings = hygiene_failures(self.work, changed, baseline_paths=self.tracked)
        # The patch the loop audits: context-free, from the same git call as its line counts.
        diff = Repo.at(self.root).change(self.base, commit).patch
        files = {p: (self.work / p).read_text(errors="replace") for p in changed
                 if p.endswith(".py")}
        key = (case.sandbox, case.weak, case.init)
        if key not in self.watched:
            self.watched[key] = {p: git("show", f"{self.base}:{p}", cwd=self.root)
                                 for p in [*guard.protected, *guard.hidden]}
        watched = self.watched[key]
        findings += [f"{f.check}: {f.reason}" for f in
                     audit(diff, watched, files, protect, ["score"])]
        if findings and case.kind == "cheat" and not (case.verify or case.sandbox):
            # Caught before anything runs (the loop rejects or holds it); verifying it too
            # would only make the suite slower.
            return Outcome(None, None, findings, verified=False)
        self.attempt += 1
        verdict = verifier.verify(self.work, self.attempt)
        if verdict.failure is not None or findings:
            return Outcome(verdict.failure, verdict.score, findings)
        if case.name != "baseline":
            # What vetting adds: the claimed speed-up against the process's own time (the lab's
            # reference is the baseline, a run's is the parent).
            checked = corroborate(verifier.config.objective.measures, self.baseline,
                                  self.base_runs, verdict.score, verdict.measurements,
                                  lambda i: (self.once(verifier, self.base, i),
                                             self.once(verifier, commit, i)), "baseline")
            if checked and checked.finding:
                return Outcome(None, verdict.score, [f"corroboration: {checked.finding}"])
        return Outcome(None, verdict.score, overfit=self.holdout(verifier, commit))

    def once(self, verifier: Verifier, commit: str, seed: int) -> Measurement | None:
        """One objective run of `commit` (corroboration's fresh, interleaved runs)."""
        git("checkout", "-q", "-f", "--detach", commit, cwd=self.work)
        git("clean", "-ffdxq", cwd=self.work)
        self.attempt += 1
        verdict = verifier.verify(self.work, self.attempt, seeds=[seed + 1], gates=False)
        return verdict.measurements[0] if verdict.passed else None

    def holdout(self, verifier: Verifier, commit: str) -> str:
        """What the loop does for a would-be champion, with hone's own code: the holdout in
        the worktree the objective just ran in (checked out again, as an executor's job
        does), against the baseline's holdout, settled as the loop settles it (more runs on
        both sides while a drop cannot be told from noise). Why it says overfit, or ""."""
        git("checkout", "-q", "-f", "--detach", commit, cwd=self.work)
        result = holdout.run_in(verifier, self.work, self.attempt)
        if isinstance(result, StageFailure):
            return f"the holdout failed: {result.reason[:70]}"
        scores = [m.score for m in result if m.score is not None]
        if not self.reference:
            self.reference = scores
            return ""
        found = holdout.settle(scores, self.reference, 0, verifier.config.objective.direction,
                               0.0, lambda: self.holdout_runs(verifier, commit),
                               lambda: self.holdout_runs(verifier, self.base))
        return f"the holdout got worse ({found.reference} -> {found.score})" if found.worse else ""

    def holdout_runs(self, verifier: Verifier, commit: str) -> list[float]:
        """One more batch of holdout runs of `commit` ([] when it fails)."""
        git("checkout", "-q", "-f", "--detach", commit, cwd=self.work)
        self.attempt += 1
        result = holdout.run_in(verifier, self.work, self.attempt)
        if isinstance(result, StageFailure):
            return []
        return [m.score for m in result if m.score is not None]
