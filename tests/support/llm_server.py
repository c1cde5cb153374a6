"""The scripted loopback LLM server lives in `hone.loopback` (offline examples use it too)."""

from __future__ import annotations

from hone.loopback import LLMServer, Reply, Request, Script, Text, error, garbage, hang

__all__ = ["LLMServer", "Reply", "Request", "Script", "Text", "error", "garbage", "hang"]
