"""Batch payment processing: an Auto Scaling group of hardened instances in the private subnets.

Instances require IMDSv2 (hop limit 1, so containers cannot reach the instance role), boot from
volumes encrypted with our data key, accept no inbound traffic (administration through SSM Session
Manager only) and publish memory use through the CloudWatch agent, which the memory alarm watches.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from cdktf_cdktf_provider_aws import (
    autoscaling_group,
    autoscaling_policy,
    iam_instance_profile,
    iam_role,
    iam_role_policy_attachment,
    launch_template,
)
from constructs import Construct

from pci_infra.foundation.stack_context import StackContext
from pci_infra.policies.policy_document import trust_policy_json

AMI_PARAMETER = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
"""Latest Amazon Linux 2023, resolved by EC2 at launch (no AMI id to keep up to date)."""
AGENT_NAMESPACE = "CWAgent"
MEMORY_METRIC = "mem_used_percent"
MANAGED_POLICIES = ("AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy")


def agent_user_data() -> str:
    """Cloud-init script: install the CloudWatch agent and publish memory use per Auto Scaling group."""
    agent_config = {
        "agent": {"metrics_collection_interval": 60},
        "metrics": {
            "namespace": AGENT_NAMESPACE,
            "append_dimensions": {"AutoScalingGroupName": "${aws:AutoScalingGroupName}"},
            "aggregation_dimensions": [["AutoScalingGroupName"]],
            "metrics_collected": {"mem": {"measurement": [MEMORY_METRIC]}},
        },
    }
    script = "\n".join(
        (
            "#!/bin/bash",
            "set -euo pipefail",
            "dnf install -y amazon-cloudwatch-agent",
            "cat > /opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json <<'JSON'",
            json.dumps(agent_config, indent=2),
            "JSON",
            "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s "
            "-c file:/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json",
            "",
        )
    )
    return base64.b64encode(script.encode()).decode()


@dataclass(frozen=True)
class PaymentBatchProps:
    """Inputs of :class:`PaymentBatch`.

    Attributes:
        group_name: Auto Scaling group name.
        launch_template_name: Launch template name.
        role_name: Instance role name.
        subnet_ids: Private subnets.
        security_group_id: Security group without inbound rules.
        ebs_key_arn: CMK of the volumes.
        instance_tags: Tags of the instances and volumes the group launches (provider default tags do
            not reach them), so they are found by cost reports and the orphan sweep.
        instance_type: Instance type.
        min_size: Minimum instances.
        max_size: Maximum instances.
        cpu_target_percent: Target tracking set point.
    """

    group_name: str
    launch_template_name: str
    role_name: str
    subnet_ids: list[str]
    security_group_id: str
    ebs_key_arn: str
    instance_tags: dict[str, str]
    instance_type: str = "t3.small"
    min_size: int = 1
    max_size: int = 4
    cpu_target_percent: float = 60.0

    def __post_init__(self) -> None:
        """Check the group bounds before anything is created."""
        if not 0 <= self.min_size <= self.max_size or self.max_size < 1:
            raise ValueError(
                f"PaymentBatchProps: need 0 <= min_size <= max_size and max_size >= 1 "
                f"(got {self.min_size}..{self.max_size})"
            )


class PaymentBatch(Construct):
    """The batch fleet.

    Attributes:
        group_name: Auto Scaling group name.
        launch_template_id: Launch template id.
        role_name: Instance role name.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: PaymentBatchProps) -> None:
        """Create role, profile, launch template, group and its CPU target tracking."""
        super().__init__(scope, construct_id)
        role = iam_role.IamRole(
            self,
            "role",
            name=props.role_name,
            description="Batch payment instances: SSM Session Manager and the CloudWatch agent",
            assume_role_policy=trust_policy_json("ec2.amazonaws.com"),
        )
        for policy in MANAGED_POLICIES:
            iam_role_policy_attachment.IamRolePolicyAttachment(
                self,
                f"policy-{policy}",
                role=role.name,
                policy_arn=StackContext.of(self).managed_policy_arn(policy),
            )
        profile = iam_instance_profile.IamInstanceProfile(
            self, "profile", name=props.role_name, role=role.name
        )
        lt = launch_template
        instance_tags = {**props.instance_tags, "Name": props.group_name}
        template = lt.LaunchTemplate(
            self,
            "template",
            name=props.launch_template_name,
            description="Batch payment processing instances",
            image_id=AMI_PARAMETER,
            instance_type=props.instance_type,
            update_default_version=True,
            user_data=agent_user_data(),
            iam_instance_profile=lt.LaunchTemplateIamInstanceProfile(arn=profile.arn),
            vpc_security_group_ids=[props.security_group_id],
            metadata_options=lt.LaunchTemplateMetadataOptions(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1
            ),
            monitoring=lt.LaunchTemplateMonitoring(enabled=True),
            block_device_mappings=[
                lt.LaunchTemplateBlockDeviceMappings(
                    device_name="/dev/xvda",
                    ebs=lt.LaunchTemplateBlockDeviceMappingsEbs(
                        volume_size=20,
                        volume_type="gp3",
                        encrypted="true",
                        kms_key_id=props.ebs_key_arn,
                        delete_on_termination="true",
                    ),
                )
            ],
            tag_specifications=[
                lt.LaunchTemplateTagSpecifications(resource_type=kind, tags=instance_tags)
                for kind in ("instance", "volume")
            ],
        )
        group = autoscaling_group.AutoscalingGroup(
            self,
            "group",
            name=props.group_name,
            min_size=props.min_size,
            max_size=props.max_size,
            desired_capacity=props.min_size,
            vpc_zone_identifier=props.subnet_ids,
            health_check_type="EC2",
            force_delete=True,
            launch_template=autoscaling_group.AutoscalingGroupLaunchTemplate(
                id=template.id, version="$Latest"
            ),
            tag=[
                autoscaling_group.AutoscalingGroupTag(
                    key="Name", value=props.group_name, propagate_at_launch=True
                )
            ],
        )
        autoscaling_policy.AutoscalingPolicy(
            self,
            "cpu-target",
            name="cpu-target-tracking",
            autoscaling_group_name=group.name,
            policy_type="TargetTrackingScaling",
            target_tracking_configuration=autoscaling_policy.AutoscalingPolicyTargetTrackingConfiguration(
                target_value=props.cpu_target_percent,
                predefined_metric_specification=autoscaling_policy.AutoscalingPolicyTargetTrackingConfigurationPredefinedMetricSpecification(
                    predefined_metric_type="ASGAverageCPUUtilization"
                ),
            ),
        )
        self.group_name: str = group.name
        self.launch_template_id: str = template.id
        self.role_name: str = role.name
