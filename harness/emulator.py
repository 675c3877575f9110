"""The embedded AWS target: a moto server on a free loopback port, started and stopped by us."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

EXTERNAL_ENDPOINT_VAR = "EMULATOR_ENDPOINT"
"""Set to the URL of an emulator that is already running to use it instead of starting one."""


SERVER_ENVIRONMENT: Mapping[str, str] = {
    "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
    # No built-in AMIs: neither stack uses one (the batch fleet resolves its image through SSM at
    # launch), and their thousand-odd public snapshots would otherwise be the account's in every
    # scan of it (the runtime compliance scan flagged each as a public, unencrypted snapshot).
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}
"""Settings of every moto server we start."""


class EmulatorError(RuntimeError):
    """The emulator did not start or stopped answering."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def is_answering(endpoint: str, timeout: float = 2.0) -> bool:
    """True when the emulator at ``endpoint`` answers its management API."""
    try:
        # The dashboard page, not data.json: dumping all state fails once an RDS cluster manages its password.
        with urllib.request.urlopen(f"{endpoint.rstrip('/')}/moto-api/", timeout=timeout) as resp:  # noqa: S310
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False


class ServerProcess:
    """A local server run in its own session: stopped with its children, killable like a crash.

    Subclasses start ``_process`` (``start_new_session=True``) in :meth:`start` and return ``self``.
    """

    _process: subprocess.Popen[bytes] | None = None

    def start(self) -> Self:
        """Start the server and wait until it answers."""
        raise NotImplementedError

    def _wait_until_ready(
        self, what: str, ready: Callable[[], bool], timeout: float, log_path: Path, poll: float = 0.3
    ) -> None:
        """Poll ``ready()`` until it holds.

        Raises :class:`EmulatorError` naming ``log_path`` if the server exits first, or if it is not ready
        within ``timeout`` seconds (then it is stopped first).
        """
        deadline = time.monotonic() + timeout
        while True:
            if self._process is not None and self._process.poll() is not None:
                raise EmulatorError(f"{what} exited with {self._process.returncode}; see {log_path}")
            if ready():
                return
            if time.monotonic() > deadline:
                self.stop()
                raise EmulatorError(f"{what} was not ready within {timeout:.0f}s; see {log_path}")
            time.sleep(poll)

    def stop(self) -> None:
        """Stop the server and its children (SIGTERM to its session, then SIGKILL after 10 s)."""
        if self._process is None or self._process.poll() is not None:
            return
        os.killpg(self._process.pid, signal.SIGTERM)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=10)

    def kill(self) -> None:
        """Kill the server at once, as a crash would (fault-injection tests)."""
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=10)

    def __enter__(self) -> Self:
        """Start on entry."""
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop on exit, whatever happened."""
        self.stop()


class MotoServer(ServerProcess):
    """Context manager running ``moto.server`` on 127.0.0.1 until exit.

    Attributes:
        endpoint: ``http://127.0.0.1:<port>`` once started.
    """

    def __init__(self, log_path: Path, *, port: int | None = None, start_timeout: float = 60.0) -> None:
        """Prepare a server that logs to ``log_path``; nothing starts until :meth:`start`."""
        self.log_path = log_path
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.start_timeout = start_timeout
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> MotoServer:
        """Start the server and wait until it answers."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **SERVER_ENVIRONMENT}
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,  # Ctrl-C reaches us, not the emulator: teardown still needs it
            )

        self._wait_until_ready(
            f"moto server at {self.endpoint}",
            lambda: is_answering(self.endpoint),
            self.start_timeout,
            self.log_path,
        )
        return self


def external_endpoint(environ: Mapping[str, str]) -> str | None:
    """The endpoint of an already running emulator named by ``EMULATOR_ENDPOINT``, checked to answer."""
    endpoint = environ.get(EXTERNAL_ENDPOINT_VAR)
    if not endpoint:
        return None
    if not is_answering(endpoint):
        raise EmulatorError(f"{EXTERNAL_ENDPOINT_VAR}={endpoint} does not answer the moto management API")
    return endpoint.rstrip("/")
