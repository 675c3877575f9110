"""Experiment: each stack deployed through the harness on the emulator pair (MiniStack beside moto).

Per stack: its own run id and pair of emulators (``INFRA_EMULATORS=pair``), synthesis, the checkov
gate and apply (the harness's deploy), for the payment platform one payment POSTed through the ALB
and the processor's log read back, then destroy and the orphan sweep through the routed target, and
the sweep's listings run once more against each emulator alone (anything on the wrong emulator).

    .venv/bin/python bench/pair.py                          # both stacks
    .venv/bin/python bench/pair.py --stacks payment-platform
    .venv/bin/python bench/pair.py --aurora-engine-version 16.8   # measurement aid, see below

``--aurora-engine-version`` writes one more override file into the synthesized payment stack (the
aurora module's ``engine_version``), for this experiment only: MiniStack refuses the module's 16.6,
and without it the apply stops at the cluster. The harness never writes it; what it means for an AWS
deployment is in harness/MINISTACK.md.

Prints one line per event, prefixed with the time; the findings go to harness/MINISTACK.md.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.aws_target import AwsTarget  # noqa: E402  (after the path: run as a script)
from harness.emulator_pair import LocalEmulators, local_emulators  # noqa: E402
from harness.environment import EphemeralEnvironment  # noqa: E402
from harness.existing_secret import create_database_secret, delete_secret  # noqa: E402
from harness.run import WORK_ROOT, HarnessRun  # noqa: E402
from harness.run_id import new_run_id  # noqa: E402
from harness.sweep import DEFAULT_PROBES  # noqa: E402
from pci_infra.app.stack_kind import StackKind  # noqa: E402
from pci_infra.foundation.service_routing import (  # noqa: E402
    EMULATORS_VARIABLE,
    PAIR,
    Emulator,
)
from pci_infra.stacks.outputs import PaymentPlatformOutputs  # noqa: E402


def say(message: str) -> None:
    """One line with the time."""
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def timed(label: str, timings: dict[str, float], action: Callable[[], Any]) -> Any:
    """Run ``action``, keeping its duration under ``label`` (also when it fails)."""
    started = time.monotonic()
    try:
        return action()
    finally:
        timings[label] = round(time.monotonic() - started, 1)


def _post(url: str, body: dict[str, Any]) -> tuple[int, str]:
    request = urllib.request.Request(  # noqa: S310 (our loopback emulator)
        url, data=json.dumps(body).encode(), headers={"content-type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:  # noqa: S310
            return int(resp.status), resp.read().decode(errors="replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace")


def _log_lines(target: AwsTarget, group: str) -> list[str]:
    logs = target.client("logs")
    try:
        events = logs.filter_log_events(logGroupName=group).get("events", [])
    except logs.exceptions.ResourceNotFoundException:
        return [f"(no log group {group})"]
    return [str(event["message"]).rstrip() for event in events]


def payment_journey(run: HarnessRun, outputs: PaymentPlatformOutputs, emulators: LocalEmulators) -> None:
    """POST one payment through the ALB on MiniStack; read back the API's and the processor's logs."""
    ministack = emulators.servers[Emulator.MINISTACK].endpoint
    balancer = outputs.alb_arn.split("/")[-2]
    url = f"{ministack}/_alb/{balancer}/api/payments"
    payment = {
        "paymentId": f"pair-{run.run_id}-1",
        "merchantId": "merchant-1",
        "amount": "12.34",
        "currency": "EUR",
    }
    status, body = _post(url, payment)
    say(f"journey: POST {url} -> {status} {body[:300]}")
    target = run.target
    deadline = time.monotonic() + 90
    processor = outputs.function_names["processor"]
    lines: list[str] = []
    while time.monotonic() < deadline:
        lines = _log_lines(target, f"/aws/lambda/{processor}")
        if any(payment["paymentId"] in line or "ERROR" in line or "error" in line for line in lines):
            break
        time.sleep(5)
    for role in ("api", "processor"):
        for line in _log_lines(target, f"/aws/lambda/{outputs.function_names[role]}")[-25:]:
            say(f"journey: {role} log: {line[:400]}")
    sqs = target.client("sqs")
    for label, queue in (
        ("payments", outputs.payments_queue_url),
        ("payments DLQ", outputs.payments_dlq_url),
    ):
        attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
        counts = {k: v for k, v in attributes.items() if k.startswith("ApproximateNumberOfMessages")}
        say(f"journey: {label} queue: {counts}")
    (proxy,) = target.client("rds").describe_db_proxies(DBProxyName=outputs.aurora_proxy_name)["DBProxies"]
    host = str(proxy.get("Endpoint", ""))
    try:
        resolved = sorted({info[4][0] for info in socket.getaddrinfo(host, 5432)})
    except OSError as err:
        resolved = [f"{type(err).__name__}: {err}"]
    say(f"journey: the processor's database is the proxy endpoint {host!r}, which resolves to {resolved}")
    mappings = target.client("lambda").list_event_source_mappings(FunctionName=processor)
    for mapping in mappings.get("EventSourceMappings", []):
        say(f"journey: event source mapping {mapping.get('State')} {mapping.get('LastProcessingResult', '')}")


def sweep_each_emulator(emulators: LocalEmulators, region: str, run_id: str) -> None:
    """Every listing of the sweep against each emulator alone: what is left where."""
    for emulator, server in emulators.servers.items():
        alone = AwsTarget.emulator(region, server.endpoint)
        for probe in DEFAULT_PROBES:
            try:
                found = list(probe(alone, run_id))
            except Exception as err:  # an emulator without the service: said, not fatal
                say(f"sweep on {emulator} alone: {probe.__name__}: could not list: {str(err)[:200]}")
                continue
            for orphan in found:
                say(f"sweep on {emulator} alone: LEFT {orphan}")


AURORA_OVERRIDE_FILE = "zz_experiment_aurora_override.tf.json"


def aurora_version_override(stack_dir: Path, version: str) -> Path:
    """Override the aurora module's engine version in ``stack_dir`` (this experiment only)."""
    document = json.loads((stack_dir / "cdk.tf.json").read_text())
    (name,) = [key for key in document.get("module", {}) if "aurora" in key]
    path = stack_dir / AURORA_OVERRIDE_FILE
    path.write_text(json.dumps({"module": {name: {"engine_version": version}}}, indent=1) + "\n")
    return path


def one_stack(stack: StackKind, aurora_version: str | None) -> dict[str, Any]:
    """Deploy, try, destroy and sweep ``stack`` on its own pair; return timings and outcome."""
    run_id = new_run_id()
    workdir = WORK_ROOT / f"pair-{stack}-{run_id}"
    environ = {**os.environ, EMULATORS_VARIABLE: PAIR}
    timings: dict[str, float] = {}
    result: dict[str, Any] = {"stack": str(stack), "run_id": run_id, "workdir": str(workdir)}
    started = time.monotonic()
    with local_emulators(workdir, environ) as emulators:
        timings["emulators started"] = round(time.monotonic() - started, 1)
        say(f"{stack}: moto {emulators.endpoint}, ministack {emulators.servers[Emulator.MINISTACK].endpoint}")
        run = HarnessRun.start(
            suffix="pair",
            run_id=run_id,
            workdir=workdir,
            endpoint=emulators.endpoint,
            environ=environ,
            stacks=(stack,),
            routes=emulators.routes,
        )
        timed("synthesis", timings, run.synthesize)
        if aurora_version and stack is StackKind.PAYMENT_PLATFORM:
            say(f"experiment: {aurora_version_override(run.stack_dir(stack), aurora_version)}")
            result["aurora_engine_version"] = aurora_version
        secret_arn = None
        if stack is StackKind.PCI_DATA_PROCESSING:
            secret_arn = create_database_secret(run.target, run.settings.pci_database_secret)
        env: EphemeralEnvironment[Any] = run.environment(stack, progress=say, environ={})
        try:
            timed("deploy (plan, checkov gate, apply)", timings, env.deploy)
            result["deployed"] = True
            if stack is StackKind.PAYMENT_PLATFORM:
                timed("journey", timings, lambda: payment_journey(run, env.outputs, emulators))
        except Exception as err:  # the experiment records how far it got
            result["deployed"] = False
            result["error"] = f"{type(err).__name__}: {err}"[:4000]
            say(f"{stack}: deploy FAILED: {result['error']}")
            traceback.print_exc()
        finally:
            try:
                timed("teardown (destroy, sweep)", timings, env.teardown)
                result["teardown"] = "clean"
            except Exception as err:
                result["teardown"] = f"{type(err).__name__}: {err}"[:4000]
                say(f"{stack}: teardown FAILED: {result['teardown']}")
            if secret_arn is not None:
                delete_secret(run.target, secret_arn)
            timed(
                "sweep of each emulator alone",
                timings,
                lambda: sweep_each_emulator(emulators, run.settings.region, run_id),
            )
    result["timings"] = timings
    say(f"{stack}: RESULT {json.dumps(result, indent=1)}")
    return result


def main() -> int:
    """Run the experiment on the stacks chosen."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stacks", default=",".join(StackKind))
    parser.add_argument("--aurora-engine-version", default=None)
    args = parser.parse_args()
    results = [one_stack(StackKind(name), args.aurora_engine_version) for name in args.stacks.split(",")]
    return 0 if all(r.get("deployed") and r.get("teardown") == "clean" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
