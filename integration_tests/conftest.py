"""Live fixtures: one emulator and one synthesis per session, one deployed environment per stack.

Each environment registers its teardown before its first apply, so a failed or interrupted deploy
(Ctrl-C, SIGTERM) is still destroyed and swept.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.aws_target import AwsTarget
from harness.compliance_gate import record_path, scan_plan
from harness.emulator import MotoServer, external_endpoint
from harness.environment import EphemeralEnvironment, interrupts_as_keyboard_interrupt
from harness.existing_secret import create_database_secret, delete_secret
from harness.run_id import new_run_id
from pci_infra.app.paths import PROJECT_ROOT
from pci_infra.app.settings import Settings
from pci_infra.app.settings_sources import parse_settings
from pci_infra.app.synthesis import synthesize

LIVE_SUFFIX = "it"


@dataclass(frozen=True)
class LiveRun:
    """One live test session: run id, target, working directory and synthesized stacks."""

    run_id: str
    target: AwsTarget
    workdir: Path
    outdir: Path
    settings: Settings


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
def live_run(request: pytest.FixtureRequest) -> Iterator[LiveRun]:
    """Start (or reuse) the emulator and synthesize every stack once for this session."""
    interrupts = ExitStack()
    interrupts.enter_context(interrupts_as_keyboard_interrupt())
    request.addfinalizer(interrupts.close)
    run_id = os.environ.get("INFRA_RUN_ID") or new_run_id()
    workdir = PROJECT_ROOT / ".work" / f"{LIVE_SUFFIX}-{run_id}"
    workdir.mkdir(parents=True, exist_ok=True)
    target_kind = request.config.getoption("--target")
    flags = [
        "--environment-suffix",
        LIVE_SUFFIX,
        "--run-id",
        run_id,
        "--target",
        target_kind,
        "--state-dir",
        str(workdir / "state"),
    ]
    server: MotoServer | None = None
    if target_kind == "emulator":
        endpoint = external_endpoint(os.environ)
        if endpoint is None:
            server = MotoServer(workdir / "moto.log").start()
            request.addfinalizer(server.stop)
            endpoint = server.endpoint
        flags += ["--emulator-endpoint", endpoint]
        target = AwsTarget.emulator("us-east-1", endpoint)
    else:
        # Alert e-mail and API certificate come from INFRA_ALERT_EMAIL / INFRA_API_CERTIFICATE_ARN.
        target = AwsTarget(region=os.environ.get("INFRA_REGION", "us-east-1"))
    settings = parse_settings(flags, os.environ)
    outdir = synthesize(settings, workdir / "cdktf.out")
    yield LiveRun(run_id=run_id, target=target, workdir=workdir, outdir=outdir, settings=settings)


def _compliance_gate(live_run: LiveRun, stack: str, say: Callable[[str], None]) -> Callable[[Path], None]:
    """The checkov gate on the deploy's plan: records its result, then refuses the apply on a failure."""
    target = "emulator" if live_run.target.is_emulator else "aws"

    def gate(plan_json: Path) -> None:
        result = scan_plan(stack, plan_json, target=target)
        record_path(live_run.workdir, stack).write_text(json.dumps(result.to_json(), indent=2))
        say(f"[{stack} {live_run.run_id}] {result.summary()}")
        result.raise_if_failed()

    return gate


def _environment(request: pytest.FixtureRequest, live_run: LiveRun, stack: str) -> EphemeralEnvironment:
    say = _progress_writer(request.config, live_run.workdir / "progress.log")
    env = EphemeralEnvironment(
        stack_name=stack,
        run_id=live_run.run_id,
        stack_dir=live_run.outdir / "stacks" / stack,
        workdir=live_run.workdir,
        target=live_run.target,
        progress=say,
        environ=os.environ,
        before_apply=_compliance_gate(live_run, stack, say),
    )
    request.addfinalizer(
        env.teardown
    )  # registered before apply: runs after a failed or interrupted deploy too
    env.deploy()
    return env


@pytest.fixture(scope="session")
def payment_platform(request: pytest.FixtureRequest, live_run: LiveRun) -> EphemeralEnvironment:
    """The payment platform, deployed once for the session."""
    return _environment(request, live_run, "payment-platform")


@pytest.fixture(scope="session")
def database_secret(request: pytest.FixtureRequest, live_run: LiveRun) -> str:
    """The "existing" database secret the PCI stack looks up: made before the deploy, deleted after.

    Its value points at no real database: the rotation's database steps are tested against a real
    PostgreSQL in lambda/secret-rotation; here the secret is what the stack looks up and rotates.
    """
    arn = create_database_secret(live_run.target, live_run.settings.pci_database_secret)
    request.addfinalizer(lambda: delete_secret(live_run.target, arn))
    return arn


@pytest.fixture(scope="session")
def pci_environment(
    request: pytest.FixtureRequest, live_run: LiveRun, database_secret: str
) -> EphemeralEnvironment:
    """The PCI data processing environment, deployed once for the session (after its secret exists)."""
    return _environment(request, live_run, "pci-data-processing")
