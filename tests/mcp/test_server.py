"""`hone mcp` as a subprocess, driven by the official MCP client: the whole ask/tell loop,
its refusals, and no holdout figure in any answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp.client.session import ClientSession

from tests.conftest import KNOB_PROJECT, Hone, MakeRepo
from tests.mcp.client import data, server_params, text_of, with_session

pytestmark = pytest.mark.slow  # a server subprocess and several verified attempts

# The holdout's score carries a figure found nowhere else: any answer that holds it leaks it.
SECRET = "4242"
HOLDOUT_PROJECT = {
    **KNOB_PROJECT,
    "holdout_eval.py": f"from knob import KNOB\nprint(f'score: {{KNOB * 1000 + 0.{SECRET}}}')\n",
    "hone.toml": '[run]\ngoal = "Raise the score."\n'
                 '[objective]\nrun = "python3 score.py"\n'
                 '[[gates]]\nrun = "python3 test_knob.py"\n'
                 '[files]\neditable = ["knob.py"]\nprotect = ["score.py", "test_knob.py"]\n'
                 '[holdout]\nrun = "python3 holdout_eval.py"\n',
}


async def _drive(session: ClientSession) -> list[str]:
    """The loop as an agent drives it; every answer's text, for the leak check."""
    seen: list[str] = []

    async def call(name: str, **args: object) -> dict[str, object]:
        result = await session.call_tool(name, args)
        seen.append(text_of(result))
        return data(result)

    tools = {t.name: t for t in (await session.list_tools()).tools}
    assert set(tools) == {"ask", "tell", "status", "show", "best", "report"}
    assert tools["tell"].input_schema["required"] == ["id", "hypothesis"]
    assert tools["tell"].output_schema is not None
    assert "champion_score" in tools["tell"].output_schema["properties"]

    asked = await call("ask")
    assert (asked["id"], asked["parent"]) == (1, 0)
    assert "Raise the score." in str(asked["brief"]) and "- knob.py" in str(asked["brief"])
    (Path(str(asked["workdir"])) / "knob.py").write_text("KNOB = 9  # hone: tune\n")
    told = await call("tell", id=1, hypothesis="a bigger knob")
    assert (told["status"], told["score"], told["champion_id"]) == ("kept", 9.0, 1)
    assert isinstance(told["decision"], dict) and told["decision"]["rule"]

    asked = await call("ask")
    (Path(str(asked["workdir"])) / "score.py").write_text("print('score: 1000')\n")
    told = await call("tell", id=asked["id"], hypothesis="edit the scorer")
    assert told["status"] == "rejected"
    assert told["reason"] == "touched protected path score.py"

    for args, message in (({"id": 99, "hypothesis": "x"}, "run 'main' has no attempt #99"),
                          ({"id": 1, "hypothesis": "x"}, "attempt #1 was already told (kept)")):
        refused = await session.call_tool("tell", args)
        assert refused.is_error and message in text_of(refused)
    assert (await session.call_tool("show", {"id": "one"})).is_error  # the schema's int

    status = await call("status")
    assert status["champion"] == {"id": 1, "score": 9.0}
    assert [a["status"] for a in status["attempts"]] == ["baseline", "kept", "rejected"]
    assert (await call("show", id=1))["diff"]
    assert (await call("best"))["gain"] == "+200.00%"
    assert Path(str((await call("report"))["path"])).read_text().startswith("<!DOCTYPE")
    for uri in ("hone://summary", "hone://brief/1"):
        contents = (await session.read_resource(uri)).contents
        seen += [getattr(c, "text", "") for c in contents]
    assert "champion #1 score 9.0" in seen[-2]
    return seen


def test_an_agent_drives_the_loop_over_mcp(make_repo: MakeRepo, hone: Hone) -> None:
    root = make_repo(HOLDOUT_PROJECT)
    seen = with_session(server_params(root), _drive)
    # The holdout ran on the champion (the user's view shows it); no answer named it.
    assert SECRET in hone("show", "1", "--json", cwd=root).stdout
    for text in seen:
        assert SECRET not in text
        assert "holdout" not in text.lower() and "overfit" not in text.lower()


def test_no_config_is_one_line_and_exit_2(make_repo: MakeRepo, hone: Hone) -> None:
    res = hone("mcp", cwd=make_repo({"a.txt": "a\n"}))
    assert res.returncode == 2 and res.stderr.count("\n") == 1
