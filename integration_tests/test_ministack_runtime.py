"""MiniStack, the second local emulator: it stays on loopback and runs our functions' runtime for real.

GIVEN a MiniStack server (AUTH on) started by the harness beside a moto server
WHEN each is up (MiniStack with a function worker running)
THEN every socket either process tree listens on is bound to loopback, the endpoint among them, and
     both emulators put the caller in the same account.

GIVEN MiniStack started by the harness, and beside it MiniStack started by the same launcher without its
      keep-alive guard
WHEN a connection to each lies idle as long as the AWS provider's SDK keeps one for reuse
THEN ours answers the next request on that same connection and the unguarded one has closed it (the
     race in which a create is carried out and never answered).

GIVEN hypercorn, MiniStack's server, with and without the launcher's whole-response guard, serving an
      app whose body follows the response head by 300 ms (a busy event loop)
WHEN a client reads the first bytes of each answer
THEN with the guard a response of known length arrives head and body together, one longer than the
     client's first read is held a moment first, and a stream without a length still shows its head
     at once; without the guard the head arrives alone, the moment in which the AWS provider's client
     gives up on an answered call and sends it again.

GIVEN MiniStack as the harness launches it
WHEN a client sends one call, then sends it again as its SDK would (``amz-sdk-request: attempt=2``)
THEN the launcher logs the second, with its answer, and not the first: what the run summary counts.

GIVEN a ``nodejs22.x`` function whose execution role may send to one queue only
WHEN it is invoked to send to that queue, then to another
THEN the message arrives, the function ran on Node 22 with the AWS SDK v3 of the runtime, and the
     second send is refused with AccessDenied: MiniStack evaluated the role's policy.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import socket
import ssl
import subprocess
import threading
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.config import Config

from harness.emulator import MotoServer, free_port
from harness.function_network import FunctionNetwork
from harness.function_runtime import FunctionRuntime, ensure_function_runtime
from harness.listeners import exposed, listeners, process_tree
from harness.ministack import (
    KEEP_ALIVE_GUARD,
    LARGE_ANSWER_HOLD_SECONDS,
    LAUNCHER,
    LOOPBACK,
    LOOPBACK_GUARD,
    MOTO_DEFAULT_ACCOUNT_ID,
    SERVER_SETTINGS,
    WHOLE_RESPONSE_GUARD,
    MiniStackServer,
    ensure_ministack_python,
    is_answering,
)
from harness.run_id import new_run_id
from harness.throwaway_pki import KeyPair
from pci_infra.app.paths import PROJECT_ROOT
from pci_infra.foundation.aws_clients import EMULATOR_CREDENTIALS

pytestmark = [pytest.mark.live, pytest.mark.behaviour]

REGION = "us-east-1"
RUNTIME = "nodejs22.x"
"""The functions' runtime (``pci_infra/blocks/node_function.py``; importing it would start jsii)."""

SEND_HANDLER = """
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

const sqs = new SQSClient({});
const runtime = { node: process.version, sdk: import.meta.resolve('@aws-sdk/client-sqs') };

export const handler = async (event) => {
  try {
    const command = new SendMessageCommand({ QueueUrl: event.queueUrl, MessageBody: event.body });
    const sent = await sqs.send(command);
    return { ...runtime, messageId: sent.MessageId };
  } catch (err) {
    console.log(`SendMessage refused: ${err.name}: ${err.message}`);
    return { ...runtime, error: err.name, message: err.message };
  }
};
"""

HARD_CODED_LISTENERS = """
import asyncio, json, os
from ministack.core import pgproxy
from ministack.services import iot

async def main():
    await pgproxy.start_proxy("probe", int(os.environ["DSQL_PROXY_PORT"]), "127.0.0.1", 9)
    await iot._mtls_start_locked()
    print(json.dumps({
        "dsql_proxy": [list(s.getsockname()[:2]) for s in pgproxy._proxies["probe"].sockets],
        "iot_mtls": [list(s.getsockname()[:2]) for s in iot._mtls_server.sockets],
    }))

asyncio.run(main())
"""
"""Starts the two listeners MiniStack binds to 0.0.0.0 in code, as their services would."""

PROVIDER_IDLE_SECONDS = 90
"""How long the AWS provider's Go SDK keeps an idle connection for reuse (``IdleConnTimeout`` of
aws-sdk-go-v2's default transport); MiniStack's own ``main`` closes idle connections after 75 s."""

IDLE_HANDLER = "export const handler = async () => ({ node: process.version });\n"

LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


@pytest.fixture(scope="module")
def workdir(request: pytest.FixtureRequest) -> Path:
    if request.config.getoption("--target") != "emulator":
        pytest.skip("MiniStack is a local emulator: these checks run on the emulator target only")
    return PROJECT_ROOT / ".work" / f"ministack-{new_run_id()}"


@pytest.fixture(scope="module")
def function_runtime(workdir: Path) -> FunctionRuntime:
    return ensure_function_runtime()


@pytest.fixture(scope="module")
def ministack(workdir: Path, function_runtime: FunctionRuntime) -> Iterator[MiniStackServer]:
    with MiniStackServer(workdir / "ministack", auth=True, runtime=function_runtime) as server:
        yield server


def client(endpoint: str, service: str) -> Any:
    """A client acting as the account root both emulators accept (the project's emulator credentials)."""
    return boto3.session.Session(region_name=REGION).client(
        service,  # type: ignore[call-overload]
        endpoint_url=endpoint,
        aws_access_key_id=EMULATOR_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=EMULATOR_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=EMULATOR_CREDENTIALS["AWS_SESSION_TOKEN"],
        config=Config(retries={"max_attempts": 2, "mode": "standard"}, read_timeout=30),
    )


def zipped(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.mjs", source)
    return buffer.getvalue()


def create_function(endpoint: str, name: str, source: str, policy: dict[str, Any] | None = None) -> None:
    """A ``nodejs22.x`` function with an execution role of its own holding ``policy`` (if any)."""
    iam = client(endpoint, "iam")
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    if policy is not None:
        iam.put_role_policy(RoleName=f"{name}-role", PolicyName="inline", PolicyDocument=json.dumps(policy))
    client(endpoint, "lambda").create_function(
        FunctionName=name,
        Runtime=RUNTIME,
        Role=role["Role"]["Arn"],
        Handler="index.handler",
        Code={"ZipFile": zipped(source)},
        Timeout=30,
    )


def invoke(endpoint: str, name: str, event: dict[str, Any]) -> dict[str, Any]:
    """The function's result (its handler returned, it did not throw)."""
    response = client(endpoint, "lambda").invoke(FunctionName=name, Payload=json.dumps(event))
    payload = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, payload
    result: dict[str, Any] = payload
    return result


def test_ministack_and_moto_listen_on_loopback_only(workdir: Path, ministack: MiniStackServer) -> None:
    # A worker of its own, so the tree checked holds a running Node process too.
    create_function(ministack.endpoint, "idle", IDLE_HANDLER)
    result = invoke(ministack.endpoint, "idle", {})
    assert result["node"].startswith("v22.")
    # Listeners some services bind only on first use (MiniStack binds SFTP on CreateServer).
    client(ministack.endpoint, "transfer").create_server(Protocols=["SFTP"])

    with MotoServer(workdir / "moto.log") as moto:
        assert moto._process is not None
        trees = {"ministack": (ministack.port, ministack.pid), "moto": (moto.port, moto._process.pid)}
        for name, (port, pid) in trees.items():
            assert pid is not None, f"{name} is not running"
            found = listeners(pid)
            described = [listener.describe() for listener in found]
            assert not exposed(found), f"{name} listens beyond loopback: {described}"
            assert port in {listener.port for listener in found}, (
                f"{name}: no listener on {port}: {described}"
            )
        assert ministack.pid is not None
        commands = {
            (Path("/proc") / str(pid) / "comm").read_text().strip() for pid in process_tree(ministack.pid)
        }
        assert "node" in commands, f"no function worker in MiniStack's process tree: {commands}"

        accounts = {
            name: client(endpoint, "sts").get_caller_identity()["Account"]
            for name, endpoint in (("ministack", ministack.endpoint), ("moto", moto.endpoint))
        }
    assert accounts == {"ministack": MOTO_DEFAULT_ACCOUNT_ID, "moto": MOTO_DEFAULT_ACCOUNT_ID}


def test_the_launcher_keeps_hard_coded_wildcard_listeners_on_loopback(workdir: Path) -> None:
    # The DSQL wire proxy and the IoT mTLS listener name 0.0.0.0 in MiniStack's code, with no setting;
    # here they are started directly (no Docker backend, no cryptography needed) behind the guard.
    ports = {"DSQL_PROXY_PORT": str(free_port()), "IOT_MTLS_PORT": str(free_port())}
    workdir.mkdir(parents=True, exist_ok=True)
    completed = subprocess.run(
        [str(ensure_ministack_python()), "-I", "-c", LOOPBACK_GUARD + HARD_CODED_LISTENERS],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ.get("PATH", ""), "TMPDIR": str(workdir), **ports},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    bound = json.loads(completed.stdout.strip().splitlines()[-1])
    assert bound == {
        "dsql_proxy": [["127.0.0.1", int(ports["DSQL_PROXY_PORT"])]],
        "iot_mtls": [["127.0.0.1", int(ports["IOT_MTLS_PORT"])]],
    }
    assert (
        f"loopback launcher: bind 0.0.0.0:{ports['DSQL_PROXY_PORT']} moved to 127.0.0.1" in completed.stderr
    )
    assert f"loopback launcher: bind 0.0.0.0:{ports['IOT_MTLS_PORT']} moved to 127.0.0.1" in completed.stderr


def test_the_loopback_check_flags_a_socket_open_to_every_interface() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("0.0.0.0", 0))  # noqa: S104 (the point of the test)
        sock.listen()
        port = sock.getsockname()[1]
        flagged = [(listener.address, listener.port) for listener in exposed(listeners(os.getpid()))]
    assert ("0.0.0.0", port) in flagged  # noqa: S104


def test_a_nodejs22_function_sends_only_where_its_role_allows(
    ministack: MiniStackServer, function_runtime: FunctionRuntime
) -> None:
    sqs = client(ministack.endpoint, "sqs")
    allowed = sqs.create_queue(QueueName="role-allows")["QueueUrl"]
    refused = sqs.create_queue(QueueName="role-does-not-allow")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=allowed, AttributeNames=["QueueArn"])["Attributes"]
    create_function(
        ministack.endpoint,
        "sender",
        SEND_HANDLER,
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": attributes["QueueArn"]}
            ],
        },
    )

    sent = invoke(ministack.endpoint, "sender", {"queueUrl": allowed, "body": "payment 42"})
    assert sent["node"].startswith("v22."), sent
    # The real client, from the runtime's node_modules (not one of MiniStack's require() fallbacks).
    assert sent["sdk"].startswith(function_runtime.node_modules.resolve().as_uri() + "/"), sent
    assert "error" not in sent, sent
    received = sqs.receive_message(QueueUrl=allowed, WaitTimeSeconds=2).get("Messages", [])
    assert [(message["MessageId"], message["Body"]) for message in received] == [
        (sent["messageId"], "payment 42")
    ]

    denied = invoke(ministack.endpoint, "sender", {"queueUrl": refused, "body": "payment 43"})
    # Refused by the role's policy, evaluated for the function's own session. (Its log line is not
    # checked: MiniStack waits only 50 ms for a worker's output, so under load a line can miss the
    # invocation's log; see harness/MINISTACK.md.)
    assert denied["error"] == "AccessDenied", denied
    session = f"arn:aws:sts::{MOTO_DEFAULT_ACCOUNT_ID}:assumed-role/sender-role/sender"
    assert session in denied["message"], denied
    assert "sqs:SendMessage" in denied["message"], denied
    assert not sqs.receive_message(QueueUrl=refused, WaitTimeSeconds=1).get("Messages")


PROXY_NAME = "ledger.proxy-abc123.us-east-1.rds.amazonaws.com"

TLS_CLIENT = """
const tls = require('node:tls');
const socket = tls.connect({ host: process.argv[1], port: 5432, servername: process.argv[1] }, () => {
  socket.once('data', (data) => { console.log(`verified ${socket.authorized} said ${data}`); socket.end(); });
});
socket.on('error', (err) => { console.log(`refused ${err.code}`); process.exitCode = 1; });
"""
"""Connects as node-postgres does to the proxy: TCP to ``host:5432``, TLS with that server name."""


@contextmanager
def tls_greeter(certificate: KeyPair) -> Iterator[int]:
    """A TLS server on 127.0.0.1 that says ``ledger`` to whoever connects; its port."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate.cert, certificate.key)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            try:
                with context.wrap_socket(connection, server_side=True) as secured:
                    secured.sendall(b"ledger")
            except (ssl.SSLError, OSError):
                connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        listener.close()


def test_function_workers_reach_the_proxy_name_over_tls_only_through_the_harness_network(
    function_runtime: FunctionRuntime, workdir: Path
) -> None:
    # GIVEN the network a MiniStack server gives its workers: a test CA, a routes file, the preload
    network = FunctionNetwork.create(workdir / "network")
    certificate = network.authority.issue_server("proxy", [PROXY_NAME])

    def connect(environment: dict[str, str]) -> str:
        env = {"PATH": os.environ.get("PATH", ""), **environment}
        node = [str(function_runtime.node), "-e", TLS_CLIENT, PROXY_NAME]
        return subprocess.run(
            node, env=env, capture_output=True, text=True, timeout=30, check=False
        ).stdout.strip()

    with tls_greeter(certificate) as port:
        # WHEN no route is written yet THEN the name resolves nowhere, as on this machine without AWS DNS
        assert connect(network.environment()).startswith("refused ENOTFOUND")
        # WHEN the harness routes the proxy name to the loopback server THEN the worker connects, and
        # the certificate is verified against the test CA and the name the function asked for
        network.route(PROXY_NAME, 5432, port)
        assert network.routes() == {f"{PROXY_NAME}:5432": f"127.0.0.1:{port}"}
        assert connect(network.environment()) == "verified true said ledger"
        # AND without the test CA among the worker's authorities the same server is refused
        untrusted = {**network.environment(), "INFRA_FUNCTION_TEST_CA": str(workdir / "no-such-ca.pem")}
        assert connect(untrusted) == "refused UNABLE_TO_VERIFY_LEAF_SIGNATURE"
    with pytest.raises(ValueError, match="only be routed to loopback"):
        network.route(PROXY_NAME, 5432, port, to_host="10.0.0.5")


@contextmanager
def unguarded_ministack(workdir: Path) -> Iterator[str]:
    """MiniStack as the harness launches it but without :data:`KEEP_ALIVE_GUARD` (its own 75 s)."""
    assert KEEP_ALIVE_GUARD in LAUNCHER
    home = workdir / "unguarded"
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {
        **SERVER_SETTINGS,
        **EMULATOR_CREDENTIALS,
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(home),
        "TMPDIR": str(home),
        "STATE_DIR": str(home / "state"),
        "S3_DATA_DIR": str(home / "s3"),
        "GATEWAY_PORT": str(port),
    }
    with (home / "ministack.log").open("ab") as log:
        process = subprocess.Popen(
            [str(ensure_ministack_python()), "-I", "-u", "-c", LAUNCHER.replace(KEEP_ALIVE_GUARD, "")],
            cwd=home,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    endpoint = f"http://{LOOPBACK}:{port}"
    try:
        deadline = time.monotonic() + 60
        while not is_answering(endpoint):
            assert process.poll() is None, f"unguarded MiniStack exited; see {home / 'ministack.log'}"
            assert time.monotonic() < deadline, f"unguarded MiniStack did not answer; see {home}"
            time.sleep(0.3)
        yield endpoint
    finally:
        os.killpg(process.pid, 9)
        process.wait(timeout=30)


def next_request_after_idling(endpoint: str, idle_seconds: float) -> str:
    """What a second request on a connection idle for ``idle_seconds`` gets."""
    address = urlsplit(endpoint)
    connection = http.client.HTTPConnection(address.hostname or LOOPBACK, address.port, timeout=30)
    try:
        connection.request("GET", "/_ministack/health")
        connection.getresponse().read()
        assert connection.sock is not None
        local = connection.sock.getsockname()
        time.sleep(idle_seconds)
        try:
            connection.request("GET", "/_ministack/health")
            response = connection.getresponse()
            response.read()
        except (http.client.RemoteDisconnected, ConnectionError) as err:
            return f"closed by the server ({type(err).__name__})"
        same = connection.sock is not None and connection.sock.getsockname() == local
        return f"HTTP {response.status} on the {'same' if same else 'another'} connection"
    finally:
        connection.close()


def test_an_idle_connection_outlives_the_provider_s_reuse_window(
    workdir: Path, ministack: MiniStackServer
) -> None:
    idle = PROVIDER_IDLE_SECONDS + 1
    with unguarded_ministack(workdir) as unguarded, ThreadPoolExecutor(2) as pool:
        ours = pool.submit(next_request_after_idling, ministack.endpoint, idle)
        control = pool.submit(next_request_after_idling, unguarded, idle)
        outcome = {"harness launcher": ours.result(), "without the keep-alive guard": control.result()}
    assert outcome == {
        "harness launcher": "HTTP 200 on the same connection",
        "without the keep-alive guard": "closed by the server (RemoteDisconnected)",
    }


SLOW_BODY_SERVER = """
import asyncio, sys
from hypercorn.asyncio import serve
from hypercorn.config import Config
async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    while (await receive()).get("more_body"):
        pass
    if scope["path"] == "/large":
        body = b"x" * 8000 + b"done"
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"8004")]})
        await send({"type": "http.response.body", "body": body})
        return
    length = [(b"content-length", b"4")] if scope["path"] == "/known-length" else []
    await send({"type": "http.response.start", "status": 200, "headers": length})
    await asyncio.sleep(0.3)
    await send({"type": "http.response.body", "body": b"done"})
config = Config()
config.bind = [f"127.0.0.1:{sys.argv[1]}"]
asyncio.run(serve(app, config))
"""
"""A hypercorn app whose body follows the response head by 300 ms; ``/known-length`` declares its length,
``/large`` answers 8 KB at once."""


def first_reads(guard: str, paths: tuple[str, ...]) -> dict[str, tuple[str, float]]:
    """What a client's first read of each answer holds, and how long after the request it came.

    The answers come from :data:`SLOW_BODY_SERVER` run after ``guard``.
    """
    port = free_port()
    process = subprocess.Popen(
        [str(ensure_ministack_python()), "-I", "-c", guard + SLOW_BODY_SERVER, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection((LOOPBACK, port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, "the hypercorn app exited"
                assert time.monotonic() < deadline, "the hypercorn app did not listen within 30 s"
                time.sleep(0.1)
        seen = {}
        for path in paths:
            with socket.create_connection((LOOPBACK, port), timeout=10) as client:
                sent = time.monotonic()
                client.sendall(f"GET {path} HTTP/1.1\r\nHost: {LOOPBACK}\r\n\r\n".encode())
                first = client.recv(65536)
                waited = time.monotonic() - sent
            seen[path] = ("head and body" if first.endswith(b"done") else "head alone", waited)
        return seen
    finally:
        os.killpg(process.pid, 9)
        process.wait(timeout=30)


def test_a_response_of_known_length_leaves_in_one_write(workdir: Path) -> None:
    assert WHOLE_RESPONSE_GUARD in LAUNCHER
    ours = first_reads(WHOLE_RESPONSE_GUARD, ("/known-length", "/stream", "/large"))
    control = first_reads("", ("/known-length",))
    outcome = {
        "harness launcher": {path: what for path, (what, _) in ours.items()},
        "large answer held": ours["/large"][1] >= LARGE_ANSWER_HOLD_SECONDS,
        "without the whole-response guard": {path: what for path, (what, _) in control.items()},
    }
    assert outcome == {
        "harness launcher": {
            "/known-length": "head and body",
            "/stream": "head alone",
            "/large": "head and body",
        },
        "large answer held": True,
        "without the whole-response guard": {"/known-length": "head alone"},
    }


def send_create_queue(endpoint: str, name: str, attempt: int) -> int:
    """POST SQS CreateQueue for ``name`` as the root caller, marked as the SDK's ``attempt``; the status."""
    address = urlsplit(endpoint)
    connection = http.client.HTTPConnection(address.hostname or LOOPBACK, address.port, timeout=30)
    try:
        connection.request(
            "POST",
            "/",
            body=json.dumps({"QueueName": name}),
            headers={
                "Content-Type": "application/x-amz-json-1.0",
                "X-Amz-Target": "AmazonSQS.CreateQueue",
                "Authorization": (
                    "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, "
                    "SignedHeaders=host, Signature=0"
                ),
                "amz-sdk-request": f"attempt={attempt}; max=3",
            },
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_a_call_sent_again_is_logged_by_the_launcher(ministack: MiniStackServer) -> None:
    before = len(ministack.resent_calls())
    name = f"resent-{new_run_id()}"
    statuses = [send_create_queue(ministack.endpoint, name, attempt) for attempt in (1, 2)]
    assert statuses == [200, 200]
    deadline = time.monotonic() + 10  # the line is written once the answer has left
    while not (logged := ministack.resent_calls()[before:]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert logged == ["AmazonSQS.CreateQueue, attempt 2, answered 200"]
