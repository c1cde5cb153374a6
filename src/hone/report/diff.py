"""A unified diff as HTML: each file's code highlighted in its language, added and removed lines
on coloured backgrounds (Pygments, which Rich already depends on)."""

from __future__ import annotations

import html
from functools import lru_cache

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import TextLexer, get_lexer_for_filename
from pygments.util import ClassNotFound

CSS_SCOPE = ".diff"


@lru_cache(maxsize=64)
def _lexer(path: str) -> Lexer:
    try:
        return get_lexer_for_filename(path, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False, ensurenl=False)


def _code(text: str, lexer: Lexer, formatter: HtmlFormatter[str]) -> str:
    return highlight(text, lexer, formatter) if text else ""


def diff_html(diff: str) -> str:
    """The diff as a `<pre class="diff">` block; one `<span class="dl ...">` per line."""
    formatter: HtmlFormatter[str] = HtmlFormatter(nowrap=True)
    out: list[str] = []
    lexer: Lexer = TextLexer()
    for line in diff.splitlines():
        kind = "ctx"
        if line.startswith(("diff --git", "index ", "new file", "deleted file", "similarity",
                            "rename ", "old mode", "new mode", "Binary files")):
            kind, body = "meta", html.escape(line)
        elif line.startswith("+++ ") or line.startswith("--- "):
            kind, body = "file", html.escape(line)
            path = line[4:].strip()
            if path != "/dev/null":  # a deleted file keeps the lexer its `--- a/` line chose
                lexer = _lexer(path[2:] if path[:2] in ("a/", "b/") else path)
        elif line.startswith("@@"):
            kind, body = "hunk", html.escape(line)
        elif line[:1] in "+- ":
            kind = {"+": "add", "-": "del", " ": "ctx"}[line[:1]]
            body = html.escape(line[:1]) + _code(line[1:], lexer, formatter)
        else:
            body = html.escape(line)
        out.append(f'<span class="dl {kind}">{body}</span>')
    # Each line is a block-level span, so no newline goes between them.
    return f'<pre class="diff">{"".join(out)}</pre>'


def diff_css() -> str:
    """Token colours for the highlighted code, scoped to the diff block."""
    return str(HtmlFormatter(style="default").get_style_defs(CSS_SCOPE))
