"""What a shell command really opens: its arguments that are paths of the repository.

A command is split as the shell splits it (quotes, `&&`, `;`, `|`); leading `NAME=VALUE`
assignments (`PYTHONPATH=src python3 -m pytest`) are environment, not paths, and so are the
words of `python -c CODE`. A word is a path only when it is exactly a tracked file or a folder
that holds tracked files, never because it appears inside a longer word.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_OPERATORS = {"&&", "||", ";", "|", "&", "(", ")", ";;", "|&"}
_PYTHONS = re.compile(r"(.*/)?(python|python3|python3\.\d+|pypy3?)$")


@dataclass(frozen=True)
class Named:
    """A path a command names: a tracked file or a folder (`folder/`), and how: `runs` when
    the command executes it (`python3 bench.py`, `python3 -m bench`), else `names`."""

    path: str
    runs: bool = False

    @property
    def folder(self) -> bool:
        return self.path.endswith("/")


def simple_commands(command: str) -> list[list[str]]:
    """The simple commands of a shell line, each as its words, leading assignments dropped.
    An unbalanced quote falls back to splitting on white space."""
    command = command.replace("{seed}", "1")
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        words = list(lexer)
    except ValueError:
        words = command.split()
    out: list[list[str]] = [[]]
    for word in words:
        if word in _OPERATORS:
            out.append([])
        elif out[-1] or not _ASSIGNMENT.match(word):
            out[-1].append(word)
    return [_without_env(c) for c in out if c]


def _without_env(words: list[str]) -> list[str]:
    """`env A=1 python3 x.py` -> `python3 x.py`."""
    if words and words[0] == "env":
        rest = words[1:]
        while rest and (_ASSIGNMENT.match(rest[0]) or rest[0].startswith("-")):
            rest = rest[1:]
        return rest
    return words


def _candidates(words: list[str]) -> Iterator[tuple[str, bool]]:
    """(word, runs) for every word that may be a path: `python -m mod` gives `mod.py` and
    `mod/__main__.py`, `--opt=VALUE` gives VALUE, `python -c CODE` gives nothing of CODE."""
    python = bool(words) and bool(_PYTHONS.match(words[0]))
    yield from _makefiles(words)
    script_seen = False
    for i, word in enumerate(words):
        before = words[i - 1] if i else ""
        if python and word == "-c":
            return
        if python and before == "-m":
            module = word.replace(".", "/")
            yield from ((f"{module}.py", True), (f"{module}/__main__.py", True))
            script_seen = True
        elif word.startswith("-"):
            if "=" in word:
                yield word.split("=", 1)[1], False
        else:
            # The program itself, or the script python runs (its first plain argument).
            yield word, i == 0 or (python and not script_seen)
            script_seen = script_seen or i > 0


def _makefiles(words: list[str]) -> Iterator[tuple[str, bool]]:
    """make runs the Makefile of its folder (`-C DIR`: of DIR) without naming it."""
    if words[0].rsplit("/", 1)[-1] not in ("make", "gmake"):
        return
    folder = words[words.index("-C") + 1] + "/" if "-C" in words[:-1] else ""
    yield from ((f"{folder}{name}", True) for name in ("GNUmakefile", "makefile", "Makefile"))


def named_paths(command: str, tracked: Iterable[str]) -> list[Named]:
    """The tracked files and folders (`folder/`) that `command`'s words are, in order."""
    tracked_set = set(tracked)
    found: list[Named] = []
    for words in simple_commands(command):
        for word, runs in _candidates(words):
            rel = _normal(word)
            if not rel:
                continue
            if rel in tracked_set:
                path = rel
            elif any(t.startswith(rel + "/") for t in tracked_set):
                path = rel + "/"
            else:
                continue
            if path not in [n.path for n in found]:
                found.append(Named(path, runs))
    return found


def _normal(word: str) -> str:
    """`./a/b/` -> `a/b`; '' for what cannot be a relative path of the repository."""
    if not word or word.startswith(("/", "~", "$")) or "\n" in word:
        return ""
    parts = [p for p in word.split("/") if p not in ("", ".")]
    if ".." in parts:
        return ""
    return "/".join(parts)
