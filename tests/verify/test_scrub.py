"""The scrubber: withheld secrets, hidden credential files and token shapes go; paths stay."""

from __future__ import annotations

from pathlib import Path

import pytest

from hone.verify.scrub import MARK, scrub


def test_withheld_secrets_and_credential_file_lines_are_replaced(tmp_path: Path) -> None:
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "credentials").write_text("[default]\naws_secret = s3cr3t-value-xyz\n")
    (tmp_path / ".pgpass").symlink_to(tmp_path / "elsewhere")  # not followed, no error
    env = {"HOME": str(tmp_path), "DB_PASSWORD": "hunter2-long", "PATH": "/usr/local/bin:/bin",
           "SESSION_OPAQUE": "x" * 7, "BUILD_ID": "Zq8yX1c0Vb9n3M4lK2j7", "PWD": "/work/repo",
           "PYTHONPATH": "/opt/lib/python-secret-free"}
    text = ("pw hunter2-long; aws_secret = s3cr3t-value-xyz; id Zq8yX1c0Vb9n3M4lK2j7\n"
            "File /work/repo/score.py in /usr/local/bin xxxxxxx /opt/lib/python-secret-free")
    out = scrub(text, env)
    for secret in ("hunter2-long", "s3cr3t-value-xyz", "Zq8yX1c0Vb9n3M4lK2j7"):
        assert secret not in out
    # Paths, allow-listed values and short values are left for the reader.
    for kept in ("/work/repo/score.py", "/usr/local/bin", "xxxxxxx", "python-secret-free"):
        assert kept in out
    assert out.count(MARK) == 3


@pytest.mark.parametrize("token", [
    "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUv", "ghp_" + "a1B2" * 6, "xoxb-1234567890-abcdef",
    "AKIAABCDEFGHIJKLMNOP", "hf_" + "Ab1" * 8,
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEow (cut by the tail)"])
def test_known_token_shapes_are_replaced(token: str) -> None:
    out = scrub(f"before {token} after", {})
    assert token not in out and "before" in out and MARK in out


def test_a_bearer_header_keeps_its_name() -> None:
    assert scrub("Authorization: Bearer abc.def-123456", {}) == f"Authorization: Bearer {MARK}"
    assert scrub("nothing secret here: sk-short", {}) == "nothing secret here: sk-short"
