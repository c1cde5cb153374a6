"""Line checks for files the audit cannot parse (shell, config, other languages).

Each added line is matched on its own; a `#` starts a comment only outside quotes. These are
the fallback: Python files go through the parsing checks of `python.py`.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable

from hone.verify.audit.diff import Added
from hone.verify.audit.finding import Finding
from hone.verify.audit.literals import Literal, literal_hits, text_literals

TIMER = re.compile(
    r"\b(?:time|timeit|perf_counter|monotonic|process_time)\b[\w.]*\s*=(?!=)"
    r"|setattr\(\s*(?:time|timeit|sys|os|posix|builtins|gc)\b"
    r"|\b(?:time\.(?:perf_counter|time|monotonic|process_time)(?:_ns)?)\s*=(?!=)"
    r"|\bsys\.exit\s*=(?!=)|\b_exit\b|\bbuiltins\.\w+\s*=(?!=)|\batexit\b"
    r"|\bweakref\.finalize\b|\bset(?:trace|profile)\b|\bmonkeypatch\b|\bmock\.patch\b")
BROAD_EXCEPT = re.compile(
    r"^\s*except\s*(?::|\(?\s*(?:BaseException|Exception|SystemExit|AssertionError"
    r"|KeyboardInterrupt)\b)")
EQ_OVERRIDE = re.compile(r"\b__(?:eq|ne|hash)__\b\s*(?:\(|=(?!=))")
HOOK_WRITE = re.compile(r"sitecustomize|usercustomize|conftest\.py|\.pth\b")


def strip_comment(text: str) -> str:
    """`text` without its trailing `#` comment; a `#` inside a string is not one."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text + "\n").readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return text
    for tok in tokens:
        if tok.type == tokenize.COMMENT:
            return text[: tok.start[1]]
    return text


def line_findings(lines: Iterable[Added], names: set[str], watched: set[Literal],
                  removed: set[Literal]) -> list[Finding]:
    """Findings for `lines`, matched one at a time."""
    findings: list[Finding] = []
    for a in lines:
        code = strip_comment(a.text)
        snippet = a.text.strip()[:80]
        if TIMER.search(code):
            findings.append(Finding("patches-runtime", a.path, a.line,
                                    f"patches timers, exit or builtins: {snippet}"))
        if BROAD_EXCEPT.search(code):
            findings.append(Finding("broad-except", a.path, a.line,
                                    f"broad except can swallow a failed check: {snippet}"))
        if EQ_OVERRIDE.search(code):
            findings.append(Finding("overrides-eq", a.path, a.line,
                                    "overrides __eq__/__ne__/__hash__, which a result check "
                                    "may rely on"))
        if HOOK_WRITE.search(code):
            findings.append(Finding("writes-hook", a.path, a.line,
                                    f"mentions an interpreter/pytest hook file: {snippet}"))
        for name in sorted(names):
            if name in code:
                findings.append(Finding("reads-data", a.path, a.line,
                                        f"refers to protected file {name!r}"))
                break
        hits = literal_hits(text_literals(code), watched, removed)
        if hits:
            findings.append(Finding("special-cases-input", a.path, a.line,
                                    f"uses literal(s) {hits} that appear in the benchmark or "
                                    "tests"))
    return findings
