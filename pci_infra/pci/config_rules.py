"""Config rules of the PCI environment: encryption everywhere and the three required tags.

They run on the account's recorder (created by the payment platform stack, or one that already
exists: see ``config_recording``); this stack never creates a second one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from cdktf_cdktf_provider_aws import config_config_rule
from constructs import Construct

REQUIRED_TAGS = ("DataClassification", "Environment", "Owner")
RULES: dict[str, tuple[str, str | None]] = {
    "s3_sse": ("S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED", "AWS::S3::Bucket"),
    "volumes": ("ENCRYPTED_VOLUMES", "AWS::EC2::Volume"),
    "rds": ("RDS_STORAGE_ENCRYPTED", "AWS::RDS::DBInstance"),
    "log_groups": ("CLOUDWATCH_LOG_GROUP_ENCRYPTED", None),
    "tags": ("REQUIRED_TAGS", None),
}
"""Rule key -> (managed rule identifier, resource type scope or None for the rule's default)."""


@dataclass(frozen=True)
class PciComplianceProps:
    """Inputs of :class:`PciCompliance`.

    Attributes:
        rule_names: Config rule names by key of :data:`RULES`.
    """

    rule_names: dict[str, str]

    def __post_init__(self) -> None:
        """Every rule needs a name."""
        if set(self.rule_names) != set(RULES):
            raise ValueError(f"PciComplianceProps.rule_names: need exactly {sorted(RULES)}")


class PciCompliance(Construct):
    """The five managed rules.

    Attributes:
        rule_names: Rule names by key.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: PciComplianceProps) -> None:
        """Create the rules."""
        super().__init__(scope, construct_id)
        self.rule_names: dict[str, str] = {}
        tag_parameters = {f"tag{i}Key": tag for i, tag in enumerate(REQUIRED_TAGS, start=1)}
        for key, (identifier, resource_type) in RULES.items():
            rule = config_config_rule.ConfigConfigRule(
                self,
                f"rule-{key}",
                name=props.rule_names[key],
                source=config_config_rule.ConfigConfigRuleSource(owner="AWS", source_identifier=identifier),
                scope=config_config_rule.ConfigConfigRuleScope(compliance_resource_types=[resource_type])
                if resource_type
                else None,
                input_parameters=json.dumps(tag_parameters) if key == "tags" else None,
            )
            self.rule_names[key] = rule.name
