"""`Repo.change` in-process: the bytes `git diff <change.ARGS> old new` prints, written from
libgit2's tree diff, so that `change.parse` reads them exactly as it reads git's.

libgit2 diffs lines with the same xdiff code as git (Myers, indent heuristic); the text around
the hunks (headers, quoting, abbreviated ids, function lines) is written here as git writes it.
Whatever could come out otherwise (a `diff` attribute, a submodule, a type change, settings
libgit2 does not share) raises `Unsupported`, and the caller asks git.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from hone.vcs import gitdiff_text, libgit, objects
from hone.vcs.change import Change, parse
from hone.vcs.gitdiff_text import func_line, hunk_range, quote
from hone.vcs.libgit import GITLINK, Unsupported

_BINARY_PROBE = 8000  # git looks for a NUL in this many leading bytes (buffer_is_binary)
_BIG = 512 << 20  # core.bigFileThreshold's default: bigger files are binary without a look
_NO_NEWLINE = b"\n\\ No newline at end of file\n"
_STATUS = {"A", "D", "M"}
# What subprocess.run(text=True) decodes git's output with (git.run_git): the default encoding
# of a text stream.
_ENCODING = io.TextIOWrapper(io.BytesIO()).encoding


def change(root: Path, old: str, new: str) -> Change:
    """What `git diff` says commit `new` changed against commit `old` in the repository at
    `root`, as `change.parse` reads it from git's output. `Unsupported` when libgit2 could
    disagree with git or the output would not decode as git's does in `git.git`."""
    libgit.pygit2()
    libgit.check_env()
    if not (objects.is_sha(old) and objects.is_sha(new)) or len(old) != 40 or len(new) != 40:
        raise Unsupported("not SHA-1 commit ids")
    repo, lock = libgit.OPENED.get(root)
    with lock:
        try:
            out = _output(repo, root, old, new)
        except Unsupported:
            raise
        except Exception as error:  # any libgit2 or pygit2 failure: git decides
            raise Unsupported(f"{type(error).__name__}: {error}") from None
    try:  # as subprocess.run(text=True) decodes git's output: locale, universal newlines
        text = out.decode(_ENCODING)
    except UnicodeDecodeError:
        raise Unsupported("output git.py cannot decode") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n").removesuffix("\n")
    return parse(text + "\n" if text else "")


def _output(repo: Any, root: Path, old: str, new: str) -> bytes:
    pygit2 = libgit.pygit2()
    libgit.check_config(repo)
    trees = [repo[sha].peel(pygit2.Commit).tree for sha in (old, new)]
    flags = pygit2.enums.DiffOption.INDENT_HEURISTIC | pygit2.enums.DiffOption.INCLUDE_TYPECHANGE
    diff = trees[0].diff_to_tree(trees[1], flags=flags, context_lines=0, interhunk_lines=0)
    length = gitdiff_text.default_abbrev(Path(repo.path) / "objects")
    raw: list[bytes] = []
    numstat: list[bytes] = []
    patch: list[bytes] = []
    for one in diff:
        record, counts, text = _file(repo, one, length)
        raw.append(record)
        numstat.append(counts)
        patch.append(text)
    if not raw:
        return b""
    return b"".join(raw) + b"".join(numstat) + b"\0" + b"".join(patch)


def _file(repo: Any, one: Any, length: int) -> tuple[bytes, bytes, bytes]:
    """One changed file: its raw record, its numstat record and its patch."""
    delta = one.delta
    status = delta.status_char()
    a, b = delta.old_file, delta.new_file
    path = b.raw_path
    if status not in _STATUS or GITLINK in (a.mode, b.mode) or a.raw_path != path:
        raise Unsupported(f"status {status} of {b.path}")
    if repo.get_attr(path, "diff") is not None:
        raise Unsupported(f"a diff attribute on {b.path}")
    old_id, new_id = str(a.id), str(b.id)
    record = b":%06o %06o %s %s %s\0%s\0" % (a.mode, b.mode, old_id.encode(),
                                               new_id.encode(), status.encode(), path)
    header = _header(repo, path, a.mode, b.mode, old_id, new_id, length)
    if old_id == new_id:  # the mode alone changed
        return record, b"0\t0\t" + path + b"\0", header
    labels = (b"/dev/null" if status == "A" else quote(b"a/", path),
              b"/dev/null" if status == "D" else quote(b"b/", path))
    datas = [repo[oid].data if mode else b"" for oid, mode in ((a.id, a.mode), (b.id, b.mode))]
    if _binary(datas, delta.is_binary, b.path):
        return (record, b"-\t-\t" + path + b"\0",
                header + b"Binary files %s and %s differ\n" % labels)
    hunks, added, removed = _hunks(one, datas[0])
    if hunks:
        tabs = [b"\t" if b" " in label else b"" for label in labels]
        header += b"--- %s%s\n+++ %s%s\n" % (labels[0], tabs[0], labels[1], tabs[1])
    return record, b"%d\t%d\t%s\0" % (added, removed, path), header + hunks


def _binary(datas: list[bytes], libgit2_says: bool, path: str) -> bool:
    """Whether git diffs these two contents as binary (a NUL near the start of either);
    `Unsupported` when libgit2 disagrees the way that would lose the hunks, or when git would
    not even look (bigger than core.bigFileThreshold)."""
    if max(len(data) for data in datas) > _BIG:
        raise Unsupported(f"{path} is bigger than core.bigFileThreshold")
    if any(b"\0" in data[:_BINARY_PROBE] for data in datas):
        return True
    if libgit2_says:
        raise Unsupported(f"libgit2 finds {path} binary, git would not")
    return False


def _header(repo: Any, path: bytes, old_mode: int, new_mode: int, old_id: str, new_id: str,
            length: int) -> bytes:
    """`diff --git`, the mode lines and the `index` line of one file."""
    out = b"diff --git %s %s\n" % (quote(b"a/", path), quote(b"b/", path))
    if not old_mode:
        out += b"new file mode %06o\n" % new_mode
    elif not new_mode:
        out += b"deleted file mode %06o\n" % old_mode
    elif old_mode != new_mode:
        out += b"old mode %06o\nnew mode %06o\n" % (old_mode, new_mode)
    if old_id != new_id:
        ids = (gitdiff_text.abbrev(repo, sha, length).encode() for sha in (old_id, new_id))
        out += b"index %s..%s" % tuple(ids)
        out += (b" %06o\n" % new_mode) if old_mode == new_mode else b"\n"
    return out


def _hunks(one: Any, old: bytes) -> tuple[bytes, int, int]:
    """The hunks of one text file without context lines, with git's function lines, and the
    lines added and removed."""
    lines = old.split(b"\n")
    out: list[bytes] = []
    added = removed = 0
    func: bytes = b""
    limit = -1
    for hunk in one.hunks:
        start = hunk.old_start - 1 if hunk.old_lines else hunk.old_start  # 0-based
        limit, found = func_line(lines, start, limit)
        func = found if found is not None else func
        out.append(b"@@ -%s +%s @@%s\n" % (hunk_range(hunk.old_start, hunk.old_lines),
                                           hunk_range(hunk.new_start, hunk.new_lines),
                                           b" " + func if func else b""))
        for line in hunk.lines:
            if line.origin in "<>=":
                continue  # libgit2's own "no newline" markers: written below as git does
            if line.origin not in "+-":
                raise Unsupported("a context line in a hunk without context")
            added += line.origin == "+"
            removed += line.origin == "-"
            content = line.raw_content
            out.append(line.origin.encode() + content
                       + (b"" if content.endswith(b"\n") else _NO_NEWLINE))
    return b"".join(out), added, removed
