"""Account id and partition of the deploying identity, read once per stack."""

from __future__ import annotations

from cdktf_cdktf_provider_aws import data_aws_caller_identity, data_aws_partition
from constructs import Construct


class AccountContext(Construct):
    """Exposes ``account_id`` and ``partition`` tokens for ARNs and key policies."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        """Read the caller identity and partition."""
        super().__init__(scope, construct_id)
        identity = data_aws_caller_identity.DataAwsCallerIdentity(self, "identity")
        partition = data_aws_partition.DataAwsPartition(self, "partition")
        self.account_id: str = identity.account_id
        self.partition: str = partition.partition
        self.root_arn: str = f"arn:{self.partition}:iam::{self.account_id}:root"
