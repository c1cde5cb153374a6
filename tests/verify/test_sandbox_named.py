"""Options of the jail that the agent mutator relies on: a credential store that the config
names itself is shown, one inside a named folder stays masked; with the network on, DNS's
resolv.conf is shown where it links into a masked folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hone.config.model import SandboxSection
from hone.verify import jail_paths, sandbox
from tests.conftest import require_tool
from tests.verify.test_sandbox import jailed


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    (home / ".claude").mkdir(parents=True)
    (home / ".claude" / "credentials.json").write_text("claude-login\n")
    (home / ".ssh").mkdir()
    (home / ".ssh" / "id_ed25519").write_text("ssh-private\n")
    return home


def _read(home: Path, tmp_path: Path, ro_paths: list[str]) -> str:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    res = jailed(f"cat {home}/.claude/credentials.json {home}/.ssh/id_ed25519", work,
                 SandboxSection(enabled=True, ro_paths=ro_paths),
                 env={**os.environ, "HOME": str(home)})
    return res.stdout_tail


def test_a_credential_store_named_itself_is_shown(home: Path, tmp_path: Path) -> None:
    require_tool("bwrap")
    out = _read(home, tmp_path, [str(home / ".claude")])
    assert "claude-login" in out and "ssh-private" not in out


def test_credential_stores_inside_a_named_folder_stay_masked(home: Path,
                                                              tmp_path: Path) -> None:
    require_tool("bwrap")
    out = _read(home, tmp_path, [str(home)])
    assert "claude-login" not in out and "ssh-private" not in out


def test_resolv_conf_linked_into_a_masked_folder_is_shown_with_the_network(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "run" / "stub-resolv.conf"
    target.parent.mkdir()
    target.write_text("nameserver 127.0.0.53\n")
    link = tmp_path / "resolv.conf"
    link.symlink_to(target)
    monkeypatch.setattr(jail_paths, "RESOLV_CONF", link)
    bind = ["--ro-bind", str(target), str(target)]

    def argv(network: bool) -> list[str]:
        return sandbox.bwrap_argv(["true"], tmp_path, SandboxSection(network=network))

    with_net = argv(True)
    assert any(with_net[i:i + 3] == bind for i in range(len(with_net)))
    without = argv(False)
    assert not any(without[i:i + 3] == bind for i in range(len(without)))
