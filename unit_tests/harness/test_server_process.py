"""A local server's start: ready, exited while starting, or never ready (then stopped)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from harness.emulator import EmulatorError, ServerProcess


class Command(ServerProcess):
    """A server that is ``argv``, ready when ``ready()`` says so."""

    def __init__(self, argv: list[str], log_path: Path) -> None:
        self.argv = argv
        self.log_path = log_path
        self._process = None

    def start_waiting(self, ready: bool, timeout: float = 1.0) -> Command:
        self._process = subprocess.Popen(self.argv, start_new_session=True)
        self._wait_until_ready("the test server", lambda: ready, timeout, self.log_path, poll=0.05)
        return self


def test_a_ready_server_is_returned_running(tmp_path: Path) -> None:
    server = Command(["sleep", "30"], tmp_path / "log").start_waiting(ready=True)
    try:
        assert server._process is not None and server._process.poll() is None
    finally:
        server.stop()


def test_a_server_that_exits_while_starting_is_an_emulator_error_naming_its_log(tmp_path: Path) -> None:
    with pytest.raises(EmulatorError, match=f"the test server exited with 3; see {tmp_path / 'log'}"):
        Command(["sh", "-c", "exit 3"], tmp_path / "log").start_waiting(ready=False, timeout=10)


def test_a_server_never_ready_is_stopped_and_named(tmp_path: Path) -> None:
    server = Command(["sleep", "30"], tmp_path / "log")
    with pytest.raises(EmulatorError, match=r"the test server was not ready within 0s; see .*log"):
        server.start_waiting(ready=False, timeout=0.3)
    assert server._process is not None and server._process.poll() is not None  # stopped, not left running
