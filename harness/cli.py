"""The main command: synthesize, deploy, print outputs, smoke-check and destroy one environment.

python -m harness demo                 # embedded emulator, destroy at the end
python -m harness demo --keep          # leave it up (emulator: until Ctrl-C)
python -m harness demo --target aws --alert-email team@example.org
python -m harness destroy --workdir .work/demo-ab12cd   # tear down a kept AWS environment
python -m harness cycle --stack-dir cdktf.out/stacks/<stack> --workdir W --run-id R --endpoint URL
                                       # deploy an already synthesized stack, then destroy it
python -m harness upgrade-check --from v1 [--stacks pci-data-processing] [--provider-version 5.100.0]
                                       # would the upgrade from ref v1 replace or destroy stateful resources?
python -m harness pan-scan --run-id ab12cd [--target emulator|aws] [--emulator-endpoint URL] [--no-queues]
                                       # any clear card number (PAN) at rest in the run's stores?
python -m harness reachability --run-id ab12cd [--target emulator|aws] [--emulator-endpoint URL] [--vpc-id V]
                                       # does any path from the run's workload subnets bypass the firewall?
python -m harness runtime-scan --run-id ab12cd [--target emulator|aws] [--emulator-endpoint URL] [--region R]
                                       # Prowler's PCI DSS v4.0 checks on the run's deployed resources
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from harness.aws_target import AwsTarget
from harness.compliance_gate import ComplianceGateError
from harness.demo import DemoOptions, run_demo
from harness.environment import EphemeralEnvironment, OrphansFoundError, untyped_outputs
from harness.run import parse_stacks
from harness.terraform import TerraformError
from harness.upgrade_check import ALLOW_FILE, UpgradeCheckError
from harness.upgrade_run import run_upgrade_check
from pci_infra.app.paths import PROJECT_ROOT
from pci_infra.app.settings import SettingsError
from pci_infra.app.stack_kind import StackKind
from pci_infra.foundation.service_routing import Emulator, client_endpoints, provider_endpoints
from pci_infra.stacks.outputs import OutputsError


def say(message: str) -> None:
    """Progress line with a timestamp, flushed at once."""
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m harness", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="deploy, check, PAN-scan and destroy each stack; one verdict line")
    demo.add_argument("--target", choices=("emulator", "aws"), default="emulator")
    demo.add_argument("--environment-suffix", default="demo")
    demo.add_argument("--region", default="us-east-1")
    demo.add_argument("--alert-email", default=None)
    demo.add_argument("--api-certificate-arn", default=None, help="ACM certificate (AWS)")
    demo.add_argument("--standby-endpoint", default=None, help="standby API host name, DNS failover (AWS)")
    demo.add_argument("--keep", action="store_true", help="do not destroy at the end")
    demo.add_argument(
        "--stacks",
        default=",".join(StackKind),
        help="comma-separated stacks (default: both): payment-platform,pci-data-processing",
    )
    destroy = sub.add_parser(
        "destroy", help="destroy an environment kept by 'demo --keep' (AWS or external emulator)"
    )
    destroy.add_argument("--workdir", type=Path, required=True)
    cycle = sub.add_parser(
        "cycle",
        help="deploy an already synthesized stack and destroy it; Ctrl-C or a failure still tears down",
    )
    cycle.add_argument("--stack-dir", type=Path, required=True, help="cdktf.out/stacks/<stack>")
    cycle.add_argument("--workdir", type=Path, required=True, help="logs, CLI config and run metadata")
    cycle.add_argument("--run-id", required=True, help="the run id the stack was synthesized with")
    cycle.add_argument(
        "--endpoint", default=None, help="emulator URL (default: AWS); moto's with --ministack"
    )
    cycle.add_argument(
        "--ministack",
        default=None,
        help="MiniStack's URL: the emulator pair, each service where the routing table puts it "
        "(the stack directory carries the routing override)",
    )
    cycle.add_argument("--region", default="us-east-1")
    upgrade = sub.add_parser(
        "upgrade-check",
        help="deploy the stacks as of a git ref (emulator), plan the current code against them, "
        "fail when a stateful resource would be replaced or destroyed",
    )
    upgrade.add_argument("--from", dest="ref", required=True, help="git ref of the deployed version")
    upgrade.add_argument("--stacks", default=",".join(StackKind), help="comma-separated")
    upgrade.add_argument("--provider-version", default=None, help="plan with this AWS provider version")
    evidence = sub.add_parser("evidence", help="write the PCI DSS evidence report of the last test run")
    evidence.add_argument("--junit", type=Path, default=PROJECT_ROOT / ".work" / "test-results.xml")
    evidence.add_argument("--out", type=Path, default=PROJECT_ROOT / ".work" / "evidence")
    pan = sub.add_parser("pan-scan", help="scan every store of a run for clear card numbers (PCI DSS 3.5)")
    pan.add_argument("--run-id", required=True, help="the run to scan (6 lowercase letters or digits)")
    pan.add_argument("--target", default="emulator", help="emulator (default) or aws")
    pan.add_argument("--emulator-endpoint", default=None, help="default: $EMULATOR_ENDPOINT, else :5000")
    pan.add_argument("--region", default="us-east-1")
    pan.add_argument("--no-queues", dest="queues", action="store_false", help="do not receive queue messages")
    reach = sub.add_parser("reachability", help="trace the run's workload paths; fail on a firewall bypass")
    reach.add_argument("--run-id", required=True, help="the run whose PCI VPC to analyse")
    reach.add_argument("--target", default="emulator", help="emulator (default) or aws")
    reach.add_argument("--emulator-endpoint", default=None, help="default: $EMULATOR_ENDPOINT, else :5000")
    reach.add_argument("--region", default="us-east-1")
    reach.add_argument("--vpc-id", default=None, help="default: the run's VPC with a firewall tier")
    runtime = sub.add_parser(
        "runtime-scan", help="Prowler's PCI DSS v4.0 checks on a run's resources (needs .venv-prowler)"
    )
    runtime.add_argument("--run-id", required=True, help="the run whose resources to judge")
    runtime.add_argument("--target", default="emulator", help="emulator (default) or aws")
    runtime.add_argument("--emulator-endpoint", default=None, help="default: $EMULATOR_ENDPOINT, else :5000")
    runtime.add_argument("--region", default="us-east-1")
    runtime.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="results into <workdir>/prowler (default: .work/*-<run id>)",
    )
    runtime.add_argument("--allow", type=Path, default=None, help="default: .ci/prowler/allow.toml")
    return parser.parse_args(argv)


def pan_scan(args: argparse.Namespace) -> int:
    """Scan the run's stores; exit 0 when no PAN is at rest, 1 when any is, 2 on bad input."""
    from harness.pan_scan import command

    return command(args.run_id, args.target, args.emulator_endpoint, args.region, queues=args.queues, say=say)


def reachability(args: argparse.Namespace) -> int:
    """Print the run's path table; exit 0 when no path bypasses the firewall, 1 when one does."""
    from harness.reachability_command import command

    return command(args.run_id, args.target, args.emulator_endpoint, args.region, args.vpc_id, say=say)


def runtime_scan(args: argparse.Namespace) -> int:
    """Judge the run's resources with Prowler; exit 0 when nothing fails unexplained, 1 otherwise."""
    from harness.runtime_scan import ALLOW_FILE as RUNTIME_ALLOW_FILE
    from harness.runtime_scan import command

    return command(
        args.run_id,
        args.target,
        args.emulator_endpoint,
        args.region,
        workdir=args.workdir,
        allow_file=args.allow or RUNTIME_ALLOW_FILE,
        say=say,
    )


def evidence(args: argparse.Namespace) -> int:
    """Write the evidence report of the run that wrote ``--junit``."""
    from harness.evidence import generate

    if not args.junit.exists():
        say(f"no test results at {args.junit}: run bin/test first")
        return 2
    try:
        json_path, markdown_path = generate(args.junit, PROJECT_ROOT / ".work", args.out)
    except FileNotFoundError as err:
        say(f"no evidence report: {err}")
        return 0
    say(f"evidence report: {markdown_path}, {json_path} and {markdown_path.with_name('evidence.html')}")
    return 0


def demo(args: argparse.Namespace) -> int:
    """Run the main job once for the chosen stacks; return the exit code (see :mod:`harness.demo`)."""
    options = DemoOptions(
        stacks=parse_stacks(args.stacks),
        target=args.target,
        suffix=args.environment_suffix,
        region=args.region,
        alert_email=args.alert_email,
        api_certificate_arn=args.api_certificate_arn,
        standby_endpoint=args.standby_endpoint,
        keep=args.keep,
    )
    return run_demo(options, say)


def destroy(args: argparse.Namespace) -> int:
    """Destroy every environment kept in ``--workdir`` (from its run metadata) and sweep."""
    kept = sorted(args.workdir.glob("*.run.json"))
    if not kept:
        say(f"no run metadata (*.run.json) in {args.workdir}: nothing kept there")
        return 2
    for meta_path in kept:
        meta = json.loads(meta_path.read_text())
        stack = meta["stack"]
        region, endpoint = meta["region"], meta.get("endpoint")
        target = AwsTarget.emulator(region, endpoint) if endpoint else AwsTarget(region=region)
        env = EphemeralEnvironment(
            stack_name=stack,
            run_id=meta["run_id"],
            stack_dir=Path(meta.get("stack_dir") or args.workdir / "cdktf.out" / "stacks" / stack),
            workdir=args.workdir,
            target=target,
            read_outputs=untyped_outputs,
            progress=say,
            environ={},
        )
        env.teardown()
    return 0


def cycle(args: argparse.Namespace) -> int:
    """Deploy the synthesized stack, then destroy it and sweep, whatever happens in between."""
    if args.ministack and not args.endpoint:
        raise SettingsError("cycle: --ministack needs --endpoint (moto's URL): the pair is two emulators")
    routes = (
        provider_endpoints({Emulator.MOTO: args.endpoint, Emulator.MINISTACK: args.ministack})
        if args.ministack
        else {}
    )
    target = (
        AwsTarget.emulator(args.region, args.endpoint, client_endpoints(routes))
        if args.endpoint
        else AwsTarget(region=args.region)
    )
    env = EphemeralEnvironment(
        stack_name=args.stack_dir.name,
        run_id=args.run_id,
        stack_dir=args.stack_dir,
        workdir=args.workdir,
        target=target,
        read_outputs=untyped_outputs,
        progress=say,
        environ=os.environ,
    )
    with env.deployed():
        say(f"deployed {len(env.outputs)} outputs; destroying")
    say(f"destroyed; orphan sweep clean for run {args.run_id}")
    return 0


def upgrade_check(args: argparse.Namespace) -> int:
    """Run the upgrade check; exit 1 when a stateful resource would lose data."""
    stacks = parse_stacks(args.stacks)
    reports = run_upgrade_check(args.ref, stacks, say=say, provider_version=args.provider_version)
    unsafe = [action for report in reports for action in report.unsafe]
    if unsafe:
        say(f"upgrade check FAILED: {len(unsafe)} stateful resource(s) would be replaced or destroyed:")
        for action in unsafe:
            say(f"  {action.action} {action.address}: {action.note}")
        say(f"add a moved block, or an entry with a reason to {ALLOW_FILE.relative_to(PROJECT_ROOT)}")
        return 1
    say(f"upgrade check passed for {', '.join(stacks)}; destroyed, orphan sweep clean")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Dispatch the subcommand; turn harness failures into one clear line and exit code 1."""
    args = _parse(sys.argv[1:] if argv is None else argv)
    try:
        commands = {
            "demo": demo,
            "destroy": destroy,
            "evidence": evidence,
            "cycle": cycle,
            "upgrade-check": upgrade_check,
            "pan-scan": pan_scan,
            "reachability": reachability,
            "runtime-scan": runtime_scan,
        }
        return commands[args.command](args)
    except SettingsError as err:
        say(f"invalid settings: {err}")
        return 2
    except UpgradeCheckError as err:
        say(f"upgrade check: {err}")
        return 2
    except (TerraformError, OrphansFoundError, OutputsError, ComplianceGateError) as err:
        say(f"FAILED: {err}")
        return 1
    except KeyboardInterrupt:
        say("interrupted; teardown has run")
        return 130
