"""Every IAM policy document of a synthesized stack, with Terraform references made concrete.

Linters read ARNs; the synthesized documents hold references such as ``${aws_kms_key.x.arn}``.
Each reference is replaced by a well-formed value of its kind, so a linter judges the structure we
wrote (actions, resources, conditions) and not the placeholders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from unit_tests.synth_json import StackJson

ACCOUNT = "111122223333"
REGION = "us-east-1"
_ARN_BY_TYPE = {
    "aws_s3_bucket": "arn:aws:s3:::bucket-{id}",
    "aws_kms_key": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{{id}}",
    "aws_sqs_queue": f"arn:aws:sqs:{REGION}:{ACCOUNT}:queue-{{id}}",
    "aws_sns_topic": f"arn:aws:sns:{REGION}:{ACCOUNT}:topic-{{id}}",
    "aws_lambda_function": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn-{{id}}",
    "aws_cloudwatch_log_group": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:group-{{id}}",
    "aws_cloudwatch_event_bus": f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/bus-{{id}}",
    "aws_cloudwatch_event_rule": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/rule-{{id}}",
    "aws_ssm_parameter": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/param-{{id}}",
    "aws_secretsmanager_secret": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:secret-{{id}}",
    "aws_iam_role": f"arn:aws:iam::{ACCOUNT}:role/role-{{id}}",
    "aws_lb_target_group": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/tg/{{id}}",
}
_REFERENCE = re.compile(r"\$\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}")


def concretize(text: str) -> str:
    """Replace every ``${...}`` reference with a value of its kind."""

    def value(match: re.Match[str]) -> str:
        expression = match.group(1)
        parts = expression.split(".")
        if expression.startswith("data.aws_partition"):
            return "aws"
        if expression.startswith("data.aws_caller_identity"):
            return ACCOUNT
        if expression.startswith("data.aws_secretsmanager_secret"):
            return f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:existing"
        if "proxy_resource_id" in expression:
            return "prx-0123456789abcdef0"
        if "target_group_arns" in expression:
            return _ARN_BY_TYPE["aws_lb_target_group"].format(id="api")
        if len(parts) >= 3 and parts[0] in _ARN_BY_TYPE:
            arn = _ARN_BY_TYPE[parts[0]].format(id=parts[1][-8:].lower())
            return arn if parts[2] in ("arn", "id") else arn.rsplit(":", 1)[-1]
        return "value"

    return _REFERENCE.sub(value, text)


@dataclass(frozen=True)
class PolicyDocument:
    """One document: where it is, what kind, and its concrete JSON text."""

    resource_type: str
    path: str
    kind: str
    text: str


KINDS = {
    ("aws_iam_role_policy", "policy"): "identity",
    ("aws_iam_policy", "policy"): "identity",
    ("aws_iam_role", "assume_role_policy"): "trust",
    ("aws_kms_key", "policy"): "key",
    ("aws_s3_bucket_policy", "policy"): "resource",
    ("aws_sqs_queue_policy", "policy"): "resource",
    ("aws_sns_topic_policy", "policy"): "resource",
}


def policy_documents(stack: StackJson) -> list[PolicyDocument]:
    """Every policy document of the stack."""
    found = []
    for (rtype, attribute), kind in KINDS.items():
        for body in stack.resources(rtype).values():
            if isinstance(body.get(attribute), str):
                found.append(
                    PolicyDocument(rtype, body["//"]["metadata"]["path"], kind, concretize(body[attribute]))
                )
    return found
