"""The pieces of `git diff`'s patch text that are git's own conventions, written as git writes
them: quoted paths, abbreviated object ids, hunk headers with their function line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hone.vcs import libgit
from hone.vcs.libgit import Unsupported

# Bytes git writes as a letter escape inside a quoted path (quote.c, cq_lookup).
_LETTERS = {0x07: b"a", 0x08: b"b", 0x09: b"t", 0x0A: b"n", 0x0B: b"v", 0x0C: b"f",
            0x0D: b"r", 0x22: b'"', 0x5C: b"\\"}
_NULL = "0" * 40
_MIN_ABBREV = 7  # git's FALLBACK_DEFAULT_ABBREV
_FUNC_MAX = 80  # xemit.c: struct func_line's buffer
_SPACE = b" \t\r\n"  # git's isspace


def quote(prefix: bytes, path: bytes) -> bytes:
    """`prefix + path` as git prints it with core.quotePath on: verbatim, or in double quotes
    with C escapes when it holds a control character, a quote, a backslash or a non-ASCII
    byte (quote_two)."""
    name = prefix + path
    if not any(c < 0x20 or c >= 0x7F or c in (0x22, 0x5C) for c in name):
        return name
    out = bytearray(b'"')
    for c in name:
        if c in _LETTERS:
            out += b"\\" + _LETTERS[c]
        elif c < 0x20 or c >= 0x7F:
            out += b"\\%03o" % c
        else:
            out.append(c)
    return bytes(out + b'"')


def default_abbrev(objects: Path) -> int:
    """The length git starts abbreviating object ids at when core.abbrev is unset: 7, or more
    for repositories with many packed objects (find_unique_abbrev_r: half the bits of the
    packed-object count, rounded up). `Unsupported` where git counts objects elsewhere too
    (a multi-pack index, alternates)."""
    pack = objects / "pack"
    if (pack / "multi-pack-index").exists() or (objects / "info" / "alternates").exists():
        raise Unsupported("a multi-pack index or alternates")
    count = 0
    for idx in pack.glob("*.idx") if pack.is_dir() else []:
        with idx.open("rb") as fh:
            head = fh.read(8 + 256 * 4)
        fanout = 8 if head[:4] == b"\377tOc" else 0  # version 2 has a header, 1 has none
        count += int.from_bytes(head[fanout + 255 * 4:fanout + 256 * 4], "big")
    bits = count.bit_length()  # git's msb(count) + 1
    return max(_MIN_ABBREV, (bits + 1) // 2)


def abbrev(repo: Any, sha: str, length: int) -> str:
    """`sha`'s shortest unique prefix of at least `length` hex digits, as git prints it in an
    `index` line; the null id stays zeros (`Unsupported` if some object would lengthen it)."""
    errors = libgit.pygit2()
    if sha == _NULL:
        try:
            repo.expand_id(sha[:length])
        except KeyError:
            return sha[:length]
        except errors.AmbiguousError:
            pass
        raise Unsupported("an object id starts with zeros")
    while length < len(sha):
        try:
            repo.expand_id(sha[:length])
            return sha[:length]
        except errors.AmbiguousError:  # one more digit
            length += 1
    return sha


def func_line(lines: list[bytes], start: int, limit: int) -> tuple[int, bytes | None]:
    """git's default function line for a hunk whose old side starts at 0-based line `start`:
    the nearest line above it, not at or above `limit` (the previous hunk's search start),
    that begins with a letter, `_` or `$`, cut to 80 bytes and stripped of trailing blanks
    (xemit.c get_func_line with def_ff). (search position for the next hunk, line or None:
    then the previous hunk's line stands)."""
    first = start - 1
    for number in range(first, max(limit, -1), -1):
        rec = lines[number]
        if rec and (rec[:1].isalpha() or rec[:1] in (b"_", b"$")):
            return first, rec[:_FUNC_MAX].rstrip(_SPACE)
    return first, None


def hunk_range(start: int, count: int) -> bytes:
    """One side of a hunk header: `start` alone for one line, `start,count` otherwise."""
    return b"%d" % start if count == 1 else b"%d,%d" % (start, count)
