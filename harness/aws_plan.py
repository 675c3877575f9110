"""The AWS-target plan of a synthesized stack, made without an AWS account, for the compliance gate.

Live deploys plan against the emulator, and the emulator synthesis leaves out every resource type the
emulator cannot host (``pci_infra/foundation/capabilities.py``): the Network Firewall, X-Ray, the
GuardDuty export, secret rotation, the HTTPS listener, the private zone's VPC. Checkov on those plans
never sees them. So the AWS-target synthesis is planned as well, the way ``tflocal`` does it: in a
copy of its stack directory, an override file (:data:`OVERRIDE_FILE`) points every endpoint of the
AWS provider at a throwaway moto server, with fake credentials, no credential, account-id or metadata
lookups, path-style S3, and the state kept in the copy. Planning creates nothing, but data sources are
read, so what they look up is made in that emulator first (the database secret the PCI stack adopts
by name, see :func:`lookups_to_seed`); the GuardDuty detector and Config recorder lookups are settled
at synthesis. ``terraform show -json`` of the plan is what checkov then scans, judged by the skip
file's entries for target ``aws`` (or ``any``).

Cost: ``terraform init``, the provider's schema and a plan of 140-180 resources: about 20 s for the
payment platform and 13 s for the PCI stack. The plan JSON is therefore cached under a content hash
of the stack directory, this module, the Terraform and moto versions and the mirrored providers (like
``unit_tests/synth_cache.py``); checkov and the skip file judge it afresh on every run.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from harness.aws_target import AwsTarget
from harness.cli_config import DEFAULT_MIRROR, write_cli_config
from harness.emulator import MotoServer
from harness.environment import throwaway_secrets
from harness.existing_secret import create_database_secret
from harness.terraform import Terraform

OVERRIDE_FILE = "zz_endpoints_override.tf.json"
"""Terraform merges ``*_override.tf.json`` files last, over the synthesized ``cdk.tf.json``."""
PLAN_FILE = "aws.tfplan"
AWS_PROVIDER = "registry.terraform.io/hashicorp/aws"
FAKE_CREDENTIALS = {"access_key": "emulator", "secret_key": "emulator"}
"""What the throwaway emulator accepts; every endpoint points at it, so they never reach AWS."""
CONFLICTING_ENDPOINTS = "Invalid Attribute Combination"
"""The provider's warning when two aliases of one service's endpoint are both set."""

ENDPOINT_ALIASES: tuple[tuple[str, ...], ...] = (
    ("amp", "prometheus", "prometheusservice"),
    ("appautoscaling", "applicationautoscaling"),
    ("appintegrations", "appintegrationsservice"),
    ("ce", "costexplorer"),
    ("cloudcontrol", "cloudcontrolapi"),
    ("cloudhsmv2", "cloudhsm"),
    ("cognitoidp", "cognitoidentityprovider"),
    ("configservice", "config"),
    ("cur", "costandusagereportservice"),
    ("databrew", "gluedatabrew"),
    ("deploy", "codedeploy"),
    ("dms", "databasemigration", "databasemigrationservice"),
    ("ds", "directoryservice"),
    ("elasticbeanstalk", "beanstalk"),
    ("elasticsearch", "es", "elasticsearchservice"),
    ("elb", "elasticloadbalancing"),
    ("elbv2", "elasticloadbalancingv2"),
    ("events", "eventbridge", "cloudwatchevents"),
    ("evidently", "cloudwatchevidently"),
    ("grafana", "managedgrafana", "amg"),
    ("inspector2", "inspectorv2"),
    ("kafka", "msk"),
    ("lexmodels", "lexmodelbuilding", "lexmodelbuildingservice", "lex"),
    ("lexv2models", "lexmodelsv2"),
    ("location", "locationservice"),
    ("logs", "cloudwatchlog", "cloudwatchlogs"),
    ("oam", "cloudwatchobservabilityaccessmanager"),
    ("opensearch", "opensearchservice"),
    ("osis", "opensearchingestion"),
    ("rbin", "recyclebin"),
    ("redshiftdata", "redshiftdataapiservice"),
    ("resourcegroupstaggingapi", "resourcegroupstagging"),
    ("rum", "cloudwatchrum"),
    ("s3", "s3api"),
    ("serverlessrepo", "serverlessapprepo", "serverlessapplicationrepository"),
    ("servicecatalogappregistry", "appregistry"),
    ("sfn", "stepfunctions"),
    ("simpledb", "sdb"),
    ("transcribe", "transcribeservice"),
)
"""Groups of endpoint keys that name the same service; only the first one present is set.

The provider's schema does not say which keys are aliases; setting two of one group draws a warning
(:data:`CONFLICTING_ENDPOINTS`, "will be an error in a future release"). These 39 groups are that
warning's, from ``terraform plan -json`` on AWS provider 5.100.0, the provider's own key first (the
one kept); :func:`plan_aws_target` fails when the warning appears again, so a new alias is added here.
"""

SKIPPED_PARTS = frozenset({".terraform", "__pycache__"})
SKIPPED_NAMES = frozenset({".terraform.lock.hcl", "terraform.tfstate", "terraform.tfstate.backup"})


class AwsPlanError(RuntimeError):
    """The AWS-target plan could not be made soundly."""


def dedupe_aliases(keys: Iterable[str]) -> list[str]:
    """``keys`` sorted, without the second and later members of each alias group present."""
    present = set(keys)
    for group in ENDPOINT_ALIASES:
        kept = [key for key in group if key in present]
        present -= set(kept[1:])
    return sorted(present)


def endpoint_keys(schema: Mapping[str, Any]) -> list[str]:
    """Every endpoint key of the AWS provider in ``terraform providers schema -json``, aliases deduped."""
    try:
        provider = schema["provider_schemas"][AWS_PROVIDER]["provider"]["block"]
        attributes = provider["block_types"]["endpoints"]["block"]["attributes"]
    except KeyError as err:
        raise AwsPlanError(f"the provider schema has no endpoints block for {AWS_PROVIDER}") from err
    return dedupe_aliases(attributes)


def override_document(endpoint: str, keys: Iterable[str]) -> dict[str, Any]:
    """The override file: every provider endpoint at ``endpoint``, fake credentials, local state."""
    return {
        "//": "Written by harness/aws_plan.py for a plan against a throwaway emulator; never applied.",
        "terraform": {"backend": {"local": {"path": "terraform.tfstate"}}},
        "provider": {
            "aws": [
                {
                    **FAKE_CREDENTIALS,
                    "endpoints": [dict.fromkeys(keys, endpoint)],
                    "max_retries": 3,
                    "s3_use_path_style": True,
                    "skip_credentials_validation": True,
                    "skip_metadata_api_check": "true",
                    "skip_requesting_account_id": True,
                }
            ]
        },
    }


def lookups_to_seed(document: Mapping[str, Any]) -> list[str]:
    """Names of the secrets the stack's data sources look up (``data.aws_secretsmanager_secret``)."""
    found = document.get("data", {}).get("aws_secretsmanager_secret", {})
    names = sorted(body["name"] for body in found.values() if isinstance(body.get("name"), str))
    if len(names) != len(found):
        raise AwsPlanError("a data.aws_secretsmanager_secret without a literal name cannot be seeded")
    return names


def _files(root: Path) -> Iterable[Path]:
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not SKIPPED_PARTS & set(relative.parts) and path.name not in SKIPPED_NAMES:
            yield path


def _terraform_version() -> str:
    result = subprocess.run(
        ["terraform", "version", "-json"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "CHECKPOINT_DISABLE": "1"},  # no online check for a newer release
    )
    version: str = json.loads(result.stdout)["terraform_version"]
    return version


def _mirrored_versions(mirror: Path) -> list[str]:
    return sorted(str(p.relative_to(mirror)) for p in mirror.glob("*/*/*/*") if p.is_dir())


def cache_key(stack_dir: Path, mirror: Path = DEFAULT_MIRROR) -> str:
    """A short hash of everything the plan depends on: stack files, this code, tool versions."""
    digest = hashlib.sha256(
        json.dumps(
            [_terraform_version(), metadata.version("moto"), _mirrored_versions(mirror)], sort_keys=True
        ).encode()
    )
    digest.update(Path(__file__).read_bytes())
    for path in _files(stack_dir):
        digest.update(str(path.relative_to(stack_dir)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def plan_aws_target(stack_dir: Path, workdir: Path, *, mirror: Path = DEFAULT_MIRROR) -> Path:
    """Plan a copy of ``stack_dir`` against a throwaway emulator; return its ``terraform show -json``.

    ``workdir`` receives the copy (``stack/``), the logs and ``plan.json``. The stack's ephemeral
    variables get random values for this plan only, and the plan is checked not to contain them.
    """
    copy = workdir / "stack"
    shutil.copytree(stack_dir, copy, ignore=shutil.ignore_patterns(*SKIPPED_PARTS, *SKIPPED_NAMES))
    document = json.loads((copy / "cdk.tf.json").read_text())
    region = document["provider"]["aws"][0]["region"]
    secrets = throwaway_secrets(copy)
    with MotoServer(workdir / "moto.log") as server:
        target = AwsTarget.emulator(region, server.endpoint)
        for name in lookups_to_seed(document):
            create_database_secret(target, name)
        env = {
            "TF_CLI_CONFIG_FILE": str(write_cli_config(workdir / "terraform.rc", mirror)),
            **target.terraform_env(),
            **{f"TF_VAR_{name}": value for name, value in secrets.items()},
        }
        override = copy / OVERRIDE_FILE
        # The backend is overridden before init; the endpoint keys come from the installed provider.
        override.write_text(json.dumps(override_document(server.endpoint, ()), indent=1))
        terraform = Terraform(workdir=copy, log_path=workdir / "terraform.log", env=env)
        terraform.init()
        keys = endpoint_keys(_provider_schema(copy, env))
        override.write_text(json.dumps(override_document(server.endpoint, keys), indent=1))
        plan = terraform.plan_to_file(PLAN_FILE)
    log = (workdir / "terraform.log").read_text()
    if CONFLICTING_ENDPOINTS in log:
        raise AwsPlanError(
            f"the provider warns that aliased endpoint keys are both set ({CONFLICTING_ENDPOINTS}): add "
            f"the groups it names in {workdir / 'terraform.log'} to ENDPOINT_ALIASES in {__file__}"
        )
    text = json.dumps(plan)
    leaked = sorted(name for name, value in secrets.items() if value in text)
    if leaked:
        raise AwsPlanError(f"the plan holds the value of the ephemeral variables {leaked}: not kept")
    (workdir / "plan.json").write_text(text)
    return workdir / "plan.json"


def _provider_schema(workdir: Path, env: Mapping[str, str]) -> dict[str, Any]:
    """``terraform providers schema -json`` (tens of MB: read here, not copied into the log)."""
    result = subprocess.run(
        ["terraform", "providers", "schema", "-json"],
        cwd=workdir,
        env={**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1", **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if result.returncode != 0:
        raise AwsPlanError(f"terraform providers schema exited {result.returncode}:\n{result.stderr[-2000:]}")
    schema: dict[str, Any] = json.loads(result.stdout)
    return schema


def cached_aws_plan(
    stack_dir: Path, cache_root: Path, *, fresh: bool = False, mirror: Path = DEFAULT_MIRROR
) -> Path:
    """The AWS-target plan JSON of ``stack_dir``: from the cache, or made now (one process at a time).

    Entries are ``<cache_root>/<stack>-<key>/``; older keys of the same stack are removed.
    """
    cache_root.mkdir(parents=True, exist_ok=True)
    stack = stack_dir.name
    entry = cache_root / f"{stack}-{cache_key(stack_dir, mirror)}"
    done = entry / "plan.json"
    with (cache_root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second worker waits here and reads the same plan
        if fresh or not done.exists():
            partial = entry.with_name(f"{entry.name}.partial")
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir()
            plan_aws_target(stack_dir, partial, mirror=mirror)
            shutil.rmtree(partial / "stack" / ".terraform", ignore_errors=True)  # provider links only
            shutil.rmtree(entry, ignore_errors=True)
            partial.rename(entry)
            for stale in cache_root.glob(f"{stack}-*"):  # keep this stack's current plan only
                if stale.is_dir() and stale != entry:
                    shutil.rmtree(stale, ignore_errors=True)
    return done
