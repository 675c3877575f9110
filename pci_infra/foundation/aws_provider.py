"""The AWS provider of a stack: region, default tags, required-provider constraint and emulator wiring."""

from __future__ import annotations

from dataclasses import dataclass, field

from cdktf import TerraformStack
from cdktf_cdktf_provider_aws import provider as aws_provider
from constructs import Construct

AWS_PROVIDER_CONSTRAINT = "~> 5.99"
"""The one place the AWS provider version is chosen.

The bindings pin the provider they were generated from (5.99.1) exactly; this constraint replaces
that pin in every stack so the newest 5.x provider available (5.100.0 in the offline mirror) is used.
"""

EMULATED_SERVICES = (
    "autoscaling",
    "cloudtrail",
    "cloudwatch",
    "configservice",
    "ec2",
    "elb",
    "elbv2",
    "events",
    "firehose",
    "guardduty",
    "iam",
    "kinesis",
    "kms",
    "lambda",
    "logs",
    "networkfirewall",
    "rds",
    "resourcegroupstaggingapi",
    "route53",
    "s3",
    "secretsmanager",
    "sns",
    "sqs",
    "ssm",
    "sts",
    "wafv2",
    "xray",
)
"""Provider endpoint names pointed at the emulator on the emulator target."""

EMULATOR_MAX_RETRIES = 3
"""Attempts per API call on the emulator (the provider counts the first call as one).

Few enough that an unimplemented API fails in seconds with its real error instead of retrying for
minutes (the default is 25); more than one, because under parallel load the emulator's HTTP server
sometimes closes a kept-alive connection under a request ("use of closed network connection"),
which one more attempt absorbs instead of failing the whole apply.
"""


@dataclass(frozen=True)
class AwsProviderProps:
    """Inputs of :class:`AwsProviderWiring`.

    Attributes:
        region: AWS region.
        default_tags: Tags the provider adds to every taggable resource.
        emulator_endpoint: When set, every service endpoint points here and retries are minimal.
    """

    region: str
    default_tags: dict[str, str] = field(default_factory=dict)
    emulator_endpoint: str | None = None


class AwsProviderWiring(Construct):
    """Configures the stack's AWS provider and overrides the bindings' exact version pin."""

    def __init__(self, scope: TerraformStack, construct_id: str, *, props: AwsProviderProps) -> None:
        """Create the provider in ``scope``; ``scope`` must be the stack itself."""
        super().__init__(scope, construct_id)
        emulator = props.emulator_endpoint
        self.provider = aws_provider.AwsProvider(
            self,
            "aws",
            region=props.region,
            default_tags=[aws_provider.AwsProviderDefaultTags(tags=props.default_tags)],
            endpoints=[
                aws_provider.AwsProviderEndpoints(**{_endpoint_key(s): emulator for s in EMULATED_SERVICES})
            ]
            if emulator
            else None,
            max_retries=EMULATOR_MAX_RETRIES if emulator else None,
            s3_use_path_style=True if emulator else None,
            skip_credentials_validation=True if emulator else None,
            skip_metadata_api_check="true" if emulator else None,
            skip_requesting_account_id=True if emulator else None,
        )
        scope.add_override("terraform.required_providers.aws.version", AWS_PROVIDER_CONSTRAINT)


def _endpoint_key(service: str) -> str:
    """Python keyword arguments of the endpoints struct escape reserved words (``lambda`` -> ``lambda_``)."""
    return "lambda_" if service == "lambda" else service
