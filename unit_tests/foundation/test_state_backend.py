"""Long-lived environments can keep state in S3 with native locking instead of local files."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.run import HarnessRun
from pci_infra.app.settings_sources import parse_settings
from pci_infra.app.stack_kind import StackKind
from pci_infra.app.synthesis import synthesize
from unit_tests.conftest import BINDINGS_GROUP, CERT_ARN, Synthesized, base_argv
from unit_tests.synth_json import StackJson

# Imports the provider bindings (~11 s, ~0.5 GB per process): one worker takes all such files.
pytestmark = pytest.mark.xdist_group(BINDINGS_GROUP)


@pytest.mark.pci_dss("3")
def test_s3_backend_uses_native_lockfile_and_encryption(tmp_path: Path, synthesized: object) -> None:
    # `synthesized` first: the provider bindings are imported once per session by that fixture.
    settings = parse_settings(
        [
            "--environment-suffix",
            "prod",
            "--target",
            "aws",
            "--alert-email",
            "oncall@example.org",
            "--api-certificate-arn",
            CERT_ARN,
            "--standby-endpoint",
            "api.dr.example.org",
            "--guardduty-detector",
            "create",
            "--config-recorder",
            "create",
            "--backend",
            "s3",
            "--state-bucket",
            "acme-terraform-state",
        ],
        environ={},
    )
    doc = StackJson.load(synthesize(settings, tmp_path), StackKind.PAYMENT_PLATFORM).doc
    s3 = doc["terraform"]["backend"]["s3"]
    assert s3["bucket"] == "acme-terraform-state"
    assert s3["key"] == "pci-payment-infra/prod/payment-platform.tfstate"
    assert s3["use_lockfile"] is True
    assert s3["encrypt"] is True
    assert "dynamodb_table" not in s3
    assert "local" not in doc["terraform"]["backend"]


def test_the_harness_knows_where_each_stack_keeps_local_state(
    tmp_path: Path, synthesized: Synthesized
) -> None:
    run = HarnessRun(parse_settings(base_argv("aws"), environ={}), tmp_path, synthesized.aws_outdir)
    for kind in StackKind:
        backend = StackJson.load(run.outdir, kind).doc["terraform"]["backend"]["local"]
        assert Path(backend["path"]) == run.state_file(kind)
