"""Static checks on a kept diff: the usual ways to game a verifier, flagged with reasons.

Each finding names the check, the file and line, and why it is suspicious. The checks read the
added lines of the diff only; they are meant for a person (or a veto) to look at, so they lean
towards flagging.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import PurePosixPath

HOOK_FILES = ("sitecustomize.py", "usercustomize.py", "conftest.py")
TIMER = re.compile(
    r"\b(?:time|timeit|perf_counter|monotonic|process_time)\b[\w.]*\s*=(?!=)"
    r"|setattr\(\s*(?:time|timeit|sys|os|builtins)\b"
    r"|\b(?:time\.(?:perf_counter|time|monotonic|process_time)(?:_ns)?)\s*=(?!=)"
    r"|\bsys\.exit\s*=(?!=)|\bos\._exit\b|\bbuiltins\.\w+\s*=(?!=)|\batexit\.register\b"
    r"|\bmonkeypatch\b|\bmock\.patch\b")
BROAD_EXCEPT = re.compile(
    r"^\s*except\s*(?::|\(?\s*(?:BaseException|Exception|SystemExit|AssertionError"
    r"|KeyboardInterrupt)\b)")
EQ_OVERRIDE = re.compile(r"^\s*def\s+__(?:eq|ne|hash)__\s*\(")
HOOK_WRITE = re.compile(r"sitecustomize|usercustomize|conftest\.py|\.pth\b")
LITERAL = re.compile(r"""(?P<str>"[^"\n]{6,}"|'[^'\n]{6,}')"""
                     r"|(?P<num>(?<![\w.])-?\d[\d_]*(?:\.\d+)?(?:[eE][-+]?\d+)?)")


@dataclass(frozen=True)
class Finding:
    check: str
    path: str
    line: int
    reason: str

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Added:
    path: str
    line: int
    text: str


def added_lines(diff: str) -> tuple[list[Added], set[str], set[str]]:
    """The diff's added lines, the files it adds or changes, and its removed text."""
    out: list[Added] = []
    files: set[str] = set()
    removed: set[str] = set()
    path, line = "", 0
    for raw in diff.splitlines():
        if raw.startswith("+++ "):
            target = raw[4:].strip()
            path = target[2:] if target.startswith("b/") else ""
            if path:
                files.add(path)
        elif raw.startswith("@@"):
            m = re.search(r"\+(\d+)", raw)
            line = int(m.group(1)) if m else 0
        elif raw.startswith("+") and path:
            out.append(Added(path, line, raw[1:]))
            line += 1
        elif raw.startswith("-") and not raw.startswith("---"):
            removed.add(raw[1:])
        elif raw.startswith(" "):
            line += 1
    return out, files, removed


def audit(diff: str, watched: dict[str, str]) -> list[Finding]:
    """Findings for `diff`. `watched` maps the paths of protected, test and benchmark files
    to their text (literal inputs are looked up there)."""
    lines, files, removed = added_lines(diff)
    findings: list[Finding] = []
    for f in sorted(files):
        name = PurePosixPath(f).name
        if name in HOOK_FILES or name.endswith(".pth"):
            findings.append(Finding("hook-file", f, 1, f"adds or changes {name}, which Python "
                                    "or pytest load before the code under test"))
    names = _watched_names(watched)
    bench_literals = _literals("\n".join(watched.values()))
    removed_literals = _literals("\n".join(removed))
    for a in lines:
        code = a.text.split("#", 1)[0] if not a.text.lstrip().startswith(("'", '"')) else a.text
        if TIMER.search(code):
            findings.append(Finding("patches-runtime", a.path, a.line,
                                    f"patches timers, exit or builtins: {a.text.strip()[:100]}"))
        if BROAD_EXCEPT.search(code):
            findings.append(Finding("broad-except", a.path, a.line,
                                    f"broad except can swallow a failed check: "
                                    f"{a.text.strip()[:100]}"))
        if EQ_OVERRIDE.search(code):
            findings.append(Finding("overrides-eq", a.path, a.line,
                                    "overrides __eq__/__ne__/__hash__, which a result check "
                                    "may rely on"))
        if HOOK_WRITE.search(code):
            findings.append(Finding("writes-hook", a.path, a.line,
                                    f"mentions an interpreter/pytest hook file: "
                                    f"{a.text.strip()[:100]}"))
        for name in sorted(names):
            if name in code:
                findings.append(Finding("reads-data", a.path, a.line,
                                        f"refers to benchmark/test file {name!r}"))
                break
        hits = sorted((_literals(code) & bench_literals) - removed_literals)
        if hits:
            findings.append(Finding("special-cases-input", a.path, a.line,
                                    f"uses literal(s) {', '.join(hits[:3])} that appear in the "
                                    "benchmark or tests"))
    return findings


def _watched_names(watched: dict[str, str]) -> set[str]:
    """Distinctive names of watched files: their paths and base names (not too generic)."""
    names: set[str] = set()
    for path in watched:
        p = PurePosixPath(path)
        names.add(path)
        if len(p.stem) >= 4 and p.name not in ("__init__.py", "hone.toml"):
            names.add(p.name)
    return names


def _literals(text: str) -> set[str]:
    """Distinctive literals: strings of 6+ characters, numbers of 3+ significant digits."""
    out: set[str] = set()
    for m in LITERAL.finditer(text):
        if m.group("str"):
            out.add(m.group("str")[1:-1])
        else:
            num = m.group("num").replace("_", "")
            digits = num.lstrip("-").split("e")[0].split("E")[0].replace(".", "").strip("0")
            if len(digits) >= 3:
                out.add(num)
    return out


def findings_json(findings: Iterable[Finding]) -> list[dict[str, object]]:
    return [f.to_json() for f in findings]
