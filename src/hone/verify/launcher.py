"""Run one `Call`: in the jail its settings ask for, with the jail's bytecode made trusted first
(verify/bytecode.py), in a jail built ahead of time when one waits for exactly this call
(verify/prestart.py), else in one built now."""

from __future__ import annotations

from hone.verify import bytecode, prestart, sandbox
from hone.verify.call import Call, command_env
from hone.verify.process import CommandResult, run_command


def run(call: Call, timeout: float, max_bytes: int) -> CommandResult:
    """Run `call` within `timeout`, its logs capped at `max_bytes`."""
    held = prestart.take(call)
    if held is not None:
        bytecode.CACHE.restore(call.own)
        result = held.run(timeout, max_bytes)
        _learn(call)
        return result
    with sandbox.launch(call.command, call.workdir, call.settings, call.env,
                        call.readonly) as how:
        if how.sandboxed:
            bytecode.CACHE.restore(call.own)
        env = command_env(how.env, call.own if how.sandboxed else bytecode.CACHE.shared())
        result = run_command(how.argv, call.workdir, call.stem, timeout, env, max_bytes,
                             how.preexec)
    if how.sandboxed:
        _learn(call)
    return result


def _learn(call: Call) -> None:
    # Walked again by `restore` before the next command, not trusted from this walk: a
    # process that outlived the command could still write there.
    bytecode.CACHE.learn(call.own, call.workdir, call.writable)
