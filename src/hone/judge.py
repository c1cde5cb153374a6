"""An LLM judge for free-form outputs, for objectives: grade an answer against a reference.

Verdicts are cached in SQLite by (model, criteria, question, answer, reference), so re-measuring
an attempt or meeting an answer seen before costs no call. Inside a hone objective (`HONE_LOGS`
set) every verdict is also appended to `judge.jsonl` in the attempt's log folder, or, when the
sandbox hides that folder, written to stderr, which hone keeps in the attempt's `.err` log:
either way `hone show ID` leads to the grades of the attempt they scored.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from hone.config.model import LLMSection
from hone.mutators.llm.providers import CallFailed, Provider, make_provider
from hone.mutators.llm.retry import RetryPolicy, with_retries

SYSTEM = """\
You grade an answer against a reference answer. Reply with JSON only: \
{"score": <a number from 0 to 1>, "reason": "<one short sentence>"}. \
1 means the answer says what the reference says (wording may differ), 0 means it does not."""

_SCORE = re.compile(r"score\W{0,4}([01](?:\.\d+)?)", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    """A grade in [0, 1] with the judge's reason; `cached` when no call was made."""

    score: float
    reason: str
    cached: bool = False


def parse_verdict(text: str) -> tuple[float, str] | None:
    """(score, reason) from the judge's answer: JSON, fenced or not, else `score: X`."""
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        try:
            data = json.loads(text[start:end + 1])
            return _clamp(float(data["score"])), str(data.get("reason", ""))[:300]
        except (ValueError, KeyError, TypeError):
            pass
    m = _SCORE.search(text)
    return (_clamp(float(m.group(1))), " ".join(text.split())[:300]) if m else None


def _clamp(x: float) -> float:
    if x != x:  # NaN
        raise ValueError("score is NaN")
    return min(max(x, 0.0), 1.0)


def default_cache() -> Path:
    """`HONE_JUDGE_CACHE`; inside an objective run by hone `.hone/judge-cache.sqlite`; else
    `.judge-cache.sqlite` in the current folder."""
    if os.environ.get("HONE_JUDGE_CACHE"):
        return Path(os.environ["HONE_JUDGE_CACHE"])
    logs = os.environ.get("HONE_LOGS")
    if logs:  # .hone/logs/RUN/ID
        return Path(logs).resolve().parents[2] / "judge-cache.sqlite"
    return Path(".judge-cache.sqlite")


class Judge:
    """`Judge("gpt-4.1-mini").grade(question, answer, reference)` -> Verdict.

    The model is reached like the llm mutator's (`base_url` or `OPENAI_BASE_URL`,
    `anthropic/NAME`, `ollama/NAME`); temperature 0; transient errors retried.
    """

    def __init__(self, model: str, base_url: str = "", cache: Path | None = None,
                 criteria: str = "", timeout: float = 60.0, retries: int = 3,
                 base_delay: float = 0.5, provider: Provider | None = None) -> None:
        self.model, self.criteria = model, criteria
        settings = LLMSection(model=model, base_url=base_url, temperature=0.0, max_tokens=300,
                              timeout=timeout)
        self.provider = provider or make_provider(settings)
        self.policy = RetryPolicy(retries=retries, base_delay=base_delay, max_delay=20.0)
        self.cache_path = cache or default_cache()
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.cache_path, timeout=30)
        self.db.execute("CREATE TABLE IF NOT EXISTS verdicts (key TEXT PRIMARY KEY, "
                        "score REAL NOT NULL, reason TEXT NOT NULL, created REAL NOT NULL)")
        self.db.commit()
        logs = os.environ.get("HONE_LOGS")
        self.record = Path(logs) / "judge.jsonl" if logs else None
        self.calls = 0

    def _key(self, question: str, answer: str, reference: str) -> str:
        raw = json.dumps([self.model, self.criteria, SYSTEM, question, answer, reference])
        return hashlib.sha256(raw.encode()).hexdigest()

    def grade(self, question: str, answer: str, reference: str) -> Verdict:
        """The grade of `answer`; raises CallFailed when the judge cannot be reached or read."""
        key = self._key(question, answer, reference)
        row = self.db.execute("SELECT score, reason FROM verdicts WHERE key = ?",
                              (key,)).fetchone()
        if row is not None:
            verdict = Verdict(float(row[0]), str(row[1]), cached=True)
        else:
            verdict = self._ask(question, answer, reference)
            with self.db:
                self.db.execute("INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?)",
                                (key, verdict.score, verdict.reason, time.time()))
        self._store(question, answer, reference, verdict)
        return verdict

    def _ask(self, question: str, answer: str, reference: str) -> Verdict:
        user = (f"Question or input:\n{question}\n\nReference answer:\n{reference}\n\n"
                f"Answer to grade:\n{answer}\n")
        if self.criteria:
            user += f"\nGrading criteria: {self.criteria}\n"
        reply = with_retries(lambda: self.provider.complete(SYSTEM, user), self.policy)
        self.calls += 1
        parsed = parse_verdict(reply.text)
        if parsed is None:
            raise CallFailed(f"the judge's answer has no score: {reply.text[:120]!r}")
        return Verdict(*parsed)

    def _store(self, question: str, answer: str, reference: str, verdict: Verdict) -> None:
        if self.record is None:
            return
        line = json.dumps({"model": self.model, "question": question[:500],
                           "answer": answer[:2000], "reference": reference[:2000],
                           **asdict(verdict)})
        try:
            with self.record.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        except OSError:
            # in hone's jail the log folder is out of reach: stderr, which hone keeps in the
            # attempt's `.err` log, carries the verdict instead
            sys.stderr.write(f"hone.judge verdict: {line}\n")

    def close(self) -> None:
        self.db.close()
