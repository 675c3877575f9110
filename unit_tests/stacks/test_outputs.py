"""Each stack's outputs are its outputs class: what synthesis emits, ``from_terraform`` reads back."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from pci_infra.app.stack_kind import StackKind
from pci_infra.stacks.outputs import (
    OutputsError,
    PaymentPlatformOutputs,
    PciDataProcessingOutputs,
    emit_outputs,
)
from unit_tests.conftest import Synthesized
from unit_tests.synth_json import StackJson


def documents(synthesized: Synthesized) -> dict[tuple[str, StackKind], StackJson]:
    return {
        ("aws", StackKind.PAYMENT_PLATFORM): synthesized.aws,
        ("emulator", StackKind.PAYMENT_PLATFORM): synthesized.emulator,
        ("aws", StackKind.PCI_DATA_PROCESSING): synthesized.aws_pci,
        ("emulator", StackKind.PCI_DATA_PROCESSING): synthesized.emulator_pci,
    }


def test_every_synthesized_output_is_a_field_of_its_stacks_class(synthesized: Synthesized) -> None:
    for (target, kind), stack in documents(synthesized).items():
        outputs = kind.outputs_type.from_terraform(stack.doc["output"])
        emitted = [f.name for f in dataclasses.fields(outputs) if getattr(outputs, f.name) is not None]
        assert sorted(emitted) == sorted(stack.doc["output"]), (target, kind)
    pci_on_aws = PciDataProcessingOutputs.from_terraform(synthesized.aws_pci.doc["output"])
    assert pci_on_aws.firewall_arn is not None and pci_on_aws.firewall_arn.startswith("${aws_networkfirewall")
    assert (
        PciDataProcessingOutputs.from_terraform(synthesized.emulator_pci.doc["output"]).firewall_arn is None
    )


def test_emit_outputs_synthesizes_what_the_dict_loop_did(synthesized: Synthesized) -> None:
    from cdktf import TerraformOutput, TerraformStack, Testing

    outputs = PciDataProcessingOutputs.from_terraform(synthesized.aws_pci.doc["output"])
    as_dict = {f.name: getattr(outputs, f.name) for f in dataclasses.fields(outputs)}
    looped = TerraformStack(Testing.app(), "pci-data-processing")
    for name, value in as_dict.items():
        TerraformOutput(looped, name, value=value)
    emitted = TerraformStack(Testing.app(), "pci-data-processing")
    emit_outputs(emitted, outputs)
    assert Testing.synth(emitted) == Testing.synth(looped)
    assert list(json.loads(Testing.synth(emitted))["output"]) == sorted(as_dict)  # cdktf sorts them
    on_emulator = dataclasses.replace(outputs, firewall_arn=None)
    emulator_stack = TerraformStack(Testing.app(), "pci-data-processing")
    emit_outputs(emulator_stack, on_emulator)
    assert "firewall_arn" not in json.loads(Testing.synth(emulator_stack))["output"]


def test_terraform_output_json_and_plain_values_both_parse() -> None:
    dicts = {"event_rule_names", "parameter_names", "function_names", "function_dlq_arns", "health_check_ids"}
    dicts |= {"config_rule_names", "alarm_names", "query_names"}
    plain: dict[str, Any] = {
        f.name: {"k": "v"} if f.name in dicts else "x" for f in dataclasses.fields(PaymentPlatformOutputs)
    }
    wrapped: dict[str, Any] = {
        name: {"sensitive": False, "type": "string", "value": value} for name, value in plain.items()
    }
    assert PaymentPlatformOutputs.from_terraform(plain) == PaymentPlatformOutputs.from_terraform(wrapped)
    assert PaymentPlatformOutputs.from_terraform(wrapped).function_names == {"k": "v"}


def test_a_missing_unknown_or_mistyped_output_is_named() -> None:
    raw: dict[str, Any] = {f.name: {} for f in dataclasses.fields(PciDataProcessingOutputs)}
    raw.update({"data_key_arn": "arn", "logs_key_arn": "arn", "vpc_id": ["vpc-1"], "trail_name": "t"})
    raw.update({"tokenization_secret_arn": "s", "database_secret_arn": "s", "trail_log_group_name": "g"})
    raw.update({"security_topic_arn": "t", "extra_output": "x"})
    del raw["firewall_arn"], raw["alarm_names"]
    with pytest.raises(OutputsError) as refused:
        PciDataProcessingOutputs.from_terraform(raw)
    assert str(refused.value) == (
        "PciDataProcessingOutputs: missing output(s) 'alarm_names'; "
        "output 'vpc_id' must be a string (got ['vpc-1']); unknown output(s) 'extra_output' (no such field)"
    )
