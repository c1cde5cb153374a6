"""The `classic` mutator: no LLM; perturbs one numeric literal in an editable file.

Floats move by a multiplicative step, ints to a neighbour value. A line carrying `hone: tune`
marks its literals; once any line in the editable files is marked, only marked lines are used.
A line carrying `hone: fixed` is never touched. It climbs: after a kept change it tries the same
direction on the same literal again half of the time.
"""

from __future__ import annotations

import io
import random
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

from hone.mutators.base import MUTATORS, Mutator, MutatorExhausted, Proposal, ProposalContext
from hone.records import Status

MARK_TUNE = "hone: tune"
MARK_FIXED = "hone: fixed"
FLOAT_STEPS = (0.5, 0.8, 0.9, 1.1, 1.25, 2.0)
MAX_FILE_BYTES = 256 * 1024
_NUMBER = re.compile(r"(?<![\w.])(\d+\.\d*(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+|\.\d+|\d+)(?![\w.])")
# Line comments by file type; `#` is not one in C (`#define N 128` is code).
_SLASH = re.compile(r"//.*$")
_HASH = re.compile(r"#.*$")
_COMMENTS = {
    **dict.fromkeys(("c", "h", "cc", "cpp", "hpp", "cu", "cuh", "v", "sv", "vh", "svh", "java",
                     "js", "ts", "rs", "go", "swift", "kt", "scala", "cs", "zig"), _SLASH),
    **dict.fromkeys(("sh", "bash", "toml", "yaml", "yml", "cfg", "mk", "r", "rb", "pl", "s",
                     "cmake", "nix", "tcl", "xdc", "sdc", "cst"), _HASH),
    **dict.fromkeys(("sql", "lua", "hs", "vhd", "vhdl", "ada"), re.compile(r"--.*$")),
    **dict.fromkeys(("ini", "asm", "lisp", "el", "clj"), re.compile(r";.*$")),
}
_DEFAULT_COMMENT = re.compile(r"(#|//).*$")
_NAME = re.compile(r"([A-Za-z_][\w.]*)\s*(?::[^=]*)?=[^=]")


@dataclass(frozen=True)
class Site:
    """A numeric literal: file, 1-based line, 0-based column, its text."""

    path: str
    line: int
    col: int
    text: str

    @property
    def key(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


def find_sites(root: Path, files: list[str]) -> list[Site]:
    """Every mutable literal in the files; only marked lines when any line is marked."""
    sites: list[Site] = []
    marked: list[Site] = []
    for rel in files:
        path = root / rel
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        lines = text.splitlines()
        found = _python_sites(rel, text) if rel.endswith(".py") else _text_sites(rel, lines)
        for site in found:
            line = lines[site.line - 1]
            if MARK_FIXED in line:
                continue
            (marked if MARK_TUNE in line else sites).append(site)
    return marked or sites


def _python_sites(rel: str, text: str) -> list[Site]:
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return _text_sites(rel, text.splitlines())
    return [Site(rel, t.start[0], t.start[1], t.string) for t in tokens
            if t.type == tokenize.NUMBER and _parse(t.string) is not None]


def _text_sites(rel: str, lines: list[str]) -> list[Site]:
    out = []
    ext = rel.rsplit(".", 1)[-1].lower() if "." in rel.rsplit("/", 1)[-1] else ""
    comment = _COMMENTS.get(ext, _DEFAULT_COMMENT)
    for i, line in enumerate(lines, 1):
        code = comment.sub("", line) if MARK_TUNE not in line else line.split(MARK_TUNE)[0]
        out += [Site(rel, i, m.start(), m.group(0)) for m in _NUMBER.finditer(code)]
    return out


def _parse(text: str) -> int | float | None:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return None


def neighbours(text: str) -> list[str]:
    """Candidate replacements for a literal, smaller ones first."""
    value = _parse(text)
    if isinstance(value, int):
        cands = {value - 1, value + 1, value * 2, value // 2, round(value * 1.5),
                 round(value / 1.5)}
        return [str(v) for v in sorted(cands) if v != value and v >= 0]
    if isinstance(value, float):
        out = []
        for step in FLOAT_STEPS:
            new = f"{value * step:.6g}"
            if "." not in new and "e" not in new:
                new += ".0"
            if new != text and _parse(new) != value:
                out.append(new)
        return out
    return []


def _untried_neighbours(site: Site, tried: set[tuple[object, object]]) -> list[str]:
    return [o for o in neighbours(site.text) if (site.key, o) not in tried]


@MUTATORS.register("classic")
class ClassicMutator(Mutator):
    name = "classic"

    def propose(self, ctx: ProposalContext) -> Proposal:
        rng = random.Random(f"{ctx.run}:{ctx.attempt_id}")
        sites = find_sites(ctx.workdir, ctx.editable)
        if not sites:
            raise MutatorExhausted("no numeric literal to perturb in the editable files "
                                   f"(mark lines with '# {MARK_TUNE}')")
        tried = {(a.notes.get("site"), a.notes.get("new")) for a in ctx.history
                 if a.parent == ctx.parent.id and a.mutator == self.name}
        choice = self._follow_success(ctx, sites, tried, rng)
        for _ in range(200):
            if choice is not None:
                break
            site = rng.choice(sites)
            options = [n for n in neighbours(site.text) if (site.key, n) not in tried]
            if options:
                choice = (site, rng.choice(options))
        if choice is None:
            raise MutatorExhausted("every neighbour of every literal was tried from this parent")
        site, new = choice
        return self._apply(ctx, site, new)

    def _follow_success(self, ctx: ProposalContext, sites: list[Site],
                        tried: set[tuple[object, object]],
                        rng: random.Random) -> tuple[Site, str] | None:
        """After a kept change, half of the time push the same literal the same way again."""
        last = ctx.parent
        if last.status is not Status.KEPT or last.mutator != self.name or rng.random() < 0.5:
            return None
        by_key = {s.key: s for s in sites}
        site = by_key.get(str(last.notes.get("site")))
        old, new = _parse(str(last.notes.get("old"))), _parse(str(last.notes.get("new")))
        if site is None or old is None or new is None or old == new:
            return None
        value = _parse(site.text)
        assert value is not None
        same_way = [o for o in _untried_neighbours(site, tried)
                    if ((_parse(o) or 0) > value) == (new > old)]
        if not same_way:
            return None
        # The smallest step in the same direction as the success.
        same_way.sort(key=lambda o: abs((_parse(o) or 0) - value))
        return site, same_way[0]

    def _apply(self, ctx: ProposalContext, site: Site, new: str) -> Proposal:
        path = ctx.workdir / site.path
        raw = path.read_bytes().decode("utf-8")
        lines = raw.splitlines(keepends=True)
        line = lines[site.line - 1]
        assert line[site.col:site.col + len(site.text)] == site.text
        lines[site.line - 1] = line[:site.col] + new + line[site.col + len(site.text):]
        path.write_bytes("".join(lines).encode("utf-8"))
        name_match = _NAME.search(line[:site.col])
        name = name_match.group(1) if name_match else line.strip()[:40]
        return Proposal(
            f"{name} = {site.text} -> {new} in {site.path}:{site.line}",
            notes={"site": site.key, "old": site.text, "new": new},
        )
