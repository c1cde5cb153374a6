"""The report page: one HTML file with Plotly, the styles, the app and the data inlined."""

from __future__ import annotations

import contextlib
import html
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from hone.errors import HoneError, UsageError
from hone.loop.view import RunView
from hone.report.compare import changed_files
from hone.report.data import all_details, overview
from hone.report.diff import diff_css

Mode = Literal["static", "live"]


def _template(name: str) -> str:
    return resources.files("hone.report").joinpath("templates", name).read_text("utf-8")


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """plotly.min.js as shipped inside the `plotly` Python package (no network needed)."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


def _json_for_script(obj: Any) -> str:
    # `<` escaped so that no string in the data can close the <script> element.
    return json.dumps(obj, separators=(",", ":"), default=str).replace("<", "\\u003c")


def render_page(data: dict[str, Any] | None, mode: Mode, title: str) -> str:
    """The page; `data` ({"overview", "details", "files"}) is embedded for a static report,
    while the live page fetches it from the dashboard's endpoints."""
    parts = {
        "__TITLE__": html.escape(title),
        "__MODE__": mode,
        "__CSS__": _template("style.css") + "\n" + diff_css(),
        "__DATA__": _json_for_script(data or {}),
        "__PLOTLY__": plotly_js(),
        "__APP__": _template("app.js"),
        "__COMPARE__": _template("compare.js"),
    }
    page = _template("page.html")
    # One pass over the placeholders, so that text inserted for one is never re-scanned.
    out: list[str] = []
    rest = page
    while rest:
        hits = [(rest.find(k), k) for k in parts if rest.find(k) >= 0]
        if not hits:
            out.append(rest)
            break
        at, key = min(hits)
        out.append(rest[:at])
        out.append(parts[key])
        rest = rest[at + len(key):]
    return "".join(out)


def build_report(engine: RunView) -> str:
    """The self-contained report of the engine's run."""
    data = {"overview": overview(engine), "details": all_details(engine),
            "files": changed_files(engine)}
    return render_page(data, "static", engine.run)


def write_report(engine: RunView, path: Path) -> Path:
    path = path.resolve()
    if path.is_dir():
        raise UsageError(f"{path} is a directory; give -o a file name")
    page = build_report(engine)
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(page, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):  # the folder may not exist at all
            tmp.unlink(missing_ok=True)
        raise HoneError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
