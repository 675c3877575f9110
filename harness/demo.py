"""``bin/demo``: the main job as a user wants to see it, one stack after the other.

For each chosen stack: synthesize, plan, gate (checkov), apply with a running count of the
resources created, check what the stack is for, scan its stores for clear card numbers, destroy
and sweep. Then one line says whether everything held; the exit code is 0 only then. A failure is
said in one line with where its log is, never as a stack trace, and teardown has run.

What each stack shows:

- payment platform: one payment taken end to end on the emulator pair (POSTed through the ALB, its
  ledger row read in SQL, its ``payment.succeeded`` event received on the analytics queue:
  ``harness/payment_journey.py``), then the smoke checks (key rotation, the log bucket's key, a
  message redriven to its DLQ, an event on the analytics queue);
- PCI data processing: the reachability verdict (no path from the workload subnets around the
  firewall), traced through the deployed route tables and endpoints.

Each stack is its own run (run id, emulator), as in the live tests, so each sweep judges one stack.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from harness.emulator import external_endpoint
from harness.emulator_pair import local_emulators
from harness.environment import EphemeralEnvironment
from harness.existing_secret import create_database_secret, delete_secret
from harness.ledger_database import serve_ledger
from harness.ministack import MiniStackServer
from harness.pan_scan import ClearPanAtRestError, PanScannedEnvironment
from harness.payment_journey import take_one_payment
from harness.reachability import analyse, verdict
from harness.reachability_describe import live_model
from harness.run import WORK_ROOT, HarnessRun
from harness.run_id import new_run_id
from harness.smoke import payment_platform_smoke
from harness.stages import timed
from pci_infra.app.settings import SettingsError
from pci_infra.app.stack_kind import StackKind
from pci_infra.foundation.service_routing import Emulator, emulators_wanted
from pci_infra.stacks.outputs import PaymentPlatformOutputs, PciDataProcessingOutputs, StackOutputs

Say = Callable[[str], None]


@dataclass(frozen=True)
class DemoOptions:
    """What ``python -m harness demo`` was asked for."""

    stacks: Sequence[StackKind]
    target: str
    suffix: str
    region: str
    alert_email: str | None = None
    api_certificate_arn: str | None = None
    standby_endpoint: str | None = None
    keep: bool = False


@dataclass
class StackOutcome:
    """What one stack's part of the demo showed."""

    stack: StackKind
    run_id: str
    workdir: Path
    checks: list[tuple[str, bool]] = field(default_factory=list)
    resources: int = 0
    pan_line: str = "PAN scan not run"
    resent_line: str = ""
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Deployed, every check held, no PAN at rest, torn down clean."""
        return self.error is None and bool(self.checks) and all(ok for _label, ok in self.checks)

    def line(self) -> str:
        """``payment-platform (run ab12cd): 238 resources, 4/4 checks, PAN scan: 26 stores read, 0 PANs``."""
        if self.error is not None:
            return f"{self.stack} (run {self.run_id}): FAILED: {self.error} (logs in {self.workdir})"
        passed = sum(1 for _label, ok in self.checks if ok)
        failed = [label for label, ok in self.checks if not ok]
        tail = f"; failed: {', '.join(failed)}" if failed else ""
        resent = f", {self.resent_line}" if self.resent_line else ""
        return (
            f"{self.stack} (run {self.run_id}): {self.resources} resources, "
            f"{passed}/{len(self.checks)} checks, {self.pan_line}{resent}{tail}"
        )


def run_demo(options: DemoOptions, say: Say) -> int:
    """Run the demo for each chosen stack; say one verdict line; 0 only when everything held.

    With ``keep``, nothing is destroyed: on AWS or an external emulator the command to destroy each
    run later is said; embedded emulators stay up until Ctrl-C (their state ends with them).
    """
    with ExitStack() as kept:
        outcomes = [_one_stack(stack, options, kept, say) for stack in options.stacks]
        code = _verdict(outcomes, options, say)
        if options.keep and options.target == "emulator" and external_endpoint(os.environ) is None:
            say("kept on the embedded emulators: press Ctrl-C to stop them (their state ends with them)")
            with _until_interrupted():
                while True:
                    time.sleep(3600)
    return code


def _verdict(outcomes: Sequence[StackOutcome], options: DemoOptions, say: Say) -> int:
    for outcome in outcomes:
        say(f"demo: {outcome.line()}")
    ok = all(outcome.ok for outcome in outcomes)
    kept = "kept" if options.keep else "destroyed, orphan sweep clean"
    verdict_line = (
        f"demo PASSED: {len(outcomes)} stack(s) deployed, checked and {kept}"
        if ok
        else "demo FAILED: " + "; ".join(o.line() for o in outcomes if not o.ok)
    )
    say(verdict_line)
    return 0 if ok else 1


def _one_stack(stack: StackKind, options: DemoOptions, kept: ExitStack, say: Say) -> StackOutcome:
    """Deploy, check, scan and tear down one stack; any failure becomes the outcome's error."""
    run_id = os.environ.get("INFRA_RUN_ID") or new_run_id()
    workdir = WORK_ROOT / f"{options.suffix}-{run_id}"
    outcome = StackOutcome(stack, run_id, workdir)
    try:
        with ExitStack() as cleanup:
            servers = kept if options.keep else cleanup
            run, ministack = _start(stack, run_id, workdir, options, servers, say)
            if ministack is not None:  # said after the teardown (callbacks run last registered first)
                cleanup.callback(_note_resent_calls, ministack, outcome)
            env = run.environment(
                stack, progress=say, environ=os.environ, environment_type=PanScannedEnvironment
            )
            assert isinstance(env, PanScannedEnvironment)
            say(f"[{stack} {run_id}] logs in {workdir}")
            if stack is StackKind.PCI_DATA_PROCESSING:  # the stack looks its database secret up
                secret = create_database_secret(run.target, run.settings.pci_database_secret)
                if not options.keep:
                    cleanup.callback(delete_secret, run.target, secret)
            if not options.keep:
                cleanup.callback(_teardown, env, outcome)  # registered before apply: runs on any failure
            env.deploy()
            outcome.resources = len(env.terraform.state_list())
            journey: Callable[[], bool] | None = None
            if ministack is not None and isinstance(env.outputs, PaymentPlatformOutputs):
                outputs = env.outputs
                with timed(f"[{stack} {run_id}] ledger database behind the proxy endpoint", say):
                    ledger = serve_ledger(
                        env.target, outputs.parameter_names["connection"], ministack.network, workdir
                    )
                servers.callback(ledger.stop)
                url = f"{ministack.endpoint}/_alb/{outputs.alb_arn.split('/')[-2]}/api/payments"

                def journey() -> bool:
                    return take_one_payment(
                        env.target, outputs, url, ledger, lambda line: say(f"[{stack} {run_id}] {line}")
                    )

            with timed(f"[{stack} {run_id}] validate", say):
                outcome.checks = _checks(env, say, journey)
            if options.keep:
                say(f"[{stack} {run_id}] outputs:\n" + json.dumps(env.raw_outputs, indent=2))
                if not run.target.is_emulator or external_endpoint(os.environ) is not None:
                    say(f"[{stack} {run_id}] kept: python -m harness destroy --workdir {workdir} destroys it")
    except (KeyboardInterrupt, SettingsError):  # bad input is refused before anything is created
        raise
    except Exception as err:  # the demo says every failure in one line; teardown has run
        outcome.error = outcome.error or _first_line(err)
    return outcome


def _note_resent_calls(ministack: MiniStackServer, outcome: StackOutcome) -> None:
    """How many calls MiniStack was sent again during the run (``harness/ministack.py``): should be 0."""
    outcome.resent_line = ministack.resent_summary()


def _start(
    stack: StackKind, run_id: str, workdir: Path, options: DemoOptions, servers: ExitStack, say: Say
) -> tuple[HarnessRun, MiniStackServer | None]:
    endpoint: str | None = None
    routes: dict[str, str] = {}
    ministack: MiniStackServer | None = None
    if options.target == "emulator":
        endpoint = external_endpoint(os.environ)
        if endpoint is None:
            with timed(f"[{stack} {run_id}] emulators: start {emulators_wanted(os.environ)}", say):
                emulators = servers.enter_context(local_emulators(workdir, os.environ))
            endpoint, routes = emulators.endpoint, emulators.routes
            server = emulators.servers.get(Emulator.MINISTACK)
            ministack = server if isinstance(server, MiniStackServer) else None
    run = HarnessRun.start(
        suffix=options.suffix,
        run_id=run_id,
        workdir=workdir,
        endpoint=endpoint,
        environ=os.environ,
        stacks=(stack,),
        region=options.region,
        alert_email=options.alert_email,
        api_certificate_arn=options.api_certificate_arn,
        standby_endpoint=options.standby_endpoint,
        routes=routes,
    )
    with timed(f"[{stack} {run_id}] synth", say):
        run.synthesize()
    return run, ministack


def _checks(
    env: EphemeralEnvironment[StackOutputs], say: Say, journey: Callable[[], bool] | None = None
) -> list[tuple[str, bool]]:
    """What the stack is for, observed on the deployed resources; one line each (the journey first)."""
    prefix = f"[{env.stack_name} {env.run_id}]"
    outputs = env.outputs
    results: list[tuple[str, bool]] = []
    if journey is not None:
        ok = journey()
        say(f"{prefix} check: {'PASS' if ok else 'FAIL'} one payment end to end (API, ledger, analytics)")
        results.append(("payment journey", ok))
    if isinstance(outputs, PaymentPlatformOutputs):
        label, ok = (
            "smoke checks",
            payment_platform_smoke(env.target, outputs, lambda line: say(f"{prefix} {line}")),
        )
    elif isinstance(outputs, PciDataProcessingOutputs):
        model = live_model(env.target, outputs.vpc_id)
        result = verdict(model, analyse(model))
        label, ok = result.summary().splitlines()[0], result.ok
    else:
        raise TypeError(f"no demo checks for {env.stack_name}")
    say(f"{prefix} check: {'PASS' if ok else 'FAIL'} {label}")
    return [*results, (label, ok)]


def _teardown(env: PanScannedEnvironment[StackOutputs], outcome: StackOutcome) -> None:
    """Scan for clear PANs, destroy, sweep; what the scan and sweep found goes into ``outcome``."""
    try:
        env.teardown()
    except ClearPanAtRestError as err:
        outcome.error = _first_line(err)
    except Exception as err:  # said in the verdict line
        outcome.error = _first_line(err)
    if env.pan_scan is not None:
        outcome.pan_line = env.pan_scan.summary(env.stack_name)


@contextmanager
def _until_interrupted() -> Iterator[None]:
    try:
        yield
    except KeyboardInterrupt:
        return


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0] if text else ''}"
