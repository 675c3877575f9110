"""Threat detection: the account's GuardDuty detector, its findings export and HIGH-severity alerts.

One detector per account and region: an existing one is adopted (settings answer whether there is
one, see ``account_singletons``), otherwise one is created publishing every six hours. Findings are
exported to the CMK-encrypted findings bucket; findings of severity 7 or more reach the alert topic.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws import guardduty_detector, guardduty_publishing_destination
from constructs import Construct

from pci_infra.app.settings import CREATE
from pci_infra.blocks.kms_key import KmsKey
from pci_infra.blocks.secure_bucket import SecureBucket
from pci_infra.foundation.stack_context import StackContext

PUBLISHING_FREQUENCY = "SIX_HOURS"
PUBLISHING_DESTINATION_TYPE = "aws_guardduty_publishing_destination"


@dataclass(frozen=True)
class ThreatDetectionProps:
    """Inputs of :class:`ThreatDetection`.

    Attributes:
        detector: ``create``, or the id of the existing detector to adopt.
        findings_bucket: Export destination (GuardDuty checks its policy on create).
        findings_key: CMK GuardDuty encrypts exported findings with.
    """

    detector: str
    findings_bucket: SecureBucket
    findings_key: KmsKey


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
        if StackContext.of(self).hosts(PUBLISHING_DESTINATION_TYPE):
            guardduty_publishing_destination.GuarddutyPublishingDestination(
                self,
                "export",
                detector_id=self.detector_id,
                destination_arn=props.findings_bucket.bucket_arn,
                kms_key_arn=props.findings_key.key_arn,
                destination_type="S3",
                depends_on=[props.findings_bucket.policy],
            )
