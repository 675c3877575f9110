"""A second local AWS target: a MiniStack server on loopback, which runs function code without Docker.

MiniStack (PyPI ``ministack``, MIT, pinned in ``harness/ministack-requirements.txt``) runs each
``nodejs*`` function in a warm Node worker on the host, the ``node`` first on its ``PATH``, with
``AWS_ENDPOINT_URL`` pointing back at itself, so the functions' SDK calls reach the emulator.
:class:`MiniStackServer` is shaped like :class:`harness.emulator.MotoServer` (start, stop, kill,
endpoint, a log file, its own session, a wait until it answers) and adds what running functions
needs: Node 22 and the AWS SDK v3 clients (``harness/function_runtime.py``).

Where it is installed. Not in ``.venv``: ministack 1.5.33 pins ``botocore==1.43.106`` and our
``boto3==1.44.5`` needs ``botocore>=1.44.5,<1.45``, so the two cannot share an environment (pip
replaces botocore and breaks boto3). Like checkov, it gets its own virtual environment, made on first
use under ``.work/ministack/<stamp>/venv`` from the pinned requirements (``--no-deps``, then
``pip check``), without the ``full`` extra: no cryptography, asyncssh or docker.

Every socket on loopback. MiniStack binds ``0.0.0.0`` by default; its listeners and how each is
kept on 127.0.0.1:

* the gateway (hypercorn, ``GATEWAY_PORT``): ``BIND_HOST=127.0.0.1``. With ``USE_SSL=1`` it would
  also bind 443 on the same host; we never set it.
* IoT Core's MQTT-over-mTLS listener (8883, ``IOT_MTLS_PORT``): hard-coded to ``0.0.0.0``, started
  at boot whenever ``cryptography`` is importable. Not configurable, so disabled:
  ``IOT_MTLS_ENABLED=0`` (and cryptography is not installed).
* Transfer Family SFTP (shared 2222, per-server from 2300): bound lazily on ``CreateServer``, on
  ``SFTP_HOST`` (default ``0.0.0.0``): ``SFTP_HOST=127.0.0.1``. It also needs asyncssh, which is not
  installed, so today it never binds.
* Aurora DSQL wire proxies (``core/pgproxy.py``, one per cluster): hard-coded ``0.0.0.0``, no switch
  but dropping the whole service. They start only once a Docker backend is up (never here: no
  docker package, no daemon), but nothing in configuration would keep them on loopback.
* RDS's host-port probe (``services/rds.py``) binds ``0.0.0.0`` briefly without listening, before
  publishing a container port (Docker only).
* Lambda's Runtime API servers for ``provided.*`` runtimes: already ``127.0.0.1`` (ephemeral ports).
  The Node workers themselves talk over pipes and open no listening socket.
* Container-backed services (RDS, ElastiCache, EKS, OpenSearch, MWAA, DocumentDB, ECS, Lambda's
  docker executor) publish ports through the Docker daemon, outside this process tree; they need
  the docker package and a daemon, neither of which this environment has, and
  ``LAMBDA_EXECUTOR=local`` keeps functions off Docker.

For the hard-coded binds there is no setting, so the server starts through :data:`LAUNCHER`, a few
lines run with ``python -I -c`` that wrap ``socket.socket.bind`` before MiniStack is imported: any
IPv4/IPv6 bind to a non-loopback host (the wildcards included) is moved to ``127.0.0.1`` / ``::1``
and logged (``loopback launcher: ...`` in the server log). That covers every socket the server
process binds (asyncio, hypercorn, socketserver and asyncssh all bind through it) without patching
installed files; the settings above remain the first line, so MiniStack's own logs and health
report tell the truth. :meth:`MiniStackServer.start` then reads the listeners of the whole process
tree from ``/proc`` (``harness/listeners.py``) and refuses to run with any that is not loopback.
The launcher's other parts change how hypercorn keeps connections and writes answers, never what
MiniStack answers: :data:`KEEP_ALIVE_GUARD`, :data:`WHOLE_RESPONSE_GUARD` and
:data:`RESENT_CALL_WITNESS`.

Identity (``AUTH``). With ``AUTH=true`` (our default) MiniStack authenticates callers and evaluates
identity policies, permission boundaries, session policies and resource policies on every call.
Root callers of an account, allowed everything with neither signature nor session token checked,
are: the access key in the server's own ``AWS_ACCESS_KEY_ID``, the key ``test``, an empty key, and
any 12-digit key, which also selects that account (``111122223333`` acts as that account's root).
The server gets the project's emulator credentials
(:data:`pci_infra.foundation.aws_clients.EMULATOR_CREDENTIALS`), so the clients that are root on
moto are root here too. IAM user keys (``CreateAccessKey``) and STS session keys are verified (SigV4
signature, clock skew, session token: a wrong secret gets ``SignatureDoesNotMatch``) and act with
their policies (``AccessDenied`` naming the user or session otherwise). A function runs as its
execution role: its worker gets the keys of an STS session
``arn:aws:sts::<account>:assumed-role/<role>/<function>``, which MiniStack derives from the function
and role ARNs and registers itself (under ``AUTH`` CreateFunction checks that the role exists;
its trust policy is not consulted). Unsigned requests are
refused (``AccessDenied`` for SQS ListQueues and for S3 GetObject on a private bucket, measured).
Without ``AUTH`` nothing is evaluated: every caller is the root of the account its key names, or of
the default account.

Functions and the SDK. The Node worker tries the real ``@aws-sdk/client-*`` package first; only
when a CommonJS ``require()`` cannot find one does it hand out a built-in stand-in (a JSON-protocol
client for about 35 services, Lambda and OpenSearch clients). ES module imports, which all our
functions use, never see those stand-ins: without the runtime's ``node_modules`` they fail with
``ERR_MODULE_NOT_FOUND``, as they would on a runtime without the SDK. The worker also routes any
HTTPS request to a ``*.amazonaws.com`` host to MiniStack, and uses whatever ``node`` is first on the
server's ``PATH`` for every ``nodejs*`` runtime (no check of the major version).

Account and region. MiniStack's default account is ``000000000000`` and its default region
``us-east-1`` (``MINISTACK_ACCOUNT_ID``, ``MINISTACK_REGION``; a request's SigV4 scope picks its
region). moto's default account is ``123456789012`` (``moto.core.DEFAULT_ACCOUNT_ID``); moto reads
``MOTO_ACCOUNT_ID`` from the server's environment on every request before anything else (then an
``x-moto-account-id`` header, then the account of a known access key). We start MiniStack in
:data:`MOTO_DEFAULT_ACCOUNT_ID` unless told otherwise, so ARNs agree across the two emulators.

Each server keeps its state, temporary files (``TMPDIR``: extracted functions, PID file), data
directories and ``HOME`` under its work directory, and gets a minimal environment, so nothing from
the caller's shell (AWS profiles, keys, endpoints) reaches the functions' workers, which inherit it.
The work directory also holds ``node_modules``, a link to the provisioned SDK clients: it is an
ancestor of ``TMPDIR`` and so of every extracted function, which is where Node resolves the
``@aws-sdk/`` imports from, as the runtime's own ``node_modules`` does on AWS.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from harness.emulator import EmulatorError, ServerProcess, free_port
from harness.file_lock import exclusive
from harness.function_network import FunctionNetwork
from harness.function_runtime import FunctionRuntime, Progress, ensure_function_runtime
from harness.listeners import Listener, exposed, listeners
from pci_infra.app.paths import PROJECT_ROOT
from pci_infra.foundation.aws_clients import EMULATOR_CREDENTIALS

REQUIREMENTS = PROJECT_ROOT / "harness" / "ministack-requirements.txt"
"""MiniStack and its dependencies, every version pinned."""

CACHE_ROOT = PROJECT_ROOT / ".work" / "ministack"
"""Where MiniStack's virtual environments live, one per content stamp (ignored by git)."""

MOTO_DEFAULT_ACCOUNT_ID = "123456789012"
"""moto's default account (``moto.core.DEFAULT_ACCOUNT_ID``); MiniStack's own default is 000000000000."""

DEFAULT_REGION = "us-east-1"
"""MiniStack's region for requests whose signature names none (the project's default region too)."""

LOOPBACK = "127.0.0.1"

LOOPBACK_GUARD = """
import socket, sys
_LOOPBACK = {socket.AF_INET: "127.0.0.1", socket.AF_INET6: "::1"}
_bind = socket.socket.bind
def _is_loopback(host):
    return host == "localhost" or host.startswith("127.") or host in ("::1", "::ffff:127.0.0.1")
def _loopback_bind(self, address):
    if self.family in _LOOPBACK and isinstance(address, tuple) and not _is_loopback(str(address[0])):
        moved = (_LOOPBACK[self.family], *address[1:])
        host = f"[{address[0]}]" if ":" in str(address[0]) else address[0] or "*"
        print(f"loopback launcher: bind {host}:{address[1]} moved to {moved[0]}", file=sys.stderr, flush=True)
        address = moved
    return _bind(self, address)
socket.socket.bind = _loopback_bind
"""
"""Python run before anything else in MiniStack's process: every IPv4/IPv6 bind stays on loopback."""

KEEP_ALIVE_SECONDS = 300
"""How long the gateway keeps an idle connection open: longer than any client of ours keeps one.

MiniStack's ``main`` sets hypercorn's ``keep_alive_timeout`` to 75 s; the AWS provider's Go SDK keeps
idle connections for 90 s (``IdleConnTimeout``) and reuses them. A request sent on a connection just as
the server's 75 s run out is either never read (the SDK retries it: harmless) or, under load, read and
carried out while the connection closes, so it is never answered and the SDK's retry creates the
resource a second time (measured: 300 connections reused at 75 s +/- 0.15 s beside three busy cores,
173 Elastic IPs made for 172 answers; fresh-clone runs left a duplicate flow log, an unanswered
Elastic IP and 409s on CreateRole and AddPermission). With the server waiting longer than the
provider's SDK, that client always closes an idle connection first. boto3 (urllib3) and the
functions' Node SDK keep theirs without a limit, but check a pooled connection before reuse and are
rarely idle that long within a run."""

KEEP_ALIVE_GUARD = f"""
import hypercorn.asyncio as _hypercorn_asyncio
_serve = _hypercorn_asyncio.serve
async def _serve_keeping_idle_connections(app, config, *args, **kwargs):
    config.keep_alive_timeout = {KEEP_ALIVE_SECONDS}
    return await _serve(app, config, *args, **kwargs)
_hypercorn_asyncio.serve = _serve_keeping_idle_connections
"""
"""Python run before MiniStack's ``main`` (which imports ``serve`` when called): every serve it starts
keeps idle connections :data:`KEEP_ALIVE_SECONDS`."""

CLIENT_READ_BUFFER_BYTES = 4096
"""What Go's HTTP transport reads from a connection at once (``Transport.ReadBufferSize`` default)."""

LARGE_ANSWER_HOLD_SECONDS = 0.05
"""How long an answer larger than :data:`CLIENT_READ_BUFFER_BYTES` is held before it is written."""

WHOLE_RESPONSE_GUARD = f"""
import asyncio as _asyncio
import h11 as _h11
from hypercorn.events import RawData as _RawData
from hypercorn.protocol.h11 import H11Protocol as _H11Protocol
async def _send_h11_event_whole(self, event):
    try:
        data = self.connection.send(event)
    except _h11.LocalProtocolError:
        if self.connection.their_state != _h11.ERROR:
            raise
        return
    head = self.__dict__.pop("_held_response_head", b"")
    if isinstance(event, _h11.Response) and any(name == b"content-length" for name, _ in event.headers):
        self._held_response_head = head + data
        return
    whole = head + (data or b"")
    if head and len(whole) > {CLIENT_READ_BUFFER_BYTES}:
        await _asyncio.sleep({LARGE_ANSWER_HOLD_SECONDS})
    await self.send(_RawData(data=whole))
_H11Protocol._send_h11_event = _send_h11_event_whole
"""
"""Python run before MiniStack's ``main``: a response of known length leaves in one write, head and body.

hypercorn writes a response's status line and headers, then its body, as two writes; when MiniStack's
event loop is busy the body follows the head by 1 to 20 ms. The AWS provider's Go client sometimes
gives up on such a response as soon as the head arrives (packet capture: it closes the connection,
FIN before the body or RST with the body unread) and the SDK sends the same call again about 100 ms
later, although the server had carried it out and answered 200: a create then makes its resource
twice (the extra subnet that blocked DeleteVpc) or meets it ("InvalidGroup.Duplicate",
"ResourceExistsException"). Traced in the client's source (not reproduced apart): smithy-go closes
the request body as soon as the head is in; Go's writer, still finishing that request, then meets a
closed body, takes it for a write error and closes the connection, so reading the response body
fails with "use of closed network connection", which aws-sdk-go-v2 retries. A body that arrived with
its head is already in the client's buffer and is read whole. Measured with three apply/destroy
cycles of 200 resources beside two busy cores, about 10,000 calls each: 14 calls sent again without
this guard, none with it. The head of a response that declares ``content-length`` is held and
written with the first body bytes (or the end of the message, for HEAD and empty bodies); streamed
responses, which declare no length, are written as before.

An answer longer than the client's first read (:data:`CLIENT_READ_BUFFER_BYTES`) would still be cut
by that closed connection, so it is also held :data:`LARGE_ANSWER_HOLD_SECONDS` before it is written:
time for the client's writer to finish its request first. About 50 of the 3,400 answers of a
two-stack run are that long (RDS's create, delete and describe answers among them), so the hold
costs a few seconds a run."""

RESENT_CALL_PREFIX = "resent call:"
"""How the launcher marks a call the client sent again in the server log (:data:`RESENT_CALL_WITNESS`)."""

RESENT_CALL_WITNESS = f"""
import re as _re
import sys as _sys
import hypercorn.asyncio as _hypercorn_asyncio_witness
def _witnessing_resent_calls(app):
    async def witnessed(scope, receive, send):
        headers = dict(scope.get("headers", [])) if scope["type"] == "http" else {{}}
        attempt = _re.search(rb"attempt=(\\d+)", headers.get(b"amz-sdk-request", b""))
        if attempt is None or int(attempt.group(1)) < 2:
            return await app(scope, receive, send)
        body, status = [], []
        async def noting_body():
            message = await receive()
            if not body and message.get("type") == "http.request":
                body.append(message.get("body", b"")[:256])
            return message
        async def noting_status(message):
            if message["type"] == "http.response.start":
                status.append(str(message["status"]))
            await send(message)
        try:
            await app(scope, noting_body, noting_status)
        finally:
            action = _re.match(rb"Action=([A-Za-z0-9]+)", body[0] if body else b"")
            call = (action.group(1) if action else headers.get(b"x-amz-target", b"")).decode("latin-1")
            _sys.stderr.write(
                f"{RESENT_CALL_PREFIX} {{call or scope['method'] + ' ' + scope['path']}}, "
                f"attempt {{attempt.group(1).decode()}}, answered {{status[0] if status else 'never'}}\\n"
            )
            _sys.stderr.flush()
    return witnessed
_serve_unwitnessed = _hypercorn_asyncio_witness.serve
async def _serve_witnessing_resent_calls(app, config, *args, **kwargs):
    return await _serve_unwitnessed(_witnessing_resent_calls(app), config, *args, **kwargs)
_hypercorn_asyncio_witness.serve = _serve_witnessing_resent_calls
"""
"""Python run before MiniStack's ``main``: every call whose ``amz-sdk-request`` header says attempt 2
or later is logged as ``resent call: <action>, attempt N, answered <status>``.

The AWS SDKs number their attempts of one call in that header, so a line here is a call the client
sent again after something went wrong between it and the server: harmless for a read, a duplicate
or an "already exists" for a create. The run summary reports them per stack
(:meth:`MiniStackServer.resent_calls`)."""

LAUNCHER = (
    LOOPBACK_GUARD
    + KEEP_ALIVE_GUARD
    + WHOLE_RESPONSE_GUARD
    + RESENT_CALL_WITNESS
    + """
sys.argv = ["ministack"]
from ministack.app import main
main()
"""
)
"""The server's ``python -I -c`` program: :data:`LOOPBACK_GUARD`, :data:`KEEP_ALIVE_GUARD`,
:data:`WHOLE_RESPONSE_GUARD`, :data:`RESENT_CALL_WITNESS`, then MiniStack's own ``main``."""

SERVER_SETTINGS: dict[str, str] = {
    "BIND_HOST": LOOPBACK,
    "IOT_MTLS_ENABLED": "0",
    "SFTP_HOST": LOOPBACK,
    "LAMBDA_EXECUTOR": "local",
    "PERSIST_STATE": "0",
    "S3_PERSIST": "0",
    "LOG_LEVEL": "INFO",
}
"""Settings of every MiniStack server we start (per-server ones are added by :class:`MiniStackServer`)."""

PASSED_THROUGH = ("LANG", "LC_ALL", "TZ")
"""The only variables of our own environment the server (and so each function worker) inherits."""


def stderr_progress(message: str) -> None:
    """Default progress sink: one line on standard error."""
    print(f"ministack: {message}", file=sys.stderr, flush=True)


def pinned_version(requirements: Path = REQUIREMENTS) -> str:
    """The ministack version the requirements pin."""
    for line in requirements.read_text().splitlines():
        name, _, version = line.strip().partition("==")
        if name.lower() == "ministack":
            return version
    raise EmulatorError(f"{requirements} pins no ministack version")


def _run(command: list[str], what: str) -> None:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    except subprocess.TimeoutExpired as err:
        raise EmulatorError(f"{what}: took over 10 minutes: {' '.join(command)}") from err
    if completed.returncode != 0:
        # This machine's pip config names local indexes that may be absent; pip warns per package.
        output = "\n".join(
            line
            for line in (completed.stdout + completed.stderr).splitlines()
            if "is ignored: it is neither a file nor a directory" not in line
        )
        raise EmulatorError(f"{what} failed with exit {completed.returncode}:\n{output.strip()[-3000:]}")


def ensure_ministack_python(
    *, progress: Progress = stderr_progress, cache_root: Path = CACHE_ROOT, requirements: Path = REQUIREMENTS
) -> Path:
    """The Python of MiniStack's own virtual environment: made on first use, then reused.

    Raises:
        EmulatorError: Creating the environment or installing the pinned packages failed.
    """
    digest = hashlib.sha256(requirements.read_bytes())
    digest.update(f"{sys.version_info[:2]}-{sys.platform}-{platform.machine()}".encode())
    root = cache_root / digest.hexdigest()[:16]
    python = root / "venv" / "bin" / "python"
    with exclusive(cache_root / ".lock"):
        if (root / ".complete").is_file():
            return python
        if root.exists():
            progress(f"removing the incomplete environment {root}")
            shutil.rmtree(root)
        version = pinned_version(requirements)
        progress(
            f"installing ministack {version} into {root / 'venv'} (once per change of {requirements.name})"
        )
        try:
            _run(
                [sys.executable, "-m", "venv", str(root / "venv")], "creating MiniStack's virtual environment"
            )
            pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
            _run(
                [*pip, "install", "--quiet", "--no-deps", "-r", str(requirements)],
                f"installing {requirements}",
            )
            _run([*pip, "check"], f"checking that {requirements} pins every dependency")
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        (root / ".complete").write_text(version + "\n")
        progress(f"ready: {python}")
        return python


def _get_json(url: str, timeout: float = 2.0) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 (our loopback endpoint)
            return int(resp.status), json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, {}
    except (urllib.error.URLError, OSError, ValueError):
        return 0, {}


def is_answering(endpoint: str, timeout: float = 2.0) -> bool:
    """True when the MiniStack server at ``endpoint`` reports itself ready (boot and init scripts done)."""
    status, _ = _get_json(f"{endpoint.rstrip('/')}/_ministack/ready", timeout)
    return status == 200


def health(endpoint: str, timeout: float = 2.0) -> dict[str, object]:
    """MiniStack's health report: services, ``auth`` (enabled/disabled), version, IoT listener state."""
    status, body = _get_json(f"{endpoint.rstrip('/')}/_ministack/health", timeout)
    if status != 200:
        raise EmulatorError(f"MiniStack at {endpoint} did not answer its health check (HTTP {status})")
    return body


class MiniStackServer(ServerProcess):
    """Context manager running MiniStack on 127.0.0.1 until exit, with functions runnable on Node 22.

    Attributes:
        work_dir: Everything of this server: its log, ``TMPDIR``, state, ``HOME``, the ``node_modules`` link.
        endpoint: ``http://127.0.0.1:<port>``.
        auth: Whether ``AUTH=true`` (policies enforced, functions act as their execution roles).
        account_id: The account callers without an account-naming key act in.
        region: The region of requests that name none.
    """

    def __init__(
        self,
        work_dir: Path,
        *,
        port: int | None = None,
        auth: bool = True,
        account_id: str = MOTO_DEFAULT_ACCOUNT_ID,
        region: str = DEFAULT_REGION,
        runtime: FunctionRuntime | None = None,
        start_timeout: float = 60.0,
        progress: Progress = stderr_progress,
    ) -> None:
        """Prepare a server in ``work_dir``; nothing is installed or started until :meth:`start`.

        ``runtime`` defaults to the provisioned function runtime (installed on first use).
        """
        if not (len(account_id) == 12 and account_id.isdigit()):
            raise ValueError(f"account_id must be 12 digits, got {account_id!r}")
        self.work_dir = work_dir
        self.port = port or free_port()
        self.endpoint = f"http://{LOOPBACK}:{self.port}"
        self.auth = auth
        self.account_id = account_id
        self.region = region
        self.runtime = runtime
        self.start_timeout = start_timeout
        self.progress = progress
        self._process: subprocess.Popen[bytes] | None = None
        self._network: FunctionNetwork | None = None

    @property
    def network(self) -> FunctionNetwork:
        """The functions' test CA and routes (``harness/function_network.py``), made on first use."""
        if self._network is None:
            self._network = FunctionNetwork.create(self.work_dir)
        return self._network

    @property
    def log_path(self) -> Path:
        """The server's log (stdout and stderr, the launcher's lines included)."""
        return self.work_dir / "ministack.log"

    @property
    def tmp_dir(self) -> Path:
        """The server's ``TMPDIR``: functions are extracted below it."""
        return self.work_dir / "tmp"

    @property
    def pid(self) -> int | None:
        """The server process (its session leader), while it runs."""
        return self._process.pid if self._process is not None and self._process.poll() is None else None

    def environment(self, runtime: FunctionRuntime) -> dict[str, str]:
        """The server's whole environment: minimal, so that function workers inherit nothing of ours."""
        env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
        env.update(SERVER_SETTINGS)
        env.update(EMULATOR_CREDENTIALS)  # the root caller, as on moto
        env.update(
            {
                "PATH": os.pathsep.join([str(runtime.bin_dir), os.environ.get("PATH", os.defpath)]),
                "HOME": str(self.work_dir / "home"),
                "TMPDIR": str(self.tmp_dir),
                "STATE_DIR": str(self.work_dir / "state"),
                "S3_DATA_DIR": str(self.work_dir / "s3"),
                "GATEWAY_PORT": str(self.port),
                "AUTH": "true" if self.auth else "false",
                "MINISTACK_ACCOUNT_ID": self.account_id,
                "MINISTACK_REGION": self.region,
            }
        )
        env.update(self.network.environment())
        return env

    def _prepare(self, runtime: FunctionRuntime) -> None:
        for directory in (self.work_dir, self.tmp_dir, self.work_dir / "home"):
            directory.mkdir(parents=True, exist_ok=True)
        link = self.work_dir / "node_modules"
        if link.is_symlink() or link.exists():
            if link.is_symlink() and Path(os.readlink(link)) == runtime.node_modules:
                return
            if not link.is_symlink():
                raise EmulatorError(
                    f"{link} exists and is not our link to the function runtime's SDK clients"
                )
            link.unlink()
        link.symlink_to(runtime.node_modules, target_is_directory=True)

    def start(self) -> MiniStackServer:
        """Install what is missing, start the server, wait until it answers and check its sockets.

        Raises:
            EmulatorError: It did not start, did not answer in time, reports another ``AUTH`` than asked,
                or listens on an address other than loopback; the message names the log.
            harness.function_runtime.FunctionRuntimeError: Node 22 or the SDK clients could not be installed.
        """
        runtime = self.runtime or ensure_function_runtime()
        self.runtime = runtime
        python = ensure_ministack_python(progress=self.progress)
        self._prepare(runtime)
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [str(python), "-I", "-u", "-c", LAUNCHER],
                cwd=self.work_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.environment(runtime),
                start_new_session=True,  # Ctrl-C reaches us, not the emulator: teardown still needs it
            )

        self._wait_until_ready(
            f"MiniStack at {self.endpoint}",
            lambda: is_answering(self.endpoint),
            self.start_timeout,
            self.log_path,
        )
        try:
            self._check_started()
        except EmulatorError:
            self.stop()
            raise
        return self

    def _check_started(self) -> None:
        reported = health(self.endpoint).get("auth")
        if reported != ("enabled" if self.auth else "disabled"):
            raise EmulatorError(
                f"MiniStack at {self.endpoint} reports auth {reported!r}; see {self.log_path}"
            )
        outside = self.exposed_listeners()
        if outside:
            raise EmulatorError(
                "MiniStack listens beyond loopback: "
                + ", ".join(listener.describe() for listener in outside)
                + f"; see {self.log_path}"
            )

    def listeners(self) -> list[Listener]:
        """Every socket the server's process tree (function workers included) listens or receives on."""
        pid = self.pid
        return listeners(pid) if pid is not None else []

    def exposed_listeners(self) -> list[Listener]:
        """Those of :meth:`listeners` not bound to loopback (empty, or the server is misconfigured)."""
        return exposed(self.listeners())

    def resent_calls(self) -> list[str]:
        """The calls its clients sent again (attempt 2 or later), as the launcher logged them, in order.

        ``CreateSubnet, attempt 2, answered 200`` means the server had already been sent that call:
        a create may then exist twice. Empty when the log does not exist (the server never started).
        """
        if not self.log_path.exists():
            return []
        with self.log_path.open(encoding="utf-8", errors="replace") as log:
            return [
                line.removeprefix(RESENT_CALL_PREFIX).strip()
                for line in log
                if line.startswith(RESENT_CALL_PREFIX)
            ]

    def resent_summary(self) -> str:
        """``MiniStack was sent N call(s) again``, followed by the calls when there are any."""
        calls = self.resent_calls()
        return f"MiniStack was sent {len(calls)} call(s) again" + (f": {'; '.join(calls)}" if calls else "")
