"""Stage switches, run ids and the Terraform runner's retry and error reporting."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from harness.run_id import new_run_id
from harness.stages import skip_requested, timed
from harness.terraform import Terraform, TerraformError, error_lines, is_retryable


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, False),
        ({"SKIP_teardown": "1"}, True),
        ({"SKIP_TEARDOWN": "true"}, True),
        ({"SKIP_teardown": "0"}, False),
        ({"SKIP_deploy": "1"}, False),
    ],
)
def test_skip_switches_follow_terratest_convention(environ: dict[str, str], expected: bool) -> None:
    assert skip_requested("teardown", environ) is expected


def test_unknown_stage_is_refused() -> None:
    with pytest.raises(ValueError, match="stage: one of"):
        skip_requested("cleanup", {})


def test_timed_stage_reports_duration_and_failure() -> None:
    lines: list[str] = []
    with timed("deploy", lines.append):
        pass
    with pytest.raises(RuntimeError), timed("validate", lines.append):
        raise RuntimeError("boom")
    assert lines[0] == "deploy ..."
    assert lines[1].startswith("deploy done in ")
    assert lines[3].startswith("validate FAILED after ") and "RuntimeError" in lines[3]


def test_run_ids_are_six_lowercase_characters_and_unique() -> None:
    ids = {new_run_id() for _ in range(500)}
    assert len(ids) == 500
    assert all(len(i) == 6 and i.isalnum() and i.islower() and i[0].isalpha() for i in ids)


def test_retryable_patterns_match_throttling_but_not_real_errors() -> None:
    assert is_retryable("Error: creating SQS Queue: RequestLimitExceeded: slow down")
    assert is_retryable("dial tcp 127.0.0.1:4566: connect: connection refused")
    assert is_retryable("Error: InvalidParameterValue: bad cidr") is None


def test_server_faults_are_retried_but_client_errors_are_not() -> None:
    fault = (
        "operation error EC2: DescribeSecurityGroupRules, https response error StatusCode: 500, "
        "RequestID: 1, api error InternalError"
    )
    assert is_retryable(fault)
    assert is_retryable("https response error StatusCode: 503, RequestID: 2, ServiceUnavailable")
    assert (
        is_retryable("https response error StatusCode: 400, RequestID: 3, api error InvalidParameter") is None
    )
    assert is_retryable("https response error StatusCode: 5000") is None


def fake_terraform(tmp_path: Path, script: str) -> dict[str, str]:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    exe = bindir / "terraform"
    exe.write_text("#!/usr/bin/env bash\n" + script)
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return {"PATH": f"{bindir}:{os.environ['PATH']}"}


def test_runner_retries_a_transient_failure_then_succeeds(tmp_path: Path) -> None:
    env = fake_terraform(
        tmp_path,
        f"n=$(cat {tmp_path}/count 2>/dev/null || echo 0); echo $((n+1)) > {tmp_path}/count\n"
        'if [ "$n" = 0 ]; then echo "Error: Throttling: Rate exceeded"; exit 1; fi\necho applied\n',
    )
    tf = Terraform(workdir=tmp_path, log_path=tmp_path / "tf.log", env=env)
    result = tf.run("apply")
    assert result.stdout.strip() == "applied"
    assert (tmp_path / "count").read_text().strip() == "2"
    log = (tmp_path / "tf.log").read_text()
    assert "retrying after a transient error matching /Throttling(Exception)?/" in log


def test_runner_does_not_retry_a_real_error_and_reports_it(tmp_path: Path) -> None:
    env = fake_terraform(
        tmp_path,
        f"echo x >> {tmp_path}/calls\n"
        'echo "Error: creating KMS Key: MalformedPolicyDocumentException"; exit 1\n',
    )
    tf = Terraform(workdir=tmp_path, log_path=tmp_path / "tf.log", env=env)
    with pytest.raises(TerraformError, match=r"terraform apply exited 1; full log: .*tf\.log") as err:
        tf.run("apply")
    assert "MalformedPolicyDocumentException" in err.value.errors
    assert (tmp_path / "calls").read_text().count("x") == 1


@pytest.mark.pci_dss("7")
def test_error_lines_keep_error_blocks_only() -> None:
    output = "Refreshing...\nPlan: 3 to add\nError: creating S3 Bucket\n  BucketAlreadyExists\nmore\n"
    assert error_lines(output).startswith("Error: creating S3 Bucket\n  BucketAlreadyExists")


def test_error_lines_keep_the_detail_below_the_source_excerpt() -> None:
    output = (
        "module.db.aws_security_group.proxy[0]: Creation complete\n"
        "Error: creating VPC Security Group Rule\n"
        "\n"
        "  with module.db.aws_vpc_security_group_egress_rule.proxy_to_cluster[0],\n"
        '  on aurora/security_groups.tf line 52, in resource "x" "y":\n'
        '  52: resource "aws_vpc_security_group_egress_rule" "proxy_to_cluster" {\n'
        "\n"
        "operation error EC2: AuthorizeSecurityGroupEgress, api error InvalidPermission.Duplicate\n"
        "Warning: Argument is deprecated\n"
        "  unrelated warning text\n"
    )
    errors = error_lines(output)
    assert "InvalidPermission.Duplicate" in errors
    assert "Creation complete" not in errors and "unrelated warning" not in errors


@pytest.mark.pci_dss("7")
def test_throwaway_environments_get_fresh_values_for_ephemeral_secrets_only(tmp_path: Path) -> None:
    from harness.environment import throwaway_secrets

    variables = {
        "payment_api_key": {"type": "string", "sensitive": True, "ephemeral": True},
        "plain": {"type": "string"},
        "sensitive_with_default": {"type": "string", "sensitive": True, "ephemeral": True, "default": "x"},
    }
    (tmp_path / "cdk.tf.json").write_text(json.dumps({"variable": variables}))
    first, second = throwaway_secrets(tmp_path), throwaway_secrets(tmp_path)
    assert set(first) == {"payment_api_key"}
    assert len(first["payment_api_key"]) >= 40 and first != second


def test_terraform_runner_repr_hides_its_environment(tmp_path: Path) -> None:
    runner = Terraform(
        workdir=tmp_path, log_path=tmp_path / "log", env={"TF_VAR_payment_api_key": "s3cr3t-value"}
    )
    assert "s3cr3t-value" not in repr(runner)
