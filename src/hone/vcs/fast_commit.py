"""A commit of everything in one of hone's worktrees, made in-process with libgit2.

It does what `git add --all && git commit` does there (no hooks, hone's identity, `-m` message
cleanup, HEAD left detached at the new commit, the index updated), about three times as fast
as the git processes. Whenever the result could differ from git's, it raises `Unsupported` and the
caller commits with git: see `commit`.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path
from typing import Any

from hone.vcs import libgit
from hone.vcs.git import IDENTITY
from hone.vcs.libgit import GITLINK, Unsupported

# Attributes under which git rewrites a file's content on its way into the repository (filters
# such as git-lfs, line-ending conversion, `$Id$` expansion, re-encoding).
_CONVERTING = ("filter", "text", "eol", "crlf", "ident", "working-tree-encoding")
_DELETED = 0  # a delta side's mode when the file is not there
_TREE = 0o040000
_LINK = 0o120000

# Commits known to hold no submodule (gitlink); bounded for long runs.
_NO_GITLINKS: dict[str, bool] = {}
_REMEMBERED = 1024
_MEMO_LOCK = threading.Lock()


def stripspace(message: str) -> str:
    """The message as `git commit -m` stores it (cleanup mode "whitespace"): trailing
    whitespace of each line and leading and trailing blank lines dropped, runs of blank lines
    made one, a final newline."""
    out: list[str] = []
    empties = 0
    for line in message.split("\n"):
        line = line.rstrip(" \t\r\n")  # git's isspace: no \v, no \f
        if not line:
            empties += 1
            continue
        if empties and out:
            out.append("")
        empties = 0
        out.append(line)
    return "".join(line + "\n" for line in out)


def commit(path: Path, parent: str, message: str, allowed_empty: bool,
           staged: bool = False) -> str | None:
    """Commit everything in the worktree at `path` (whose HEAD is `parent`, detached) on top
    of `parent`: the new commit's id, or None when nothing changed and `allowed_empty` is
    false. Stages the worktree's changes itself (`add_all`) unless `staged`: then the index
    is committed as it is (`git add --all` has just written it).

    Without `staged`, only for worktrees holding no file `parent` does not track: which new
    files to add is then nobody's call, whereas libgit2's ignore rules differ from git's in
    corners (`dir/*` then `!x.log` leaves `dir/x.log` out). `Unsupported` (nothing written but
    loose objects no ref reaches, as `git add` leaves) when git could have committed
    otherwise: pygit2 missing, a SHA-256 repository, settings or environment libgit2 does not
    share with git, a submodule, a path whose attributes convert its content, a mode git
    would not give, any libgit2 error."""
    pygit2 = libgit.pygit2()
    libgit.check_env()
    text = stripspace(message)
    if len(parent) != 40 or not text or "\0" in text:
        raise Unsupported("SHA-256, or a message git would refuse")
    repo, lock = libgit.OPENED.get(path)
    with lock:
        try:
            return _commit(pygit2, repo, path, parent, text, allowed_empty, staged)
        except Unsupported:
            raise
        except Exception as error:  # any libgit2 or pygit2 failure: git decides
            raise Unsupported(f"{type(error).__name__}: {error}") from None


def _commit(pygit2: Any, repo: Any, path: Path, parent: str, text: str,
            allowed_empty: bool, staged: bool) -> str | None:
    libgit.check_config(repo)
    if not repo.head_is_detached or str(repo.head.target) != parent:
        raise Unsupported("HEAD is not the detached parent")
    if repo.state() != 0:  # a merge (a merge attempt's two parents), cherry-pick, ...
        raise Unsupported("an operation in progress (MERGE_HEAD)")
    base = repo[parent].peel(pygit2.Commit).tree
    _check_no_gitlinks(repo, parent, base)
    index = repo.index
    index.read(True)  # git has written it since (checkout, add)
    if index.conflicts is not None:
        raise Unsupported("unmerged paths")
    if not staged:
        index.add_all()
    deltas = list(index.diff_to_tree(base).deltas)
    for delta in deltas:
        if delta.new_file.mode == GITLINK:
            raise Unsupported("a submodule")
        if not staged:
            _check_added(repo, path, delta.new_file)
    if not deltas and not allowed_empty:
        return None  # git refuses an empty commit: "nothing to commit"
    tree = index.write_tree()
    if not staged:
        index.write()
    name, email = IDENTITY["GIT_COMMITTER_NAME"], IDENTITY["GIT_COMMITTER_EMAIL"]
    signature = pygit2.Signature(name, email)  # now, in the local time zone, as git does
    sha = repo.create_commit(None, signature, signature, text, tree, [pygit2.Oid(hex=parent)])
    if not _move_head(repo.path, parent, str(sha)):
        repo.set_head(sha)  # detached at the new commit
    _remember(str(sha))  # its parent had no submodule, and none was added
    return str(sha)


def _move_head(gitdir: str, parent: str, sha: str) -> bool:
    """Whether the worktree's detached HEAD, which holds `parent`, now holds `sha`: written
    over in place, the two ids being of one length. Nothing else uses a worktree hone owns, so
    git's lock file, renamed over HEAD, guards against nobody, and on ext4 a file renamed over
    another is written out at once (about 0.5 ms); the HEAD reflog is left alone (every
    attempt has its own ref). False, nothing written, when HEAD holds anything else or a lock
    file is there: libgit2 then moves it."""
    head = os.path.join(gitdir, "HEAD")
    old, new = f"{parent}\n".encode(), f"{sha}\n".encode()
    try:
        fd = os.open(head, os.O_RDWR | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        if (len(old) != len(new) or os.pread(fd, len(old) + 1, 0) != old
                or os.path.lexists(head + ".lock")):
            return False
        return os.pwrite(fd, new, 0) == len(new)
    except OSError:
        return False
    finally:
        os.close(fd)


def _check_added(repo: Any, path: Path, new: Any) -> None:
    """`Unsupported` unless libgit2 staged `new` (one side of a change) exactly as git would:
    no submodule, no attribute that converts content, the mode git gives the file on disk."""
    if new.mode == _DELETED:
        return
    raw = new.raw_path
    for name in _CONVERTING:
        if repo.get_attr(raw, name) not in (None, False):
            raise Unsupported(f"attribute {name} on {new.path}")
    info = os.lstat(path / os.fsdecode(raw))
    if stat.S_ISLNK(info.st_mode):
        mode = _LINK
    elif stat.S_ISREG(info.st_mode):
        mode = 0o100755 if info.st_mode & stat.S_IXUSR else 0o100644  # git's canon_mode
    else:
        mode = -1
    if new.mode != mode:
        raise Unsupported(f"mode {new.mode:o} of {new.path}")


def _check_no_gitlinks(repo: Any, commit: str, tree: Any) -> None:
    """`Unsupported` when `commit`'s tree holds a submodule; remembered per commit."""
    if commit in _NO_GITLINKS:
        return
    trees = [tree]
    while trees:
        for entry in trees.pop():
            if entry.filemode == GITLINK:
                raise Unsupported("a submodule")
            if entry.filemode == _TREE:
                trees.append(repo[entry.id])
    _remember(commit)


def _remember(commit: str) -> None:
    with _MEMO_LOCK:
        _NO_GITLINKS[commit] = True
        while len(_NO_GITLINKS) > _REMEMBERED:
            del _NO_GITLINKS[next(iter(_NO_GITLINKS))]
