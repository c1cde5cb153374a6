"""Reading tokens, dollars and the answer from the output of the common agent CLIs."""

from __future__ import annotations

import json

from hone.mutators.agent.usage import read_report


def lines(*events: object) -> str:
    return "".join(json.dumps(e) + "\n" for e in events)


def test_claude_code_stream_json_reads_the_final_result() -> None:
    out = lines({"type": "system", "subtype": "init"},
                {"type": "assistant", "message": {"content": "thinking"}},
                {"type": "result", "num_turns": 2, "result": "Hypothesis: fewer copies",
                 "total_cost_usd": 0.25, "usage": {"input_tokens": 10, "output_tokens": 5}})
    report = read_report(out)
    assert (report.tokens_in, report.tokens_out, report.usd, report.calls) == (10, 5, 0.25, 2)
    assert report.text == "Hypothesis: fewer copies"


def test_codex_sums_its_turns_and_keeps_its_messages() -> None:
    out = lines({"type": "turn.completed", "usage": {"input_tokens": 100,
                                                     "cached_input_tokens": 80,
                                                     "output_tokens": 7}},
                {"type": "item.completed", "item": {"type": "command_execution",
                                                    "command": "ls"}},
                {"type": "item.completed", "item": {"type": "agent_message",
                                                    "text": "Hypothesis: unroll"}},
                {"type": "turn.completed", "usage": {"input_tokens": 50, "output_tokens": 3}})
    report = read_report(out)
    assert (report.tokens_in, report.tokens_out, report.usd, report.calls) == (150, 10, None, 2)
    assert report.text == "Hypothesis: unroll"


def test_opencode_sums_steps_with_cache_and_reasoning() -> None:
    part = {"type": "step-finish", "cost": 0.007,
            "tokens": {"input": 1000, "output": 100, "reasoning": 20,
                       "cache": {"read": 500, "write": 10}}}
    out = lines({"type": "step_start", "part": {"type": "step-start"}},
                {"type": "text", "part": {"type": "text", "text": "Hypothesis: cache it"}},
                {"type": "step_finish", "part": part}, {"type": "step_finish", "part": part})
    report = read_report(out)
    assert (report.tokens_in, report.tokens_out, report.calls) == (3020, 240, 2)
    assert report.usd is not None and abs(report.usd - 0.014) < 1e-12
    assert report.text == "Hypothesis: cache it"


def test_aider_lines_sum_tokens_and_take_the_session_total() -> None:
    out = ("Hypothesis: smaller step\n"
           "Tokens: 2.1k sent, 300 received. Cost: $0.01 message, $0.01 session.\n"
           "Applied edit to knob.py\n"
           "Tokens: 12k sent, 1.5k cache write, 1.2k received. Cost: $0.03 message, "
           "$0.04 session.\n")
    report = read_report(out)
    assert (report.tokens_in, report.tokens_out, report.usd) == (14100, 1500, 0.04)
    assert "Hypothesis: smaller step" in report.text


def test_aider_without_prices_gives_tokens_only() -> None:
    report = read_report("Tokens: 850 sent, 40 received.\n")
    assert (report.tokens_in, report.tokens_out, report.usd, report.reported) == (
        850, 40, None, True)


def test_plain_output_reports_nothing_and_is_all_text() -> None:
    report = read_report('thinking\n{"not": "an event"}\nHypothesis: x\n')
    assert not report.reported and report.usd is None
    assert report.text == "thinking\nHypothesis: x"
