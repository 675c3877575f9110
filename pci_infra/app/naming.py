"""Resource names for both stacks, built in one place that knows every AWS name rule we use.

Two conventions live here:

* payment platform: ``{resource-type}-{environmentSuffix}``
* PCI data processing: ``{environment}-{service}-{resource-type}-{environmentSuffix}``

An ephemeral run appends its 6-character run id to the suffix (``-{run_id}``), the only random part
of any name. Every name is checked against the rule of its AWS resource kind and a violation raises
:class:`NameRuleError` naming the resource, the rule and the offending value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class NameRuleError(ValueError):
    """A rendered name breaks the AWS rule for its resource kind."""


@dataclass(frozen=True)
class NameRule:
    """AWS constraints on the name of one resource kind.

    Attributes:
        label: Human name of the resource kind, used in error messages.
        max_length: Longest name AWS accepts (after ``prefix``).
        pattern: Full-match regex of the characters and shape AWS accepts.
        rule: One-line statement of the character rule, used in error messages.
        min_length: Shortest name AWS accepts.
        prefix: Fixed text AWS requires in front of the name (e.g. ``alias/``); counted in the limit.
    """

    label: str
    max_length: int
    pattern: str
    rule: str
    min_length: int = 1
    prefix: str = ""

    def check(self, name: str) -> str:
        """Return ``prefix + name`` or raise :class:`NameRuleError` saying which rule it breaks."""
        full = f"{self.prefix}{name}"
        if not self.min_length <= len(full) <= self.max_length:
            raise NameRuleError(
                f"{self.label} name '{full}' is {len(full)} characters; "
                f"AWS allows {self.min_length}-{self.max_length}"
            )
        if not re.fullmatch(self.pattern, full):
            raise NameRuleError(f"{self.label} name '{full}' breaks the AWS rule: {self.rule}")
        return full


_ALNUM_HYPHEN = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"


class NameKind(Enum):
    """Every kind of named AWS resource the stacks create, with its AWS naming rule."""

    S3_BUCKET = NameRule(
        "S3 bucket",
        63,
        r"[a-z0-9][a-z0-9.-]*[a-z0-9]",
        "lowercase letters, digits, dots and hyphens; begins and ends with a letter or digit",
        min_length=3,
    )
    ALB = NameRule("Load balancer", 32, _ALNUM_HYPHEN, "letters, digits and hyphens; no hyphen at either end")
    TARGET_GROUP = NameRule(
        "Target group", 32, _ALNUM_HYPHEN, "letters, digits and hyphens; no hyphen at either end"
    )
    IAM_ROLE = NameRule("IAM role", 64, r"[\w+=,.@-]+", "letters, digits and +=,.@_-")
    IAM_POLICY = NameRule("IAM policy", 128, r"[\w+=,.@-]+", "letters, digits and +=,.@_-")
    LAMBDA_FUNCTION = NameRule(
        "Lambda function", 64, r"[A-Za-z0-9_-]+", "letters, digits, hyphens, underscores"
    )
    SQS_QUEUE = NameRule("SQS queue", 80, r"[A-Za-z0-9_-]+", "letters, digits, hyphens, underscores")
    SNS_TOPIC = NameRule("SNS topic", 256, r"[A-Za-z0-9_-]+", "letters, digits, hyphens, underscores")
    KMS_ALIAS = NameRule(
        "KMS alias",
        256,
        r"alias/(?!aws/)[A-Za-z0-9/_-]+",
        "alias/ followed by letters, digits, /_-, not in the reserved alias/aws/ space",
        prefix="alias/",
    )
    LOG_GROUP = NameRule("CloudWatch log group", 512, r"[\w./#-]+", "letters, digits and _-./#")
    EVENT_BUS = NameRule("EventBridge bus", 256, r"[\w.-]+", "letters, digits and ._-")
    EVENT_RULE = NameRule("EventBridge rule", 64, r"[\w.-]+", "letters, digits and ._-")
    CLOUDWATCH_ALARM = NameRule("CloudWatch alarm", 255, r"[^\x00-\x1f]+", "printable characters")
    RDS_IDENTIFIER = NameRule(
        "RDS identifier",
        63,
        r"[a-z](?:-?[a-z0-9])*",
        "lowercase letters, digits and single hyphens; starts with a letter, no hyphen at the end",
    )
    RDS_PROXY = NameRule(
        "RDS proxy",
        60,
        r"[a-zA-Z](?:-?[a-zA-Z0-9])*",
        "letters, digits and single hyphens; starts with a letter, no hyphen at the end",
    )
    SSM_PARAMETER = NameRule("SSM parameter", 1011, r"/?[\w./-]+", "letters, digits and _.-/")
    SECRET = NameRule("Secrets Manager secret", 512, r"[\w/+=.@-]+", "letters, digits and /_+=.@-")
    FIREHOSE_STREAM = NameRule("Firehose stream", 64, r"[\w.-]+", "letters, digits and _.-")
    WAF_ACL = NameRule("WAF web ACL", 128, r"[\w-]+", "letters, digits, hyphens, underscores")
    CONFIG_RULE = NameRule("Config rule", 128, r"[\w-]+", "letters, digits, hyphens, underscores")
    NETWORK_FIREWALL = NameRule("Network Firewall", 128, r"[A-Za-z0-9-]+", "letters, digits and hyphens")
    CLOUDTRAIL = NameRule(
        "CloudTrail trail", 128, r"[A-Za-z0-9][\w.-]*[A-Za-z0-9]", "letters, digits and ._-", min_length=3
    )
    MODULE_PREFIX = NameRule(
        "Module name prefix",
        42,
        r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?",
        "lowercase letters, digits and inner hyphens; the vpc module derives role and group names from it",
    )
    AURORA_CLUSTER = NameRule(
        "Aurora cluster",
        50,
        r"[a-z](?:-?[a-z0-9])*",
        "RDS identifier rule with room for the module's -proxy, -cluster and -<n> instance suffixes",
    )
    FUNCTION_BASE = NameRule(
        "Lambda function",
        59,
        r"[A-Za-z0-9_-]+",
        "letters, digits, hyphens, underscores; room for the -role and -dlq names derived from it",
    )
    SECURITY_GROUP = NameRule(
        "Security group",
        255,
        r"[\w .:/()#,@\[\]+=&;{}!$*-]+",
        "letters, digits, spaces, ._-:/()#,@[]+=&;{}!$*",
    )
    AUTOSCALING_GROUP = NameRule(
        "Auto Scaling group", 255, r"[^:\x00-\x1f]+", "printable characters except :"
    )
    LAUNCH_TEMPLATE = NameRule("Launch template", 128, r"[\w().\/-]{3,128}", "letters, digits and ().-/_", 3)
    DNS_LABEL = NameRule(
        "DNS label", 63, r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?", "lowercase letters, digits and inner hyphens"
    )
    XRAY_SAMPLING_RULE = NameRule(
        "X-Ray sampling rule", 32, r"[A-Za-z0-9_-]+", "letters, digits, hyphens, underscores"
    )
    METRIC_NAMESPACE = NameRule("CloudWatch namespace", 255, r"[\w./#:-]+", "letters, digits and ./#:_-")
    GENERIC = NameRule("Resource", 255, r"[\w.-]+", "letters, digits and ._-")

    @property
    def rule(self) -> NameRule:
        """The AWS rule of this kind."""
        value: NameRule = self.value
        return value


class Convention(Enum):
    """Which of the two naming conventions a name follows."""

    PAYMENT = "payment"
    PCI = "pci"


@dataclass(frozen=True)
class NameSpec:
    """One name a stack creates: its kind, convention and the words that make it up.

    Attributes:
        kind: AWS resource kind, which fixes the length and character rule.
        resource_type: The ``{resource-type}`` words, e.g. ``payments-dlq``.
        convention: Payment platform or PCI convention.
        service: The ``{service}`` part of the PCI convention (ignored for the payment convention).
    """

    kind: NameKind
    resource_type: str
    convention: Convention = Convention.PAYMENT
    service: str = ""


@dataclass(frozen=True)
class Namer:
    """Renders :class:`NameSpec` values for one environment.

    Attributes:
        environment: Environment name (first word of PCI names), e.g. ``dev``.
        suffix: The environment suffix.
        run_id: The ephemeral run id, appended to the suffix when set.
    """

    environment: str
    suffix: str
    run_id: str | None = None

    @property
    def full_suffix(self) -> str:
        """The suffix every name ends with: ``{suffix}`` or ``{suffix}-{run_id}``."""
        return f"{self.suffix}-{self.run_id}" if self.run_id else self.suffix

    def name(self, spec: NameSpec) -> str:
        """Render ``spec`` and check it against its kind's AWS rule.

        Raises:
            NameRuleError: The name is too long or uses characters AWS refuses.
        """
        if spec.convention is Convention.PCI:
            words = [self.environment, spec.service, spec.resource_type, self.full_suffix]
        else:
            words = [spec.resource_type, self.full_suffix]
        return spec.kind.rule.check("-".join(w for w in words if w))
