"""hone.judge against the loopback server: grades, the verdict cache, records with the attempt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hone.judge import Judge, parse_verdict
from hone.mutators.llm.providers import CallFailed
from tests.support.llm_server import LLMServer, error


def test_parse_verdict() -> None:
    assert parse_verdict('```json\n{"score": 0.8, "reason": "close"}\n```') == (0.8, "close")
    assert parse_verdict('{"score": 7}') == (1.0, "")  # clamped to [0, 1]
    assert parse_verdict("Score: 0.5 - half right")[0] == 0.5  # type: ignore[index]
    assert parse_verdict("looks fine to me") is None


def test_grades_are_cached_and_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    logs = tmp_path / ".hone" / "logs" / "main" / "00003"
    logs.mkdir(parents=True)
    monkeypatch.setenv("HONE_LOGS", str(logs))
    monkeypatch.delenv("HONE_JUDGE_CACHE", raising=False)
    with LLMServer() as server:
        server.script(error(503), '{"score": 1, "reason": "same meaning"}',
                      '{"score": 0.25, "reason": "misses the refund"}')
        judge = Judge("judge-m", base_url=server.url, criteria="meaning", base_delay=0.0)
        first = judge.grade("ticket 1", "charged twice", "double charge")
        again = judge.grade("ticket 1", "charged twice", "double charge")
        other = judge.grade("ticket 1", "something", "double charge")
        assert (first.score, first.cached, again.cached, other.score) == (1.0, False, True, 0.25)
        assert judge.calls == 2 and len(server.requests) == 3  # 503 retried, cache hit free
        body = server.requests[1].body
        assert body["temperature"] == 0 and "double charge" in server.requests[1].prompt
        assert "Grading criteria: meaning" in server.requests[1].prompt
        judge.close()
        # a second process finds the verdict in the cache under .hone/
        assert (tmp_path / ".hone" / "judge-cache.sqlite").exists()
        later = Judge("judge-m", base_url=server.url, criteria="meaning")
        assert later.grade("ticket 1", "charged twice", "double charge").cached
        assert len(server.requests) == 3
    lines = [json.loads(x) for x in (logs / "judge.jsonl").read_text().splitlines()]
    assert [(x["score"], x["cached"]) for x in lines] == [(1.0, False), (1.0, True),
                                                          (0.25, False), (1.0, True)]


def test_unreadable_verdict_fails(tmp_path: Path) -> None:
    with LLMServer() as server:
        server.script("I would rather not say")
        judge = Judge("m", base_url=server.url, cache=tmp_path / "c.sqlite")
        with pytest.raises(CallFailed, match="no score"):
            judge.grade("q", "a", "r")


def test_verdicts_go_to_stderr_when_the_log_folder_is_out_of_reach(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HONE_LOGS", str(tmp_path / "hidden" / "00001"))  # does not exist
    with LLMServer() as server:
        server.script('{"score": 0.5, "reason": "partly"}')
        judge = Judge("m", base_url=server.url, cache=tmp_path / "c.sqlite")
        assert judge.grade("q", "a", "r").score == 0.5
    line = capsys.readouterr().err.strip()
    assert line.startswith("hone.judge verdict: ")
    assert json.loads(line.split(": ", 1)[1])["reason"] == "partly"
