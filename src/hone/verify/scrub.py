"""Remove secrets from log text before it reaches a brief, a prompt, `show`, `tell` or a report.

`scrub(text)` replaces with `[scrubbed]`: the values of hone's own environment variables that
the jail withholds and that look like secrets, the lines of the credential files the jail hides
under $HOME (`jail_paths.HOME_SECRETS`), and known token shapes (API keys, private key blocks,
bearer tokens). It does not depend on the jail being on: with `[sandbox] enabled = false` a
candidate can read all of these, and the scrubber is then the only guard.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from hone.verify.jail_paths import home_secrets
from hone.verify.sandbox import ALLOWED_ENV, ALLOWED_PREFIXES, SECRET

__all__ = ["MARK", "scrub", "secrets_of"]

MARK = "[scrubbed]"
MIN_SECRET = 8  # shorter values are too common in ordinary output to be worth hiding
MIN_OPAQUE = 16  # a withheld value this long without spaces or slashes looks like a token
MAX_FILE_BYTES = 256 * 1024  # credential files larger than this are not read (histories)
MAX_FILES = 200  # per hidden folder (.gnupg, .password-store)
TOKENS = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)"
    r"|\bsk-[A-Za-z0-9_-]{16,}"  # OpenAI, Anthropic (sk-ant-...)
    r"|\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"
    r"|\bxox[abposr]-[A-Za-z0-9-]{10,}"  # Slack
    r"|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"  # AWS access key ids
    r"|\b(?:hf_[A-Za-z0-9]{20,}|glpat-[A-Za-z0-9_-]{20,}|AIza[0-9A-Za-z_-]{35})"
    r"|\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+",  # JWTs
    re.DOTALL)
BEARER = re.compile(r"\b(Bearer|Authorization: Basic)(\s+)[A-Za-z0-9._~+/=-]{8,}")


def scrub(text: str, environ: Mapping[str, str] | None = None) -> str:
    """`text` without the secrets of `environ` (default: hone's own) and its $HOME."""
    if not text:
        return text
    env = os.environ if environ is None else environ
    for secret in _secrets(_key(env)):
        if secret in text:
            text = text.replace(secret, MARK)
    text = TOKENS.sub(MARK, text)
    return BEARER.sub(lambda m: m.group(1) + m.group(2) + MARK, text)


def secrets_of(environ: Mapping[str, str]) -> tuple[str, ...]:
    """Every exact string `scrub` hides for `environ`, longest first."""
    return _secrets(_key(environ))


Key = tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]


def _key(environ: Mapping[str, str]) -> Key:
    """What the secrets depend on: the environment, and the credential files' sizes and times
    (so that a file written later is read again)."""
    home = environ.get("HOME", "")
    stamps = tuple((str(p), _stamp(p)) for p in home_secrets(Path(home))) if home else ()
    return tuple(sorted(environ.items())), stamps


def _stamp(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return ""
    return f"{st.st_mtime_ns}:{st.st_size}"


@functools.lru_cache(maxsize=8)
def _secrets(key: Key) -> tuple[str, ...]:
    environ = dict(key[0])
    found = {v.strip() for k, v in environ.items() if _withheld_secret(k, v)}
    home = environ.get("HOME", "")
    if home:
        for path in home_secrets(Path(home)):
            for text in _texts(path):
                found.update(line.strip() for line in text.splitlines())
    return tuple(sorted((s for s in found if len(s) >= MIN_SECRET), key=len, reverse=True))


def _withheld_secret(name: str, value: str) -> bool:
    """True for a variable the jail withholds whose value looks like a credential: named like
    one, or a long opaque word (paths and sentences are left alone: they fill tracebacks)."""
    if (name in ALLOWED_ENV or name.startswith(ALLOWED_PREFIXES)) and not SECRET.search(name):
        return False
    value = value.strip()
    if SECRET.search(name):
        return len(value) >= MIN_SECRET
    return len(value) >= MIN_OPAQUE and not re.search(r"[\s/:]", value)


def _texts(path: Path) -> Iterator[str]:
    """The text of the small regular files at `path` (a file, or a folder's files), symlinks
    not followed."""
    files = [path] if not path.is_dir() or path.is_symlink() else \
        [p for p in sorted(path.rglob("*"))[:MAX_FILES]]
    for file in files:
        try:
            st = file.lstat()
            if not file.is_file() or file.is_symlink() or st.st_size > MAX_FILE_BYTES:
                continue
            data = file.read_bytes()
        except OSError:
            continue
        if b"\0" not in data:  # binary keyrings cannot be printed as lines anyway
            yield data.decode("utf-8", "replace")
