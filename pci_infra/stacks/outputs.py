"""The outputs of each stack, typed: one frozen dataclass per stack, one field per Terraform output.

The seam between a stack and whoever reads its deployment (the harness, the live tests). A stack
builds its outputs class from its constructs and calls :func:`emit_outputs`, which creates one
``TerraformOutput`` per field, in field order. The readers parse ``terraform output -json`` back
into the same class with ``from_terraform``, so a renamed or removed output fails where it is
read, naming the output, instead of as a ``KeyError`` in some probe.

A field that is ``None`` is an output the stack leaves out for its target (e.g. the PCI firewall,
which the emulator cannot host): it is not emitted, and it may be missing from what is read.

Importing this module does not start the cdktf runtime: :func:`emit_outputs` imports it when called.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self, Union, get_args, get_origin, get_type_hints

if TYPE_CHECKING:
    from cdktf import TerraformStack


class OutputsError(ValueError):
    """Outputs that do not fit the stack's outputs class; the message names each output at fault."""


_ENVELOPE_KEYS = frozenset({"value", "type", "sensitive"})
"""Keys around each value in ``terraform output -json`` (``value`` alone in ``cdk.tf.json``)."""


def _unwrapped(item: Any) -> Any:
    """The output's value, whether given plain or in Terraform's ``{"value": ...}`` envelope."""
    if isinstance(item, Mapping) and "value" in item and set(item) <= _ENVELOPE_KEYS:
        return item["value"]
    return item


def _all_strings(items: Any) -> bool:
    return all(isinstance(item, str) for item in items)


_FIELD_TYPES: tuple[tuple[Any, str, Callable[[Any], bool]], ...] = (
    (str, "a string", lambda value: isinstance(value, str)),
    (
        dict[str, str],
        "an object of strings",
        lambda value: isinstance(value, dict) and _all_strings([*value, *value.values()]),
    ),
    (list[str], "a list of strings", lambda value: isinstance(value, list) and _all_strings(value)),
)
"""The types an output field may have (each also ``| None``): the type, in words, and its check."""


def _field_type(hint: Any) -> tuple[str, Callable[[Any], bool], bool]:
    """What a field of type ``hint`` must hold (in words, and its check), and whether it may be absent."""
    optional = False
    if get_origin(hint) in (Union, types.UnionType):
        members = [arg for arg in get_args(hint) if arg is not type(None)]
        optional = len(members) < len(get_args(hint))
        if len(members) != 1:
            raise TypeError(f"outputs field type {hint!r}: a union may only add None")
        hint = members[0]
    for kind, words, fits in _FIELD_TYPES:
        if hint == kind:
            return words, fits, optional
    raise TypeError(f"outputs field type {hint!r}: only str, dict[str, str], list[str] and their | None")


@dataclass(frozen=True)
class StackOutputs:
    """What every stack's outputs class shares: parsing what Terraform reports back."""

    @classmethod
    def from_terraform(cls, raw: Mapping[str, Any]) -> Self:
        """Parse ``raw`` (``terraform output -json``, plain values or ``{"value": ...}`` envelopes).

        Raises:
            OutputsError: An output is missing, unknown to this class, or of the wrong type; the
                message names every such output.
        """
        hints = get_type_hints(cls)
        values = {name: _unwrapped(item) for name, item in raw.items()}
        fields = {item.name: _field_type(hints[item.name]) for item in dataclasses.fields(cls)}
        absent = {name for name in fields if values.get(name) is None}
        missing = [name for name, (*_, optional) in fields.items() if name in absent and not optional]
        unknown = sorted(set(values) - set(fields))
        problems = [
            f"output {name!r} must be {expected} (got {values[name]!r})"
            for name, (expected, fits, _) in fields.items()
            if name not in absent and not fits(values[name])
        ]
        if missing:
            problems.insert(0, f"missing output(s) {', '.join(map(repr, missing))}")
        if unknown:
            problems.append(f"unknown output(s) {', '.join(map(repr, unknown))} (no such field)")
        if problems:
            raise OutputsError(f"{cls.__name__}: " + "; ".join(problems))
        return cls(**{name: value for name, value in values.items() if value is not None})


@dataclass(frozen=True)
class PaymentPlatformOutputs(StackOutputs):
    """Outputs of the payment platform, in the order the stack has always emitted them."""

    data_key_arn: str
    aurora_key_arn: str
    logs_key_arn: str
    transaction_logs_bucket_name: str
    alb_logs_bucket_name: str
    waf_logs_bucket_name: str
    payments_queue_url: str
    payments_dlq_url: str
    vpc_id: str
    flow_log_group_name: str
    aurora_cluster_identifier: str
    aurora_proxy_name: str
    alb_arn: str
    web_acl_arn: str
    events_key_arn: str
    event_bus_name: str
    analytics_queue_url: str
    analytics_dlq_url: str
    events_delivery_dlq_arn: str
    alerts_topic_arn: str
    event_rule_names: dict[str, str]
    aurora_cluster_arn: str
    ssm_key_arn: str
    parameter_names: dict[str, str]
    """``connection``, ``api_key``, ``settings``."""
    function_names: dict[str, str]
    """By role: ``processor``, ``api``, ``transformer``, ``remediation``."""
    function_dlq_arns: dict[str, str]
    """By role, as ``function_names``."""
    api_target_group_arn: str
    batch_group_name: str
    batch_launch_template_id: str
    hosted_zone_id: str
    api_fqdn: str
    health_check_ids: dict[str, str]
    """``primary``, ``secondary``."""
    guardduty_detector_id: str
    guardduty_findings_bucket_name: str
    config_bucket_name: str
    config_rule_names: dict[str, str]
    compliance_topic_arn: str
    stream_name: str
    stream_bucket_name: str
    alarm_names: dict[str, str]
    query_names: dict[str, str]
    """Saved Logs Insights queries; empty on the emulator (capability list)."""


@dataclass(frozen=True)
class PciDataProcessingOutputs(StackOutputs):
    """Outputs of the PCI data processing environment, in the order the stack has always emitted them."""

    data_key_arn: str
    logs_key_arn: str
    vpc_id: str
    bucket_names: dict[str, str]
    """``raw``, ``processed``, ``flow_logs``, ``trail``, ``access_logs``."""
    security_group_ids: dict[str, str]
    function_names: dict[str, str]
    function_log_groups: dict[str, str]
    firewall_log_groups: dict[str, str]
    """``alert``, ``flow``."""
    tokenization_secret_arn: str
    database_secret_arn: str
    trail_name: str
    trail_log_group_name: str
    security_topic_arn: str
    alarm_names: dict[str, str]
    config_rule_names: dict[str, str]
    event_rule_names: dict[str, str]
    firewall_arn: str | None = None
    """The Network Firewall; ``None`` on the emulator, which cannot host it (capability list)."""


def emit_outputs(stack: TerraformStack, outputs: StackOutputs) -> None:
    """One ``TerraformOutput`` per field of ``outputs`` that is not ``None``, in field order."""
    from cdktf import TerraformOutput

    for item in dataclasses.fields(outputs):
        value = getattr(outputs, item.name)
        if value is not None:
            TerraformOutput(stack, item.name, value=value)
