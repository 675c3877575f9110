"""Threat detection: the account's GuardDuty detector, its findings export and HIGH-severity alerts.

One detector per account and region: an existing one is adopted (settings answer whether there is
one, see ``account_singletons``), otherwise one is created publishing every six hours. Findings are
exported to the CMK-encrypted findings bucket; findings of severity 7 or more reach the alert topic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cdktf import ITerraformDependable
from cdktf_cdktf_provider_aws import guardduty_detector, guardduty_publishing_destination
from constructs import Construct

from pci_infra.app.settings import CREATE, Target
from pci_infra.foundation.capabilities import hosts

PUBLISHING_FREQUENCY = "SIX_HOURS"
HIGH_SEVERITY = 7
PUBLISHING_DESTINATION_TYPE = "aws_guardduty_publishing_destination"


def high_severity_pattern() -> dict[str, Any]:
    """EventBridge pattern of GuardDuty findings with severity >= 7 (HIGH and CRITICAL)."""
    return {
        "source": ["aws.guardduty"],
        "detail-type": ["GuardDuty Finding"],
        "detail": {"severity": [{"numeric": [">=", HIGH_SEVERITY]}]},
    }


@dataclass(frozen=True)
class ThreatDetectionProps:
    """Inputs of :class:`ThreatDetection`.

    Attributes:
        detector: ``create``, or the id of the existing detector to adopt.
        findings_bucket_arn: Export destination.
        findings_key_arn: CMK GuardDuty encrypts exported findings with.
        findings_bucket_policy: The bucket's policy resource (GuardDuty checks it on create).
        target: Deployment target (the export is left out where it cannot be hosted).
    """

    detector: str
    findings_bucket_arn: str
    findings_key_arn: str
    findings_bucket_policy: ITerraformDependable
    target: Target


class ThreatDetection(Construct):
    """Detector (created or adopted) and findings export.

    Attributes:
        detector_id: Id of the detector in use.
        created: Whether this stack owns the detector.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: ThreatDetectionProps) -> None:
        """Create or adopt the detector; export its findings."""
        super().__init__(scope, construct_id)
        self.created = props.detector == CREATE
        if self.created:
            detector = guardduty_detector.GuarddutyDetector(
                self, "detector", enable=True, finding_publishing_frequency=PUBLISHING_FREQUENCY
            )
            self.detector_id: str = detector.id
        else:
            self.detector_id = props.detector
        if hosts(props.target, PUBLISHING_DESTINATION_TYPE):
            guardduty_publishing_destination.GuarddutyPublishingDestination(
                self,
                "export",
                detector_id=self.detector_id,
                destination_arn=props.findings_bucket_arn,
                kms_key_arn=props.findings_key_arn,
                destination_type="S3",
                depends_on=[props.findings_bucket_policy],
            )
