"""SEARCH/REPLACE edits: parse them from a model's answer and apply them to a worktree.

Parsing is liberal (fenced or not, CRLF, decorated paths, several files and blocks, a block
without a path reuses the previous one). Applying is all-or-nothing: every path is checked
(`EditRejected`: protected, not editable, outside the worktree) and every block matched in memory
(`EditFailed`: no match, ambiguous, missing file) before anything is written. A block matches
exactly, else ignoring trailing spaces, else ignoring all whitespace, if that match is unique.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from hone.resolve import resolved
from hone.vcs.paths import PathRules

_SEARCH = re.compile(r"^\s*<{5,9}\s*SEARCH\b.*$")
_DIVIDER = re.compile(r"^\s*={5,9}\s*$")
_REPLACE = re.compile(r"^\s*>{5,9}\s*REPLACE\b.*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_HYPOTHESIS = re.compile(r"^[\s>#*_-]*hypothesis[\s*_]*:[\s*_]*(.+)$", re.IGNORECASE)
_PATH_DECOR = re.compile(r"^(?:#+\s*|[-*]\s+)?(?:(?:file|path|filename)\s*:\s*)?", re.IGNORECASE)


@dataclass(frozen=True)
class Edit:
    """Replace `search` (lines, newline-terminated; empty = create the file) by `replace`."""

    path: str
    search: str
    replace: str


@dataclass(frozen=True)
class Parsed:
    hypothesis: str
    edits: list[Edit]
    problems: list[str]  # malformed blocks: the answer is unusable if any


class EditFailed(Exception):
    """The edits could not be applied (the attempt fails; the reason reaches the next prompt)."""


class EditRejected(Exception):
    """The edits break a rule (protected or non-editable path, escape from the worktree)."""


def parse_hypothesis(text: str) -> str:
    for line in text.replace("\r\n", "\n").split("\n"):
        m = _HYPOTHESIS.match(line)
        if m:
            return m.group(1).strip().strip("*_` ").strip()[:500]
    return ""


def _as_path(line: str) -> str | None:
    """The path a line names (`src/a.py`, `**src/a.py**`, `File: src/a.py`, ...), else None."""
    s = _PATH_DECOR.sub("", line.strip()).strip().strip("*_`'\"").strip().rstrip(":").strip()
    s = s.strip("*_`'\"")
    if not s or any(c.isspace() for c in s) or s.startswith(("<<<", "===", ">>>")):
        return None
    return s


def parse_edits(text: str) -> Parsed:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    edits: list[Edit] = []
    problems: list[str] = []
    last_path: str | None = None
    i = 0
    while i < len(lines):
        if not _SEARCH.match(lines[i]):
            i += 1
            continue
        path = _path_before(lines, i) or last_path
        j = i + 1
        search: list[str] = []
        while j < len(lines) and not _DIVIDER.match(lines[j]) and not _REPLACE.match(lines[j]):
            search.append(lines[j])
            j += 1
        if j >= len(lines) or not _DIVIDER.match(lines[j]):
            problems.append(f"block at line {i + 1} has no ======= divider (answer cut short?)")
            break
        k = j + 1
        replace: list[str] = []
        while k < len(lines) and not _REPLACE.match(lines[k]):
            if _SEARCH.match(lines[k]):
                break
            replace.append(lines[k])
            k += 1
        if k >= len(lines) or not _REPLACE.match(lines[k]):
            problems.append(f"block at line {i + 1} has no >>>>>>> REPLACE end "
                            "(answer cut short?)")
            break
        if path is None:
            problems.append(f"block at line {i + 1} is not preceded by a file path")
        else:
            edits.append(Edit(path, _join(search), _join(replace)))
            last_path = path
        i = k + 1
    return Parsed(parse_hypothesis(text), edits, problems)


def _path_before(lines: list[str], i: int) -> str | None:
    """The path on the nearest non-blank, non-fence line above the SEARCH marker."""
    for back in range(i - 1, max(-1, i - 4), -1):
        line = lines[back]
        if not line.strip():
            continue
        if _FENCE.match(line):
            # a path may share the fence line: ```python src/a.py
            rest = _FENCE.sub("", line).strip().split()
            if len(rest) == 1 and ("/" in rest[0] or "." in rest[0]):
                return _as_path(rest[0])
            continue
        if _REPLACE.match(line):
            return None
        return _as_path(line)
    return None


def _join(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines) if any(x.strip() for x in lines) else ""


def check_path(workdir: Path, path: str, rules: PathRules) -> str:
    """The normalised relative path; EditRejected when it escapes or breaks a path rule."""
    raw = path.replace("\\", "/")
    pure = PurePosixPath(raw)
    if pure.is_absolute() or raw.startswith("~") or ".." in pure.parts or re.match(
            r"^[A-Za-z]:", raw):
        raise EditRejected(f"edit to {path!r} escapes the worktree")
    rel = str(PurePosixPath(*[p for p in pure.parts if p not in ("", ".")]))
    if rel in ("", "."):
        raise EditRejected(f"edit to {path!r} names no file")
    root = resolved(workdir)
    target = resolved(workdir / rel)
    if not target.is_relative_to(root) or target == root:
        raise EditRejected(f"edit to {path!r} escapes the worktree")
    if rules.is_protected(rel):
        raise EditRejected(f"edit to protected path {rel}")
    if not rules.is_editable(rel):
        raise EditRejected(f"edit to {rel}, which is outside the editable paths")
    return rel


def apply_edits(workdir: Path, edits: list[Edit], rules: PathRules) -> list[str]:
    """Apply every edit or none; returns the changed paths in order of first edit."""
    if not edits:
        raise EditFailed("no SEARCH/REPLACE block found in the answer")
    rels = [check_path(workdir, e.path, rules) for e in edits]  # all rule checks first
    contents: dict[str, str] = {}
    created: set[str] = set()
    for rel, edit in zip(rels, edits, strict=True):
        if rel not in contents:
            file = workdir / rel
            if file.is_dir():
                raise EditFailed(f"{rel} is a directory")
            # bytes, not read_text: universal newlines would turn a CRLF file into LF
            contents[rel] = file.read_bytes().decode("utf-8", errors="surrogateescape") if (
                file.exists()) else ""
            if not file.exists():
                created.add(rel)
        old = contents[rel]
        if not edit.search:
            if old.strip() and rel not in created:
                raise EditFailed(f"empty SEARCH for {rel}, which already exists: an empty "
                                 "SEARCH creates a file; quote the lines to change instead")
            contents[rel] = old + edit.replace
            continue
        if rel in created and not old:
            raise EditFailed(f"{rel} does not exist (use an empty SEARCH to create it)")
        contents[rel] = replace_block(old, edit.search, edit.replace, rel)
    for rel, text in contents.items():
        target = workdir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        write_whole(target, text.encode("utf-8", errors="surrogateescape"))
    return list(contents)


def write_whole(path: Path, data: bytes) -> None:
    """Make `data` the whole content of `path`. An existing file is overwritten in place and
    then cut to length, not emptied first: ext4 writes out at close a file that was truncated
    to zero and written again (its `auto_da_alloc`), about 0.5 ms a file on this machine."""
    try:
        handle = open(path, "r+b")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        path.write_bytes(data)
        return
    with handle:
        handle.write(data)
        handle.truncate()


def _norm_rstrip(line: str) -> str:
    return line.rstrip()


def _norm_space(line: str) -> str:
    return "".join(line.split())


def replace_block(content: str, search: str, replace: str, rel: str) -> str:
    """`content` with the unique match of `search` replaced; EditFailed otherwise."""
    newline = "\r\n" if "\r\n" in content else "\n"
    file_lines = content.splitlines()
    wanted = search.splitlines()
    new = replace.splitlines()
    for norm in (None, _norm_rstrip, _norm_space):
        hits = _find(file_lines, wanted, norm)
        if len(hits) > 1:
            raise EditFailed(f"SEARCH block for {rel} matches {len(hits)} places "
                             f"(lines {', '.join(str(h + 1) for h in hits[:5])}); quote more "
                             f"lines to make it unique: {_head(wanted)}")
        if hits:
            at = hits[0]
            if norm is _norm_space:
                new = _reindent(new, wanted, file_lines[at:at + len(wanted)])
            out = file_lines[:at] + new + file_lines[at + len(wanted):]
            end = newline if content.endswith(("\n", "\r")) or not content else ""
            return newline.join(out) + (end if out else "")
    raise EditFailed(f"SEARCH block for {rel} does not match the file: {_head(wanted)}"
                     + _closest(file_lines, wanted))


def _find(file_lines: list[str], wanted: list[str],
          norm: Callable[[str], str] | None) -> list[int]:
    target = [norm(x) for x in wanted] if norm else wanted
    have = [norm(x) for x in file_lines] if norm else file_lines
    n = len(target)
    return [i for i in range(len(have) - n + 1) if have[i:i + n] == target]


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _reindent(new: list[str], wanted: list[str], found: list[str]) -> list[str]:
    """Shift the replacement by the indentation difference between SEARCH and the file."""
    pairs = [(w, f) for w, f in zip(wanted, found, strict=True) if w.strip()]
    if not pairs:
        return new
    w_ind, f_ind = _indent(pairs[0][0]), _indent(pairs[0][1])
    if f_ind.startswith(w_ind):
        extra = f_ind[len(w_ind):]
        return [extra + x if x.strip() else x for x in new]
    if w_ind.startswith(f_ind):
        cut = len(w_ind) - len(f_ind)
        return [x[cut:] if x[:cut].isspace() else x for x in new]
    return new


def _head(lines: list[str], n: int = 3) -> str:
    shown = [x.strip() for x in lines if x.strip()][:n]
    return " | ".join(shown)[:240]


def _closest(file_lines: list[str], wanted: list[str]) -> str:
    first = next((x.strip() for x in wanted if x.strip()), "")
    stripped = [x.strip() for x in file_lines]
    close = difflib.get_close_matches(first, stripped, n=1, cutoff=0.6)
    if not close:
        return ""
    return f" (closest line {stripped.index(close[0]) + 1}: {close[0][:120]})"
