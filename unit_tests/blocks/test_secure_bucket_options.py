"""SecureBucket options the stacks use only sometimes: MFA delete (root user's device) and access logging."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from unit_tests.conftest import BINDINGS_GROUP
from unit_tests.synth_json import StackJson

# Imports the provider bindings (~11 s, ~0.5 GB per process): one worker takes all such files.
pytestmark = pytest.mark.xdist_group(BINDINGS_GROUP)


DEVICE = "arn:aws:iam::111122223333:mfa/root-account-mfa-device 123456"


def synth_bucket(outdir: Path, **options: object) -> StackJson:
    from cdktf import TerraformStack

    from pci_infra.app.settings import Target
    from pci_infra.app.synthesis import new_app
    from pci_infra.blocks.secure_bucket import LifecycleRule, SecureBucket, SecureBucketProps
    from pci_infra.foundation.aws_provider import AwsProviderProps, AwsProviderWiring
    from pci_infra.foundation.stack_context import StackContext

    app = new_app(outdir)
    stack = TerraformStack(app, "bucket")
    AwsProviderWiring(
        stack, "provider", props=AwsProviderProps(region="us-east-1", default_tags={"Owner": "t"})
    )
    StackContext(stack, region="us-east-1", target=Target.AWS)
    SecureBucket(
        stack,
        "b",
        props=SecureBucketProps(
            bucket_name="options-test",
            kms_key_arn="arn:aws:kms:us-east-1:111122223333:key/k",
            lifecycle_rules=(LifecycleRule("keep", noncurrent_expiration_days=30),),
            **options,  # type: ignore[arg-type]
        ),
    )
    app.synth()
    return StackJson(json.loads((outdir / "stacks" / "bucket" / "cdk.tf.json").read_text()))


@pytest.mark.pci_dss("7", "8")
def test_mfa_delete_is_turned_on_only_with_the_root_device(synthesized: object, tmp_path: Path) -> None:
    with_device = synth_bucket(
        tmp_path / "on", mfa_delete_device=DEVICE, access_log_bucket="logs", access_log_prefix="b/"
    )
    _, versioning = with_device.at("aws_s3_bucket_versioning", "b/versioning")
    assert versioning["versioning_configuration"] == {"status": "Enabled", "mfa_delete": "Enabled"}
    assert versioning["mfa"] == DEVICE
    _, logging = with_device.at("aws_s3_bucket_logging", "b/access-logging")
    assert (logging["target_bucket"], logging["target_prefix"]) == ("logs", "b/")
    without = synth_bucket(tmp_path / "off")
    _, plain = without.at("aws_s3_bucket_versioning", "b/versioning")
    assert "mfa" not in plain and "mfa_delete" not in plain["versioning_configuration"]
    assert "aws_s3_bucket_logging" not in without.resource_types()


@pytest.mark.pci_dss("8")
@pytest.mark.parametrize("device", ["123456", "arn:aws:iam::111122223333:mfa/root 12345", "serial code"])
def test_a_malformed_mfa_device_is_refused_without_echoing_it(device: str) -> None:
    from pci_infra.app.settings import Settings, SettingsError, Target

    with pytest.raises(SettingsError, match=r"mfa_delete_device: '<MFA device ARN> <6-digit code>'") as err:
        Settings(
            environment_suffix="t",
            target=Target.EMULATOR,
            emulator_endpoint="http://x:1",
            mfa_delete_device=device,
        )
    assert device not in str(err.value)
