"""Synthesize once per unit run (shared by the workers): both stacks for AWS and for the emulator."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from moto import mock_aws
from moto.backends import get_backend

from harness.aws_target import AwsTarget
from harness.compliance_gate import CHECKOV_CACHE_VAR
from pci_infra.app.paths import PROJECT_ROOT
from pci_infra.app.settings_sources import parse_settings
from pci_infra.app.stack_kind import StackKind
from pci_infra.app.synthesis import synthesize
from unit_tests.synth_cache import shared_synthesis
from unit_tests.synth_json import StackJson

EMULATOR_URL = "http://127.0.0.1:4599"
RUN_ID = "ut1234"
SUFFIX = "unit"
CERT_ARN = "arn:aws:acm:us-east-1:111122223333:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
STANDBY = "api.dr.example.org"
ADOPTED_DETECTOR = "0123456789abcdef0123456789abcdef"
ADOPTED_RECORDER = "default"


CHECKOV_CACHE = PROJECT_ROOT / ".work" / "unit-checkov"
BINDINGS_GROUP = "provider-bindings"
"""The xdist group of test files that build constructs; the others read the shared synthesis only."""


@pytest.fixture(autouse=True, scope="module")
def reuse_checkov_results() -> Iterator[None]:
    """Unit tests read a checkov scan of unchanged content from a cache (``UNIT_SYNTH_CACHE=0``: never).

    Scoped to each unit test module, so the live gate of the same session always runs checkov.
    """
    if os.environ.get("UNIT_SYNTH_CACHE", "1") == "0":
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CHECKOV_CACHE_VAR, str(CHECKOV_CACHE))
        yield


@dataclass(frozen=True)
class Synthesized:
    aws: StackJson
    emulator: StackJson
    aws_outdir: Path
    aws_pci: StackJson
    emulator_pci: StackJson
    moto_alone: StackJson
    moto_alone_pci: StackJson


def base_argv(target: str) -> list[str]:
    argv = [
        "--environment-suffix",
        SUFFIX,
        "--run-id",
        RUN_ID,
        "--target",
        target,
        "--owner",
        "payments-team",
        "--data-classification",
        "pci",
        "--state-dir",
        "/tmp/unit-state",
        "--alert-email",
        "payments-oncall@example.org",
    ]
    if target == "aws":
        argv += ["--api-certificate-arn", CERT_ARN, "--standby-endpoint", STANDBY]
        argv += ["--guardduty-detector", "create", "--config-recorder", "create"]
    else:
        # the live runs' default: MiniStack and moto, each service routed (the harness's override)
        argv += ["--emulator-endpoint", EMULATOR_URL, "--emulators", "pair"]
        argv += ["--guardduty-detector", ADOPTED_DETECTOR, "--config-recorder", ADOPTED_RECORDER]
    return argv


@pytest.fixture(scope="session")
def synthesized() -> Synthesized:
    """Both stacks for AWS and for the emulator, synthesized once per run of the inputs (see synth_cache)."""
    # the emulator synthesis is the pair's (the live default); moto alone's differs where a gap holds
    argvs = {
        "aws": base_argv("aws"),
        "emulator": base_argv("emulator"),
        "moto-alone": [*base_argv("emulator"), "--emulators", "moto"],
    }

    def synthesize_into(root: Path) -> None:
        for name, argv in argvs.items():
            synthesize(parse_settings(argv, environ={}), root / name)

    root = shared_synthesis(argvs, synthesize_into)
    return Synthesized(
        aws=StackJson.load(root / "aws", StackKind.PAYMENT_PLATFORM),
        emulator=StackJson.load(root / "emulator", StackKind.PAYMENT_PLATFORM),
        aws_outdir=root / "aws",
        aws_pci=StackJson.load(root / "aws", StackKind.PCI_DATA_PROCESSING),
        emulator_pci=StackJson.load(root / "emulator", StackKind.PCI_DATA_PROCESSING),
        moto_alone=StackJson.load(root / "moto-alone", StackKind.PAYMENT_PLATFORM),
        moto_alone_pci=StackJson.load(root / "moto-alone", StackKind.PCI_DATA_PROCESSING),
    )


@pytest.fixture(scope="session", params=["aws", "emulator"])
def stack(request: pytest.FixtureRequest, synthesized: Synthesized) -> StackJson:
    """The payment platform as synthesized for each target."""
    doc: StackJson = getattr(synthesized, request.param)
    return doc


@pytest.fixture(scope="session", params=["aws", "emulator"])
def pci(request: pytest.FixtureRequest, synthesized: Synthesized) -> StackJson:
    """The PCI data processing stack as synthesized for each target."""
    doc: StackJson = getattr(synthesized, f"{request.param}_pci")
    return doc


@pytest.fixture(scope="session", params=["payment", "pci"])
def any_stack(request: pytest.FixtureRequest, synthesized: Synthesized) -> StackJson:
    """Each stack as synthesized for AWS."""
    doc: StackJson = synthesized.aws if request.param == "payment" else synthesized.aws_pci
    return doc


SWEPT_SERVICES = (
    "autoscaling", "cloudtrail", "cloudwatch", "config", "ec2", "elbv2", "events", "firehose", "guardduty",
    "iam", "kms", "lambda", "logs", "rds", "resourcegroupstaggingapi", "route53", "s3", "secretsmanager",
    "sqs", "ssm", "wafv2",
)  # fmt: skip
"""The services the orphan sweep lists. moto imports a service's backend on its first call; the sweep
calls them from a thread pool, and two threads importing backends that import each other (rds and ec2)
can be refused by Python's import lock as a deadlock, so :func:`mock_target` imports them first."""


@pytest.fixture
def mock_target(monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsTarget]:
    """An in-process emulated account, for harness tests that need AWS APIs but no deploy."""
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(var, "testing")
    with mock_aws():
        for service in SWEPT_SERVICES:  # the sweep's threads would import these at once: one at a time here
            get_backend(service)  # type: ignore[call-overload]
        yield AwsTarget(region="us-east-1")
