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

from harness.emulator import MotoServer, external_endpoint
from harness.environment import EphemeralEnvironment, interrupts_as_keyboard_interrupt
from harness.existing_secret import create_database_secret, delete_secret
from harness.pan_scan import PanScannedEnvironment
from harness.run import WORK_ROOT, HarnessRun, PaymentPlatformEnvironment, PciEnvironment
from harness.run_id import new_run_id
from pci_infra.app.stack_kind import StackKind
from pci_infra.stacks.outputs import StackOutputs

LIVE_SUFFIX = "it"


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


def _start_run(request: pytest.FixtureRequest, stack: StackKind) -> HarnessRun:
    """A run of ``stack`` alone: its run id, its embedded emulator (unless one is given), its synthesis.

    On AWS the alert e-mail, API certificate and standby host come from INFRA_ALERT_EMAIL,
    INFRA_API_CERTIFICATE_ARN and INFRA_STANDBY_ENDPOINT, the region from INFRA_REGION.
    """
    run_id = os.environ.get("INFRA_RUN_ID") or new_run_id()
    workdir = WORK_ROOT / f"{LIVE_SUFFIX}-{run_id}"
    endpoint: str | None = None
    if request.config.getoption("--target") == "emulator":
        endpoint = external_endpoint(os.environ)
        if endpoint is None:
            server = MotoServer(workdir / f"moto-{stack}.log").start()
            request.addfinalizer(server.stop)
            endpoint = server.endpoint
    run = HarnessRun.start(
        suffix=LIVE_SUFFIX,
        run_id=run_id,
        workdir=workdir,
        endpoint=endpoint,
        environ=os.environ,
        stacks=(stack,),
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
    """The payment platform, deployed once for the session."""
    return _environment(request, payment_run, StackKind.PAYMENT_PLATFORM)


@pytest.fixture(scope="session")
def database_secret(request: pytest.FixtureRequest, pci_run: HarnessRun) -> str:
    """The "existing" database secret the PCI stack looks up: made before the deploy, deleted after.

    Its value points at no real database: the rotation's database steps are tested against a real
    PostgreSQL in lambda/secret-rotation; here the secret is what the stack looks up and rotates.
    """
    arn = create_database_secret(pci_run.target, pci_run.settings.pci_database_secret)
    request.addfinalizer(lambda: delete_secret(pci_run.target, arn))
    return arn


@pytest.fixture(scope="session")
def pci_environment(
    request: pytest.FixtureRequest, pci_run: HarnessRun, database_secret: str
) -> PciEnvironment:
    """The PCI data processing environment, deployed once for the session (after its secret exists)."""
    return _environment(request, pci_run, StackKind.PCI_DATA_PROCESSING)
