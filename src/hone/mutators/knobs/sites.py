"""Where the numeric literals of the editable files are, and their neighbour values.

A line carrying `hone: tune` (or a knob mark, `hone: knob LOW..HIGH`) marks its literals; once
any line of the editable files is marked, only marked lines are used. A line carrying
`hone: fixed` is never touched.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

MARK_TUNE = "hone: tune"
MARK_KNOB = "hone: knob"
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


@dataclass(frozen=True)
class FileSites:
    """One readable editable file: its lines and every literal in its code (marks ignored)."""

    path: str
    lines: list[str]
    sites: list[Site]


def read_sites(root: Path, files: list[str]) -> list[FileSites]:
    """The literals of each file under `root` that is readable text of at most
    `MAX_FILE_BYTES` (others are skipped); strings and comments hold none."""
    out = []
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
        out.append(FileSites(rel, lines, found))
    return out


def find_sites(root: Path, files: list[str]) -> list[Site]:
    """Every mutable literal in the files; only marked lines when any line is marked."""
    sites: list[Site] = []
    marked: list[Site] = []
    for file in read_sites(root, files):
        for site in file.sites:
            line = file.lines[site.line - 1]
            if MARK_FIXED in line:
                continue
            (marked if MARK_TUNE in line or MARK_KNOB in line else sites).append(site)
    return marked or sites


def _python_sites(rel: str, text: str) -> list[Site]:
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return _text_sites(rel, text.splitlines())
    return [Site(rel, t.start[0], t.start[1], t.string) for t in tokens
            if t.type == tokenize.NUMBER and parse_number(t.string) is not None]


def _text_sites(rel: str, lines: list[str]) -> list[Site]:
    out = []
    ext = rel.rsplit(".", 1)[-1].lower() if "." in rel.rsplit("/", 1)[-1] else ""
    comment = _COMMENTS.get(ext, _DEFAULT_COMMENT)
    for i, line in enumerate(lines, 1):
        code = comment.sub("", line) if MARK_TUNE not in line else line.split(MARK_TUNE)[0]
        out += [Site(rel, i, m.start(), m.group(0)) for m in _NUMBER.finditer(code)]
    return out


def assigned_name(line: str, col: int) -> str:
    """The name assigned on `line` before column `col` (`BLOCK` in `BLOCK = 64`), or ''."""
    match = _NAME.search(line[:col])
    return match.group(1) if match else ""


def parse_number(text: str) -> int | float | None:
    """The value of a literal's text: an int when it reads as one, else a float, else None."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return None


def format_float(value: float) -> str:
    """A float literal of 6 significant digits that still reads as a float (`2.0`, `1e-05`)."""
    text = f"{value:.6g}"
    return text if "." in text or "e" in text or "n" in text else text + ".0"


def neighbours(text: str) -> list[str]:
    """Candidate replacements for a literal, smaller ones first."""
    value = parse_number(text)
    if isinstance(value, int):
        cands = {value - 1, value + 1, value * 2, value // 2, round(value * 1.5),
                 round(value / 1.5)}
        return [str(v) for v in sorted(cands) if v != value and v >= 0]
    if isinstance(value, float):
        out = []
        for step in FLOAT_STEPS:
            new = format_float(value * step)
            if new != text and parse_number(new) != value:
                out.append(new)
        return out
    return []


def replace_sites(root: Path, changes: list[tuple[Site, str]]) -> None:
    """Write each new text over its site's literal (sites of one line: at most one each,
    as a knob line holds one literal); the bytes around them are kept as they were."""
    by_path: dict[str, list[tuple[Site, str]]] = {}
    for site, new in changes:
        by_path.setdefault(site.path, []).append((site, new))
    for rel, edits in by_path.items():
        path = root / rel
        lines = path.read_bytes().decode("utf-8").splitlines(keepends=True)
        # right to left, so that an edit does not move the columns of the next one
        for site, new in sorted(edits, key=lambda e: (e[0].line, e[0].col), reverse=True):
            line = lines[site.line - 1]
            assert line[site.col:site.col + len(site.text)] == site.text
            lines[site.line - 1] = line[:site.col] + new + line[site.col + len(site.text):]
        path.write_bytes("".join(lines).encode("utf-8"))
