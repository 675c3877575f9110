"""Live fixtures: one run per stack (its own run id, emulator and synthesis), one environment each.

A stack's run never shares a run id with the other stack's, so each teardown's orphan sweep judges
its own stack only, whichever worker hosts the two (``INFRA_RUN_ID`` given by hand: one shared id,
for reusing a kept run). Each environment registers its teardown before its first apply, so a failed
or interrupted deploy (Ctrl-C, SIGTERM) is still destroyed and swept.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Literal, overload

import pytest

from harness.emulator import external_endpoint
from harness.emulator_pair import LocalEmulators, local_emulators
from harness.environment import EphemeralEnvironment, interrupts_as_keyboard_interrupt
from harness.existing_secret import create_database_secret, delete_secret, serve_rotation_database
from harness.ledger_database import LedgerDatabase, serve_ledger
from harness.ministack import MiniStackServer
from harness.pan_scan import PanScannedEnvironment
from harness.run import WORK_ROOT, HarnessRun, PaymentPlatformEnvironment, PciEnvironment
from harness.run_id import new_run_id
from pci_infra.app.stack_kind import StackKind
from pci_infra.foundation.capabilities import gap_for
from pci_infra.foundation.service_routing import Emulator
from pci_infra.stacks.outputs import StackOutputs

LIVE_SUFFIX = "it"
DATABASE_GAP = "behaviour:database_network"

EMULATORS_KEY = pytest.StashKey[dict[str, LocalEmulators]]()
"""Each stack's local emulators, by stack name (for tests of the emulators themselves)."""
LEDGER_KEY = pytest.StashKey[LedgerDatabase]()


def _progress_writer(config: pytest.Config, log: Path) -> Callable[[str], None]:
    capture = config.pluginmanager.getplugin("capturemanager")
    reporter = config.pluginmanager.getplugin("terminalreporter")
    worker = os.environ.get("PYTEST_XDIST_WORKER")

    def say(message: str) -> None:
        line = f"{time.strftime('%H:%M:%S')} {worker or 'main'} {message}"
        with log.open("a") as handle:
            handle.write(line + "\n")
        if worker is None and reporter is not None and capture is not None:
            with capture.global_and_fixture_disabled():
                reporter.write_line(line)

    return say


@pytest.fixture(scope="session")
def _interrupts(request: pytest.FixtureRequest) -> None:
    """Ctrl-C and SIGTERM become KeyboardInterrupt for the session, so teardowns run."""
    interrupts = ExitStack()
    interrupts.enter_context(interrupts_as_keyboard_interrupt())
    request.addfinalizer(interrupts.close)


def _local_emulators(request: pytest.FixtureRequest, workdir: Path) -> LocalEmulators:
    """The stack's own emulators (MiniStack and moto, or moto alone with ``INFRA_EMULATORS=moto``).

    Stopped at the end of the session, after the environments' teardowns (finalizers run in reverse).
    """
    servers = ExitStack()
    request.addfinalizer(servers.close)
    emulators = servers.enter_context(local_emulators(workdir, os.environ))
    request.config.stash.setdefault(EMULATORS_KEY, {})[workdir.name] = emulators
    return emulators


def _start_run(request: pytest.FixtureRequest, stack: StackKind) -> HarnessRun:
    """A run of ``stack`` alone: its run id, its embedded emulator (unless one is given), its synthesis.

    On AWS the alert e-mail, API certificate and standby host come from INFRA_ALERT_EMAIL,
    INFRA_API_CERTIFICATE_ARN and INFRA_STANDBY_ENDPOINT, the region from INFRA_REGION.
    """
    run_id = os.environ.get("INFRA_RUN_ID") or new_run_id()
    workdir = WORK_ROOT / f"{LIVE_SUFFIX}-{run_id}"
    endpoint: str | None = None
    routes: dict[str, str] = {}
    if request.config.getoption("--target") == "emulator":
        endpoint = external_endpoint(os.environ)
        if endpoint is None:
            emulators = _local_emulators(request, workdir / str(stack))
            endpoint, routes = emulators.endpoint, emulators.routes
    run = HarnessRun.start(
        suffix=LIVE_SUFFIX,
        run_id=run_id,
        workdir=workdir,
        endpoint=endpoint,
        environ=os.environ,
        stacks=(stack,),
        routes=routes,
    )
    run.synthesize()
    return run


@pytest.fixture(scope="session")
def payment_run(request: pytest.FixtureRequest, _interrupts: None) -> HarnessRun:
    """The payment platform's run."""
    return _start_run(request, StackKind.PAYMENT_PLATFORM)


@pytest.fixture(scope="session")
def pci_run(request: pytest.FixtureRequest, _interrupts: None) -> HarnessRun:
    """The PCI data processing environment's run."""
    return _start_run(request, StackKind.PCI_DATA_PROCESSING)


@overload
def _environment(
    request: pytest.FixtureRequest, run: HarnessRun, stack: Literal[StackKind.PAYMENT_PLATFORM]
) -> PaymentPlatformEnvironment: ...


@overload
def _environment(
    request: pytest.FixtureRequest, run: HarnessRun, stack: Literal[StackKind.PCI_DATA_PROCESSING]
) -> PciEnvironment: ...


def _environment(
    request: pytest.FixtureRequest, run: HarnessRun, stack: StackKind
) -> EphemeralEnvironment[StackOutputs]:
    say = _progress_writer(request.config, run.workdir / "progress.log")
    # Gated by checkov before apply (the default); its first teardown scans the run's stores for clear
    # PANs (PCI DSS 3.5), then destroys.
    env = run.environment(
        stack,
        progress=say,
        environ=os.environ,
        environment_type=PanScannedEnvironment,
    )
    request.addfinalizer(
        env.teardown
    )  # registered before apply: runs after a failed or interrupted deploy too
    env.deploy()
    return env


@pytest.fixture(scope="session")
def payment_platform(request: pytest.FixtureRequest, payment_run: HarnessRun) -> PaymentPlatformEnvironment:
    """The payment platform, deployed once for the session, its ledger database served on the pair."""
    env = _environment(request, payment_run, StackKind.PAYMENT_PLATFORM)
    ministack = ministack_of(request, StackKind.PAYMENT_PLATFORM)
    if ministack is not None and gap_for(DATABASE_GAP) is not None:  # no database runs behind RDS here
        ledger = serve_ledger(
            env.target, env.outputs.parameter_names["connection"], ministack.network, payment_run.workdir
        )
        request.addfinalizer(ledger.stop)
        request.config.stash[LEDGER_KEY] = ledger
    return env


@pytest.fixture(scope="session")
def ledger_database(
    request: pytest.FixtureRequest, payment_platform: PaymentPlatformEnvironment
) -> LedgerDatabase:
    """The real PostgreSQL behind the proxy endpoint (emulator pair only; elsewhere the test is skipped)."""
    ledger = request.config.stash.get(LEDGER_KEY, None)
    if ledger is None:
        pytest.skip(
            "the ledger database is read in SQL on the emulator pair only (AWS: no route to Aurora from here)"
        )
    return ledger


@pytest.fixture(scope="session")
def payment_api_url(request: pytest.FixtureRequest, payment_platform: PaymentPlatformEnvironment) -> str:
    """``POST`` URL of the payment API behind the deployed internal ALB, as a client in the VPC posts.

    On the pair it is MiniStack's route to the ALB (``/_alb/<name>/...``), which serves the listener
    and invokes the API function; elsewhere the test is skipped (an internal ALB is not reachable here).
    """
    ministack = ministack_of(request, StackKind.PAYMENT_PLATFORM)
    if ministack is None:
        pytest.skip("the internal ALB is reached through MiniStack on the emulator pair only")
    balancer = payment_platform.outputs.alb_arn.split("/")[-2]
    return f"{ministack.endpoint}/_alb/{balancer}/api/payments"


def ministack_of(request: pytest.FixtureRequest, stack: StackKind) -> MiniStackServer | None:
    """The stack's MiniStack server, when its run has one (the emulator pair)."""
    emulators = request.config.stash.get(EMULATORS_KEY, {}).get(str(stack))
    server = emulators.servers.get(Emulator.MINISTACK) if emulators is not None else None
    return server if isinstance(server, MiniStackServer) else None


def record_resent_calls(
    request: pytest.FixtureRequest, stack: StackKind, record_property: Callable[[str, object], None]
) -> None:
    """Say in the run summary which calls the stack's MiniStack was sent again (an SDK's attempt 2 or later).

    Each is a call the client did not take the answer of: harmless for a read, a duplicate or an
    "already exists" for a create (``harness/ministack.py``, ``RESENT_CALL_WITNESS``).
    """
    server = ministack_of(request, stack)
    if server is None:
        return
    try:
        summary = server.resent_summary()
    except OSError as err:  # never hides the teardown's own outcome, in whose finally this runs
        summary = f"MiniStack's log could not be read ({err})"
    record_property("resent_calls", f"{stack}: {summary}")


@pytest.fixture(scope="session")
def database_secret(request: pytest.FixtureRequest, pci_run: HarnessRun) -> str:
    """The "existing" database secret the PCI stack looks up: made before the deploy, deleted after.

    On the emulator pair it names a real PostgreSQL on 127.0.0.1 (TLS only, its certificate from the
    run's MiniStack test CA, stopped at the end of the session) and holds its login role's password,
    so the deployed rotation function's four steps run against a database. Elsewhere (AWS, moto alone)
    its value points at no real database: the database steps are tested in lambda/secret-rotation.
    """
    name = pci_run.settings.pci_database_secret
    ministack = ministack_of(request, StackKind.PCI_DATA_PROCESSING)
    if ministack is None:
        arn = create_database_secret(pci_run.target, name)
    else:
        database = serve_rotation_database(ministack.network.authority, pci_run.workdir)
        request.addfinalizer(database.stop)
        arn = create_database_secret(pci_run.target, name, database.login, database.password)
    request.addfinalizer(lambda: delete_secret(pci_run.target, arn))
    return arn


@pytest.fixture(scope="session")
def pci_environment(
    request: pytest.FixtureRequest, pci_run: HarnessRun, database_secret: str
) -> PciEnvironment:
    """The PCI data processing environment, deployed once for the session (after its secret exists)."""
    return _environment(request, pci_run, StackKind.PCI_DATA_PROCESSING)
