"""IAM policy documents as typed Python values rendered to JSON at synth time.

Documents are plain JSON strings (not ``aws_iam_policy_document`` data sources) so that unit tests
can read and evaluate the exact document a resource receives from the synthesized stack.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Statement:
    """One IAM policy statement.

    Attributes:
        sid: Statement id; says what the statement is for.
        actions: Actions allowed or denied.
        resources: Resource ARNs (``*`` inside a key or bucket policy means "this resource"); empty
            only in trust policies, which name no resource.
        effect: ``Allow`` or ``Deny``.
        principals: Principal block, e.g. ``{"Service": ["logs.amazonaws.com"]}`` (resource policies only).
        conditions: Condition block, e.g. ``{"Bool": {"aws:SecureTransport": "false"}}``.
        scalar_resource: Render a single resource as a string, not a one-element list (both are
            valid IAM; the emulator's S3 log-delivery check reads only the string form).
    """

    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...] = ("*",)
    effect: Literal["Allow", "Deny"] = "Allow"
    principals: dict[str, Any] = field(default_factory=dict)
    conditions: dict[str, dict[str, Any]] = field(default_factory=dict)
    scalar_resource: bool = False

    def render(self) -> dict[str, Any]:
        """The statement as an IAM JSON object."""
        body: dict[str, Any] = {"Sid": self.sid, "Effect": self.effect}
        if self.principals:
            body["Principal"] = self.principals
        body["Action"] = list(self.actions)
        if self.resources:
            single = self.scalar_resource and len(self.resources) == 1
            body["Resource"] = self.resources[0] if single else list(self.resources)
        if self.conditions:
            body["Condition"] = self.conditions
        return body


def policy_json(*statements: Statement) -> str:
    """Render statements as an IAM policy document (version 2012-10-17)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [s.render() for s in statements]})


def trust_policy_json(service: str, *, source_account: str | None = None) -> str:
    """Role trust policy letting ``service`` assume the role (for ``source_account`` only, if given)."""
    conditions = {"StringEquals": {"aws:SourceAccount": source_account}} if source_account else {}
    return policy_json(
        Statement(
            "ServiceAssumes",
            ("sts:AssumeRole",),
            resources=(),
            principals={"Service": service},
            conditions=conditions,
        )
    )


def topic_publish_policy(sid: str, topic_arn: str, services: list[str], account_id: str) -> str:
    """Topic policy letting ``services`` publish to ``topic_arn`` on behalf of ``account_id`` only."""
    return policy_json(
        Statement(
            sid,
            ("sns:Publish",),
            resources=(topic_arn,),
            principals={"Service": services[0] if len(services) == 1 else services},
            conditions={"StringEquals": {"aws:SourceAccount": account_id}},
        )
    )
