"""Tracing and security analysis: X-Ray sampling and encryption, saved Logs Insights queries.

* X-Ray: every request to the payment API is traced (fixed rate 1.0) and traces are encrypted
  with our data key. Lambda functions trace actively (see ``node_function``); the ALB forwards the
  trace header to its Lambda target.
* Logs Insights: rejected flows and top talkers from the VPC flow logs, failed payments by reason
  from the processor's log group.

The emulator hosts none of these resource types (see the capability list); they are left out there.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws import cloudwatch_query_definition, xray_encryption_config, xray_sampling_rule
from constructs import Construct

from pci_infra.foundation.stack_context import StackContext

QUERIES = {
    "rejected-flows": (
        "flow",
        "fields @timestamp, srcAddr, dstAddr, dstPort, protocol | filter action = 'REJECT' "
        "| stats count(*) as rejected by srcAddr, dstAddr, dstPort | sort rejected desc | limit 50",
    ),
    "top-talkers": (
        "flow",
        "stats sum(bytes) as bytesTransferred by srcAddr, dstAddr | sort bytesTransferred desc | limit 20",
    ),
    "failed-payments-by-reason": (
        "processor",
        "filter ispresent(FailedPayments) | stats sum(FailedPayments) as failed by Reason | sort failed desc",
    ),
}
"""Query name -> (log group key, Logs Insights query)."""


@dataclass(frozen=True)
class ObservabilityProps:
    """Inputs of :class:`Observability`.

    Attributes:
        sampling_rule_name: X-Ray sampling rule name (at most 32 characters).
        query_folder: Folder of the saved queries.
        flow_log_group_name: VPC flow log group.
        processor_log_group_name: Processor log group.
        traces_key_arn: CMK of the traces.
    """

    sampling_rule_name: str
    query_folder: str
    flow_log_group_name: str
    processor_log_group_name: str
    traces_key_arn: str


class Observability(Construct):
    """Sampling rule, trace encryption and saved queries.

    Attributes:
        query_names: Saved query names by key.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: ObservabilityProps) -> None:
        """Create what the target hosts."""
        super().__init__(scope, construct_id)
        ctx = StackContext.of(self)
        if ctx.hosts("aws_xray_sampling_rule"):
            xray_sampling_rule.XraySamplingRule(
                self,
                "payments-sampling",
                rule_name=props.sampling_rule_name,
                priority=100,
                fixed_rate=1.0,
                reservoir_size=100,
                service_name="*",
                service_type="*",
                host="*",
                http_method="*",
                url_path="/api/payments*",
                resource_arn="*",
                version=1,
            )
        if ctx.hosts("aws_xray_encryption_config"):
            xray_encryption_config.XrayEncryptionConfig(
                self, "traces-encryption", type="KMS", key_id=props.traces_key_arn
            )
        groups = {"flow": props.flow_log_group_name, "processor": props.processor_log_group_name}
        self.query_names: dict[str, str] = {}
        if ctx.hosts("aws_cloudwatch_query_definition"):
            for key, (group, query) in QUERIES.items():
                definition = cloudwatch_query_definition.CloudwatchQueryDefinition(
                    self,
                    f"query-{key}",
                    name=f"{props.query_folder}/{key}",
                    log_group_names=[groups[group]],
                    query_string=query,
                )
                self.query_names[key] = definition.name
