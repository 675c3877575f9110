"""The one typed, validated settings object of the application.

``main.py`` builds :class:`Settings` from CLI flags, environment variables and cdktf context; nothing
below it reads ``os.environ``. Every dataclass is frozen and validated in ``__post_init__``; an error
names the field and the rule, and is raised before any construct exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from pci_infra.app.names import all_specs
from pci_infra.app.naming import Namer, NameRuleError
from pci_infra.foundation.service_routing import CHOICES as EMULATOR_CHOICES
from pci_infra.foundation.service_routing import MOTO_ALONE, EmulatorSet


class SettingsError(ValueError):
    """A settings field holds a value the application refuses; the message names field and rule."""


class Target(StrEnum):
    """Where the synthesized stacks are meant to be deployed."""

    EMULATOR = "emulator"
    AWS = "aws"


class BackendKind(StrEnum):
    """Terraform state backend."""

    LOCAL = "local"
    S3 = "s3"


DATA_CLASSIFICATIONS = ("public", "internal", "confidential", "restricted", "pci")
"""Values allowed for the DataClassification tag, least to most sensitive."""

AWS_REGIONS = frozenset(
    {
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "ca-central-1",
        "ca-west-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-7",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-east-1",
        "sa-east-1",
        "me-south-1",
        "me-central-1",
        "il-central-1",
        "af-south-1",
        "mx-central-1",
    }
)
"""Commercial AWS regions the provider and the emulator both accept."""

_SUFFIX_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
_ENVIRONMENT_RE = re.compile(r"[a-z][a-z0-9]{1,11}")
_RUN_ID_RE = re.compile(r"[a-z0-9]{6}")
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_TAG_VALUE_RE = re.compile(r"[\w .:/=+@-]{1,256}")
_ENDPOINT_RE = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d{1,5})?/?")
_BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_ACM_ARN_RE = re.compile(r"arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+")
_COUNTRY_RE = re.compile(r"[A-Z]{2}")
_DETECTOR_ID_RE = re.compile(r"[a-z0-9]{32}")
_RECORDER_NAME_RE = re.compile(r"[\w.-]{1,256}")
_HOSTNAME_RE = re.compile(
    r"(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]"
)
LOOKUP = "lookup"
"""Account singletons (GuardDuty detector, Config recorder): ask the account at synth time."""
CREATE = "create"
"""Account singletons: create one (the account has none)."""


def _fail(field_name: str, rule: str, value: object) -> SettingsError:
    return SettingsError(f"{field_name}: {rule} (got {value!r})")


@dataclass(frozen=True)
class FeatureSwitches:
    """Optional parts of the application.

    Attributes:
        payment_platform: Synthesize the payment processing platform stack.
        pci_data_processing: Synthesize the PCI-DSS data processing stack.
    """

    payment_platform: bool = True
    pci_data_processing: bool = True


@dataclass(frozen=True)
class BackendSettings:
    """Where Terraform keeps state.

    Attributes:
        kind: ``local`` (default, one state file per environment) or ``s3`` for long-lived shared
            environments (native S3 locking through ``use_lockfile``, no DynamoDB table).
        state_dir: Directory of local state files (local backend).
        s3_bucket: State bucket (s3 backend).
        s3_key_prefix: Key prefix inside the state bucket (s3 backend).
    """

    kind: BackendKind = BackendKind.LOCAL
    state_dir: str = ".state"
    s3_bucket: str | None = None
    s3_key_prefix: str = "pci-payment-infra"

    def __post_init__(self) -> None:
        """Validate the backend fields."""
        if self.kind is BackendKind.S3:
            if not self.s3_bucket or not _BUCKET_RE.fullmatch(self.s3_bucket):
                raise _fail(
                    "backend.s3_bucket", "required for the s3 backend: a valid S3 bucket name", self.s3_bucket
                )
        elif not self.state_dir:
            raise _fail("backend.state_dir", "must be a directory path for the local backend", self.state_dir)
        if not re.fullmatch(r"[\w./-]+", self.s3_key_prefix):
            raise _fail("backend.s3_key_prefix", "letters, digits and _./- only", self.s3_key_prefix)


@dataclass(frozen=True)
class Settings:
    """Everything the stacks need to know, validated once.

    Attributes:
        environment_suffix: Lowercase letters, digits and inner hyphens; ends every resource name.
        environment: Environment name: the Environment tag and the first word of PCI names.
        region: AWS region (default ``us-east-1``).
        target: ``emulator`` (default: the embedded moto server) or ``aws``.
        owner: Owner tag value.
        data_classification: DataClassification tag value, one of :data:`DATA_CLASSIFICATIONS`.
        alert_email: Address subscribed to the operational and security alert topics; required for AWS.
        run_id: Six lowercase letters/digits naming an ephemeral run; appended to every name and tagged
            as ``RunId``. ``None`` for a long-lived environment.
        deletion_protection: Protect the database and load balancer from deletion and keep a final
            snapshot. Off by default: every environment must be destroyable without manual steps.
        api_certificate_arn: ACM certificate of the payment API's HTTPS listener; required on AWS
            (the emulator gets a plain HTTP listener).
        geo_block_countries: ISO 3166-1 alpha-2 codes the WAF blocks; empty for none.
        guardduty_detector: ``lookup`` (ask the account at synth time), ``create``, or the id of the
            account's existing detector to adopt (one detector per account and region).
        config_recorder: ``lookup``, ``create``, or the name of the existing recorder to adopt (one
            recorder per account and region).
        database_secret_name: Name of the existing Secrets Manager secret with the PCI database
            credentials (rotated by the PCI stack); default ``<environment>/pci/<suffix>/database``.
        mfa_delete_device: ``"<root MFA serial> <current code>"`` to turn on S3 MFA delete on the
            card data buckets (AWS accepts it from the root user only); off when not given.
        standby_endpoint: Host name of the standby payment API, the SECONDARY failover record's
            target; required on AWS (on the emulator it defaults to ``standby.<zone>``).
        emulator_endpoint: URL of the emulator every provider endpoint points to (emulator target).
        emulators: The local emulators an emulator deployment runs on: ``moto`` (default: every
            provider endpoint at :attr:`emulator_endpoint`) or ``pair`` (MiniStack and moto, each
            service where the routing table puts it: the harness's default, which writes the
            endpoints' override). What the capability list leaves out of emulator synthesis depends
            on it.
        features: Optional parts.
        backend: State backend.
    """

    environment_suffix: str
    environment: str = "dev"
    region: str = "us-east-1"
    target: Target = Target.EMULATOR
    owner: str = "platform-engineering"
    data_classification: str = "confidential"
    alert_email: str | None = None
    run_id: str | None = None
    emulator_endpoint: str | None = None
    emulators: EmulatorSet = MOTO_ALONE
    deletion_protection: bool = False
    api_certificate_arn: str | None = None
    geo_block_countries: tuple[str, ...] = ()
    guardduty_detector: str = LOOKUP
    config_recorder: str = LOOKUP
    standby_endpoint: str | None = None
    database_secret_name: str | None = None
    mfa_delete_device: str | None = None
    features: FeatureSwitches = field(default_factory=FeatureSwitches)
    backend: BackendSettings = field(default_factory=BackendSettings)

    def __post_init__(self) -> None:
        """Validate every field; the first bad one raises :class:`SettingsError`."""
        if not self.environment_suffix:
            raise _fail("environment_suffix", "must not be empty", self.environment_suffix)
        if not _SUFFIX_RE.fullmatch(self.environment_suffix):
            raise _fail(
                "environment_suffix",
                "lowercase letters, digits and inner hyphens only (S3 and RDS names are lowercase)",
                self.environment_suffix,
            )
        if not _ENVIRONMENT_RE.fullmatch(self.environment):
            raise _fail(
                "environment", "2-12 lowercase letters or digits, starting with a letter", self.environment
            )
        if self.region not in AWS_REGIONS:
            raise _fail("region", "must be a known AWS region such as us-east-1", self.region)
        if not isinstance(self.target, Target):
            raise _fail("target", f"one of {[t.value for t in Target]}", self.target)
        if not _TAG_VALUE_RE.fullmatch(self.owner):
            raise _fail("owner", "1-256 characters allowed in an AWS tag value", self.owner)
        if self.data_classification not in DATA_CLASSIFICATIONS:
            raise _fail(
                "data_classification", f"one of {list(DATA_CLASSIFICATIONS)}", self.data_classification
            )
        if self.alert_email is not None and not _EMAIL_RE.fullmatch(self.alert_email):
            raise _fail("alert_email", "must be an e-mail address like team@example.org", self.alert_email)
        if self.target is Target.AWS and self.alert_email is None:
            raise _fail("alert_email", "required for target aws (alerts must reach a person)", None)
        if self.run_id is not None and not _RUN_ID_RE.fullmatch(self.run_id):
            raise _fail("run_id", "exactly 6 lowercase letters or digits", self.run_id)
        if self.target is Target.EMULATOR and not _ENDPOINT_RE.fullmatch(self.emulator_endpoint or ""):
            raise _fail(
                "emulator_endpoint",
                "required for target emulator: http(s)://host[:port]",
                self.emulator_endpoint,
            )
        if self.emulators not in EMULATOR_CHOICES:
            raise _fail("emulators", f"one of {list(EMULATOR_CHOICES)}", self.emulators)
        if self.api_certificate_arn is not None and not _ACM_ARN_RE.fullmatch(self.api_certificate_arn):
            raise _fail(
                "api_certificate_arn",
                "an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)",
                self.api_certificate_arn,
            )
        if self.target is Target.AWS and self.api_certificate_arn is None:
            raise _fail(
                "api_certificate_arn", "required for target aws (the payment API listens on HTTPS only)", None
            )
        bad_countries = [c for c in self.geo_block_countries if not _COUNTRY_RE.fullmatch(c)]
        if bad_countries:
            raise _fail(
                "geo_block_countries", "ISO 3166-1 alpha-2 codes in upper case, e.g. KP", bad_countries
            )
        if self.guardduty_detector not in (LOOKUP, CREATE) and not _DETECTOR_ID_RE.fullmatch(
            self.guardduty_detector
        ):
            raise _fail(
                "guardduty_detector",
                "'lookup', 'create' or a 32-character detector id",
                self.guardduty_detector,
            )
        if not _RECORDER_NAME_RE.fullmatch(self.config_recorder):
            raise _fail("config_recorder", "'lookup', 'create' or a recorder name", self.config_recorder)
        if self.standby_endpoint is not None and not _HOSTNAME_RE.fullmatch(self.standby_endpoint):
            raise _fail(
                "standby_endpoint",
                "a lower-case DNS host name such as api.dr.example.org",
                self.standby_endpoint,
            )
        if self.target is Target.AWS and self.standby_endpoint is None:
            raise _fail(
                "standby_endpoint",
                "required for target aws (the SECONDARY failover record needs a target)",
                None,
            )
        if self.database_secret_name is not None and not re.fullmatch(
            r"[\w/+=.@-]{1,512}", self.database_secret_name
        ):
            raise _fail(
                "database_secret_name",
                "a Secrets Manager secret name (letters, digits, /_+=.@-)",
                self.database_secret_name,
            )
        if self.mfa_delete_device is not None and not re.fullmatch(
            r"arn:aws[a-z-]*:iam::\d{12}:mfa/\S+ \d{6}", self.mfa_delete_device
        ):
            raise _fail("mfa_delete_device", "'<MFA device ARN> <6-digit code>'", "<redacted>")
        self._check_name_budget()

    def _check_name_budget(self) -> None:
        namer = self.namer
        for spec in all_specs():
            try:
                namer.name(spec)
            except NameRuleError as err:
                raise SettingsError(
                    f"environment_suffix: {self.environment_suffix!r} is too long or malformed for the names "
                    f"it ends: {err}"
                ) from err

    @property
    def namer(self) -> Namer:
        """The naming helper for this environment."""
        return Namer(environment=self.environment, suffix=self.environment_suffix, run_id=self.run_id)

    @property
    def pci_database_secret(self) -> str:
        """The existing database secret the PCI stack rotates."""
        return self.database_secret_name or f"{self.environment}/pci/{self.namer.full_suffix}/database"

    @property
    def is_emulator(self) -> bool:
        """True when deploying to the embedded emulator."""
        return self.target is Target.EMULATOR

    @property
    def tags(self) -> dict[str, str]:
        """Tags every taggable resource carries (the provider's ``default_tags``)."""
        tags = {
            "Environment": self.environment,
            "EnvironmentSuffix": self.environment_suffix,
            "Owner": self.owner,
            "DataClassification": self.data_classification,
            "ManagedBy": "cdktf",
        }
        if self.run_id:
            tags["RunId"] = self.run_id
        return tags
