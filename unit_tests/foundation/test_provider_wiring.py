"""Provider constraint, default tags, emulator endpoints and state backend of the synthesized stacks."""

from __future__ import annotations

from typing import Any

import pytest

from unit_tests.conftest import BINDINGS_GROUP, EMULATOR_URL, RUN_ID, SUFFIX, Synthesized
from unit_tests.synth_json import StackJson

# Imports the provider bindings (~11 s, ~0.5 GB per process): one worker takes all such files.
pytestmark = pytest.mark.xdist_group(BINDINGS_GROUP)


def provider_module() -> Any:
    """``pci_infra.foundation.aws_provider``, imported on use: it imports the provider bindings."""
    from pci_infra.foundation import aws_provider

    return aws_provider


def test_provider_constraint_is_overridden_to_the_5x_series(stack: StackJson) -> None:
    required = stack.doc["terraform"]["required_providers"]["aws"]
    assert required["source"] == "aws"
    assert required["version"] == provider_module().AWS_PROVIDER_CONSTRAINT == "~> 5.99"


def test_default_tags_carry_environment_owner_classification_and_run_id(stack: StackJson) -> None:
    tags = stack.provider()["default_tags"][0]["tags"]
    assert tags["Environment"] == "dev"
    assert tags["Owner"] == "payments-team"
    assert tags["DataClassification"] == "pci"
    assert tags["RunId"] == RUN_ID


def test_emulator_target_points_every_service_at_the_emulator(synthesized: Synthesized) -> None:
    provider = synthesized.emulator.provider()
    (endpoints,) = provider["endpoints"]
    assert set(endpoints) == set(provider_module().EMULATED_SERVICES)
    assert set(endpoints.values()) == {EMULATOR_URL}
    assert provider["max_retries"] == 3
    assert provider["s3_use_path_style"] is True


def test_emulator_endpoints_cover_every_service_the_stack_uses(synthesized: Synthesized) -> None:
    services = {rtype.split("_")[1] for rtype, _, _ in synthesized.emulator.every_resource()}
    services |= {dtype.split("_")[1] for dtype in synthesized.emulator.doc.get("data", {})}
    aliases = {
        "caller": "sts",
        "partition": None,
        "launch": "ec2",
        "security": "ec2",
        "vpc": "ec2",
        "lb": "elbv2",
        "config": "configservice",
    }
    needed = {aliases.get(s, s) for s in services} - {None}
    assert needed <= set(provider_module().EMULATED_SERVICES), (
        f"missing endpoints: {needed - set(provider_module().EMULATED_SERVICES)}"
    )


def test_aws_target_talks_to_real_endpoints(synthesized: Synthesized) -> None:
    provider = synthesized.aws.provider()
    for key in ("endpoints", "max_retries", "s3_use_path_style", "skip_credentials_validation"):
        assert key not in provider, f"{key} must not be set for AWS"
    assert provider["region"] == "us-east-1"


def test_local_state_is_kept_per_environment(stack: StackJson) -> None:
    local = stack.doc["terraform"]["backend"]["local"]
    assert local["path"] == f"/tmp/unit-state/{SUFFIX}-{RUN_ID}/payment-platform.tfstate"
