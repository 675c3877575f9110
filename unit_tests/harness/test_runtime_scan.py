"""The runtime compliance scan: Prowler's output read, judged against the allow-list, and the command.

The fixtures in ``runtime_scan_fixtures/`` were written by hand after a real Prowler 5.46.0 run of
``pci_4.0_aws`` against the emulator (same columns, quoting and wording): a compliance CSV with a
security group open on SSH and a bucket without encryption planted under run ``ab12cd``, the run's
own resources, the emulator's default ones and account-level verdicts; the OCSF JSON that names the
security groups; and Prowler's error log. Prowler's package is faked in a temporary directory (its
framework JSON, the code of a few checks and services), and so is the executable.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
import tomllib
from pathlib import Path

import pytest

from harness import runtime_scan
from harness.aws_target import AwsTarget
from harness.cli import main
from harness.runtime_scan import (
    ALLOW_FILE,
    FRAMEWORK,
    PROWLER_BIN_VAR,
    Allow,
    ProwlerOutput,
    ProwlerResults,
    RuntimeScanError,
    Scope,
    evaluate,
    load_allow,
    prowler_package,
    read_compliance_csv,
    read_results,
    run_prowler,
    state_identifiers,
)

FIXTURES = Path(__file__).parent / "runtime_scan_fixtures"
RUN = "ab12cd"
SSH = "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22"
PLANTED_SG = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0bb2222222222222b"
PAYMENT_SG = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0aa1111111111111a"
PLANTED_BUCKET = "arn:aws:s3:::planted-plain-ab12cd"
PCI_BUCKET = "arn:aws:s3:::dev-pci-raw-data-it-ab12cd"
PCI_TRAIL = "arn:aws:cloudtrail:us-east-1:123456789012:trail/dev-pci-trail-it-ab12cd"
PCI_KEY = "arn:aws:kms:us-east-1:123456789012:key/5f2c1d4e-7a0b-4c3d-9e8f-0a1b2c3d4e5f"
TRAIL_CHECK = "cloudtrail_cloudwatch_logging_enabled"
"""The one check of the fixtures' framework the committed allow-list has an entry about."""
REASON = "The emulator answers this call wrongly; the resource is configured as the stack says."

# (service directory, check, directory of the client it imports, client, what it reads)
CHECK_CODE = (
    ("ec2", SSH, "ec2", "ec2", "security_groups"),
    ("ec2", "ec2_instance_imdsv2_enabled", "ec2", "ec2", "instances"),
    ("ec2", "ec2_ebs_volume_encryption", "ec2", "ec2", "volumes"),
    ("ec2", "ec2_client_vpn_endpoint_connection_logging_enabled", "ec2", "ec2", "vpn_endpoints"),
    ("waf", "waf_global_webacl_with_rules", "waf", "waf", "web_acls"),
    ("cloudwatch", "cloudwatch_log_group_kms_encryption_enabled", "cloudwatch", "logs", "log_groups"),
    ("s3", "s3_bucket_default_encryption", "s3", "s3", "buckets"),
    ("cloudtrail", "cloudtrail_cloudwatch_logging_enabled", "cloudtrail", "cloudtrail", "trails"),
    ("kms", "kms_cmk_rotation_enabled", "kms", "kms", "keys"),
    ("vpc", "vpc_flow_logs_enabled", "vpc", "vpc", "vpcs"),
    ("guardduty", "guardduty_is_enabled", "guardduty", "guardduty", "detectors"),
    ("account", "account_security_contact_information_is_registered", "account", "account", "contacts"),
)

# A service method logging its error on line 16, as the fixture log's ec2_service.py:16 and waf_service.py:16.
SERVICE_CODE = """from prowler.lib.logger import logger
from prowler.providers.aws.lib.service.service import AWSService


class {cls}(AWSService):
    def __init__(self, provider):
        super().__init__(__class__.__name__, provider)
        self.{attribute} = {{}}
        self.__threading_call__(self.{method})

    def {method}(self, regional_client):
        try:
            for item in regional_client.{call}()["Items"]:
                self.{attribute}[item["Id"]] = item
        except Exception as error:
            logger.error(
                f"{{regional_client.region}} -- {{error.__class__.__name__}}: {{error}}"
            )
"""

FAKE_PROWLER = """#!{python}
import json, os, shutil, sys
args = sys.argv[1:]
out = args[args.index("--output-directory") + 1]
with open(os.path.join(os.path.dirname(out), "prowler-call.json"), "w") as handle:
    json.dump({{"args": args, "env": dict(os.environ)}}, handle)
fixtures = {fixtures!r}
shutil.copytree(os.path.join(fixtures, "compliance"), os.path.join(out, "compliance"))
shutil.copy(os.path.join(fixtures, "prowler.ocsf.json"), os.path.join(out, "prowler.ocsf.json"))
shutil.copy(os.path.join(fixtures, "prowler.log"), args[args.index("--log-file") + 1])
print("Executing 12 checks, please wait...")
sys.exit({exit_code})
"""


def fake_prowler(root: Path, exit_code: int = 0) -> Path:
    """A virtual environment holding a fake ``prowler``: its package (framework, checks) and executable."""
    venv = root / "venv-prowler"
    package = venv / "lib" / "python3.11" / "site-packages" / "prowler"
    (package / "compliance" / "aws").mkdir(parents=True)
    shutil.copy(FIXTURES / f"{FRAMEWORK}.json", package / "compliance" / "aws" / f"{FRAMEWORK}.json")
    services = package / "providers" / "aws" / "services"
    for directory, check, client_dir, client, reads in CHECK_CODE:
        (services / directory / check).mkdir(parents=True)
        (services / directory / check / f"{check}.py").write_text(
            "from prowler.lib.check.models import Check, Check_Report_AWS\n"
            f"from prowler.providers.aws.services.{client_dir}.{client}_client import {client}_client\n\n\n"
            f"class {check}(Check):\n    def execute(self):\n"
            f"        return [Check_Report_AWS(self.metadata(), r) for r in {client}_client.{reads}]\n"
        )
    for directory, cls, attribute, method, call in (
        ("ec2", "EC2", "vpn_endpoints", "_describe_vpn_endpoints", "describe_client_vpn_endpoints"),
        ("waf", "WAF", "web_acls", "_list_web_acls", "list_web_acls"),
    ):
        source = SERVICE_CODE.format(cls=cls, attribute=attribute, method=method, call=call)
        assert source.splitlines()[15].strip() == "logger.error("
        (services / directory / f"{directory}_service.py").write_text(source)
    executable = venv / "bin" / "prowler"
    executable.parent.mkdir()
    executable.write_text(
        FAKE_PROWLER.format(python=sys.executable, fixtures=str(FIXTURES), exit_code=exit_code)
    )
    executable.chmod(executable.stat().st_mode | stat.S_IXUSR)
    return executable


def fixture_results(tmp_path: Path, *, aliases: bool = True) -> ProwlerResults:
    """The fixtures as one Prowler run read them, with the fake package's framework and check code."""
    package = prowler_package(fake_prowler(tmp_path))
    assert package is not None
    output = ProwlerOutput(
        directory=FIXTURES,
        compliance_csv=FIXTURES / "compliance" / f"prowler_{FRAMEWORK}.csv",
        ocsf_json=FIXTURES / ("prowler.ocsf.json" if aliases else "absent.json"),
        log=FIXTURES / "prowler.log",
        package=package,
        seconds=112.0,
    )
    return read_results(output)


def allow_file(tmp_path: Path, *entries: dict[str, object]) -> Path:
    lines = []
    for entry in entries:
        lines.append("[[allow]]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in entry.items()]
        lines.append("")
    path = tmp_path / "allow.toml"
    path.write_text("\n".join(lines))
    return path


def committed_allow(tmp_path: Path, *checks: str) -> Path:
    """The committed allow-list's entries about ``checks`` only, as a file of its own.

    The fixtures' framework maps 12 checks and holds one run of one emulator: the committed entries
    about other checks (or about resources the fixtures do not hold) would be refused or stale here.
    """
    entries = [e for e in tomllib.loads(ALLOW_FILE.read_text())["allow"] if e["check"] in checks]
    assert entries, f"the committed allow-list has no entry about {checks}"
    return allow_file(tmp_path, *entries)


def by_resource(findings: list[runtime_scan.Finding]) -> set[tuple[str, str]]:
    return {(f.check, f.resource) for f in findings}


# --- reading Prowler's output ------------------------------------------------------------------


def test_the_compliance_csv_gives_one_finding_per_check_and_resource_with_its_requirements() -> None:
    findings, manual, checks = read_compliance_csv(FIXTURES / "compliance" / f"prowler_{FRAMEWORK}.csv")
    (ssh,) = [f for f in findings if f.resource == PLANTED_SG]
    assert (ssh.check, ssh.status, ssh.name) == (SSH, "FAIL", "sg-0bb2222222222222b")
    assert ssh.requirements == ("1.2.8.17", "1.3.1.19", "A1.1.3.17")
    assert ssh.sections == ("1.2.8", "1.3.1", "A1.1.3") and ssh.principals == ("1", "A1")
    assert "has SSH port 22 open to the Internet" in ssh.detail
    (bucket,) = [f for f in findings if f.resource == PLANTED_BUCKET]  # its description spans two lines
    assert bucket.sections == ("3.5.1", "8.3.2") and bucket.principals == ("3", "8")
    (trail,) = [f for f in findings if f.resource == PCI_TRAIL]
    assert trail.principals == ("10", "A1") and trail.sections == ("10.2.1", "10.4.1.1", "A1.2.1")
    assert len(findings) == 9
    # MANUAL rows: requirements no check covers, and a check that leaves its verdict to a person
    assert manual == {"1": frozenset({"1.2.8.1", "1.2.8.25"}), "A1": frozenset({"A1.2.3.1"})}
    assert "account_security_contact_information_is_registered" in checks and "manual" not in checks


def test_a_planted_failure_on_the_run_fails_the_verdict_under_its_requirements(tmp_path: Path) -> None:
    results = fixture_results(tmp_path)
    allow = load_allow(committed_allow(tmp_path, TRAIL_CHECK), results.framework_checks)
    result = evaluate(results, Scope(RUN), allow, target="emulator")
    # the security group is known as the run's by its name in the OCSF output only (its uid is an id)
    assert by_resource(result.failed) == {(SSH, PLANTED_SG), ("s3_bucket_default_encryption", PLANTED_BUCKET)}
    assert not result.ok and result.stale == []
    requirements = {r.number: r for r in result.requirements}
    assert [str(f.check) for f in requirements["1"].failed] == [SSH]
    assert [f.resource for f in requirements["3"].failed] == [PLANTED_BUCKET]
    assert [f.resource for f in requirements["3"].passed] == [PCI_BUCKET]
    assert requirements["1"].manual == 2 and requirements["A1"].manual == 1
    # the committed allow-list explains the emulator's wrong verdict on the PCI trail
    ((waived, entry),) = result.waived
    assert waived.resource == PCI_TRAIL and entry.check == "cloudtrail_cloudwatch_logging_enabled"
    assert [f.resource for f, _ in requirements["10"].waived] == [PCI_TRAIL]
    # the emulator's default VPC and security group, the account's GuardDuty and a key no name ties to
    # the run are counted, not judged
    assert result.outside == {"FAIL": 2, "PASS": 2}
    problems = "\n".join(result.problems())
    assert f"FAILED {SSH} {PLANTED_SG}" in problems and "PCI DSS 1.2.8, 1.3.1, A1.1.3" in problems
    assert "PCI DSS 3.5.1, 8.3.2" in problems
    assert result.summary() == (
        f"prowler {FRAMEWORK} run {RUN}: 5 findings on 5 resources: 2 passed, 2 failed, 1 waived by "
        ".ci/prowler/allow.toml, 0 stale; 3 of 12 checks could not run on the emulator"
    )
    record = result.to_json()
    assert record["failed"][0].startswith(SSH) and record["requirements"][0]["number"] == "1"
    assert record["prowler_version"] == "5.46.0" and record["seconds"] == 112.0
    requirement_3 = next(r for r in record["requirements"] if r["number"] == "3")
    assert requirement_3["failed"] == [str(f) for f in requirements["3"].failed]
    assert requirement_3["sections_failed"] == ["3.5.1", "8.3.2"]


def test_without_the_ocsf_names_a_resource_known_by_an_id_only_is_not_the_runs(tmp_path: Path) -> None:
    results = fixture_results(tmp_path, aliases=False)
    result = evaluate(results, Scope(RUN), [], target="emulator")
    assert (SSH, PLANTED_SG) not in by_resource(result.failed)
    assert (SSH, PAYMENT_SG) not in by_resource(result.passed)


def test_a_stale_entry_is_reported_and_fails_the_verdict(tmp_path: Path) -> None:
    results = fixture_results(tmp_path)
    path = allow_file(
        tmp_path,
        {"check": SSH, "resource": "*/sg-0bb2222222222222b", "reason": REASON},
        {"check": "s3_bucket_default_encryption", "resource": "planted-plain-*", "reason": REASON},
        {"check": "cloudtrail_cloudwatch_logging_enabled", "resource": "*-pci-trail-*", "reason": REASON},
        {"check": "kms_cmk_rotation_enabled", "resource": "*:key/*", "reason": REASON},  # matches no failure
    )
    result = evaluate(results, Scope(RUN), load_allow(path, results.framework_checks), target="emulator")
    assert result.failed == [] and len(result.waived) == 3
    (stale,) = result.stale
    assert stale.check == "kms_cmk_rotation_enabled" and not result.ok
    problems = "\n".join(result.problems())
    assert "STALE allow-list entry (explains nothing): kms_cmk_rotation_enabled *:key/* (FAIL)" in problems
    assert result.to_json()["stale"] == ["kms_cmk_rotation_enabled *:key/* (FAIL)"]


def test_explained_failures_pass_and_a_pass_the_emulator_gets_wrong_is_not_evidence(tmp_path: Path) -> None:
    results = fixture_results(tmp_path)
    entries = [
        Allow(SSH, ("*sg-0bb2222222222222b",), REASON),
        Allow("s3_bucket_default_encryption", ("planted-plain-ab12cd",), REASON),
        Allow("cloudtrail_cloudwatch_logging_enabled", ("*:trail/*-pci-trail-*",), REASON),
        Allow("s3_bucket_default_encryption", (PCI_BUCKET,), REASON, verdict="PASS"),
    ]
    result = evaluate(results, Scope(RUN), entries, target="emulator")
    assert result.ok and result.failed == [] and result.stale == []
    ((discounted, _),) = result.discounted
    assert discounted.resource == PCI_BUCKET
    requirement_3 = next(r for r in result.requirements if r.number == "3")
    assert requirement_3.passed == [] and len(requirement_3.discounted) == 1
    assert requirement_3.line() == (
        "requirement 3: 0 passed, 0 failed, 1 waived, 1 passes not counted, 0 for manual review"
    )


def test_an_entry_holds_only_for_its_target_and_its_stack(tmp_path: Path) -> None:
    results = fixture_results(tmp_path)
    entries = [
        Allow(SSH, ("*",), REASON, target="aws"),
        Allow("s3_bucket_default_encryption", ("*",), REASON, stack="payment-platform"),
    ]
    on_emulator = evaluate(results, Scope(RUN), entries, target="emulator")
    assert (SSH, PLANTED_SG) in by_resource(on_emulator.failed)  # an AWS-only entry does not hold here
    # the whole run's scan: every stack's entries apply; one that does not hold here is not stale here
    assert [f.resource for f, _ in on_emulator.waived] == [PLANTED_BUCKET] and on_emulator.stale == []
    pci = evaluate(results, Scope(RUN, stack="pci-data-processing"), entries, target="emulator")
    assert ("s3_bucket_default_encryption", PLANTED_BUCKET) in by_resource(pci.failed)
    assert pci.stale == []  # neither entry applies to this stack's scan on the emulator


def state(*resources: tuple[str, dict[str, object]]) -> dict[str, object]:
    """A ``terraform show -json`` state with ``resources`` (mode, values) in a child module."""
    return {
        "values": {
            "root_module": {
                "resources": [{"mode": mode, "values": values} for mode, values in resources[:1]],
                "child_modules": [
                    {"resources": [{"mode": mode, "values": values} for mode, values in resources[1:]]}
                ],
            }
        }
    }


def test_a_stack_scan_judges_its_state_and_leaves_the_other_stacks_resources(tmp_path: Path) -> None:
    pci_state = state(
        ("managed", {"arn": PCI_TRAIL, "id": PCI_TRAIL, "name": "dev-pci-trail-it-ab12cd"}),
        ("managed", {"arn": PCI_BUCKET, "id": "dev-pci-raw-data-it-ab12cd"}),
        ("managed", {"arn": PCI_KEY, "id": "5f2c1d4e-7a0b-4c3d-9e8f-0a1b2c3d4e5f"}),
        ("data", {"id": "123456789012", "arn": "arn:aws:iam::123456789012:root"}),
        ("managed", {"id": "default", "name": "default"}),  # too generic to attribute anything
    )
    payment_state = state(("managed", {"arn": PAYMENT_SG, "id": "sg-0aa1111111111111a", "name": "pay-sg"}))
    pci_ids, payment_ids = state_identifiers(pci_state), state_identifiers(payment_state)
    assert PCI_KEY in pci_ids and "default" not in pci_ids and "arn:aws:iam::123456789012:root" not in pci_ids
    assert payment_ids == {PAYMENT_SG, "sg-0aa1111111111111a"}
    results = fixture_results(tmp_path)
    pci = evaluate(results, Scope(RUN, "pci-data-processing", pci_ids, payment_ids), [], target="emulator")
    judged = by_resource([*pci.passed, *pci.failed])
    assert ("kms_cmk_rotation_enabled", PCI_KEY) in judged  # no name carries the run id: its state does
    assert (SSH, PAYMENT_SG) not in judged  # the payment platform's, judged by its own scan
    assert {(SSH, PLANTED_SG), ("s3_bucket_default_encryption", PLANTED_BUCKET)} <= judged  # in no state
    payment = evaluate(results, Scope(RUN, "payment-platform", payment_ids, pci_ids), [], target="emulator")
    judged = by_resource([*payment.passed, *payment.failed])
    assert (SSH, PAYMENT_SG) in judged and ("kms_cmk_rotation_enabled", PCI_KEY) not in judged
    assert ("cloudtrail_cloudwatch_logging_enabled", PCI_TRAIL) not in judged
    assert payment.to_json()["scan"] == payment.to_json()["stack"] == "payment-platform"


def test_the_allow_list_refuses_entries_an_auditor_could_not_check(tmp_path: Path) -> None:
    path = allow_file(
        tmp_path,
        {"check": SSH, "resource": "*", "reason": "emulator"},
        {"check": "CKV_AWS_18", "resource": "*", "reason": REASON},
        {"check": "iam_user_mfa_enabled_console_access", "resource": "*", "reason": REASON},
        {"check": SSH, "resource": "*", "reason": REASON, "verdict": "MANUAL"},
        {"check": SSH, "resource": "*", "reason": REASON, "target": "localstack"},
        {"check": SSH, "resource": "*", "reason": REASON, "stack": "payments"},
        {"check": SSH, "reason": REASON, "waiver": True},
    )
    checks = fixture_results(tmp_path).framework_checks
    with pytest.raises(RuntimeScanError) as raised:
        load_allow(path, checks)
    message = str(raised.value)
    for expected in (
        "entry 1: reason must explain the entry (at least 40 chars)",
        "entry 2: check 'CKV_AWS_18' is not a Prowler check id",
        "entry 3: check 'iam_user_mfa_enabled_console_access' is not one of the checks pci_4.0_aws maps",
        "entry 4: verdict 'MANUAL' is none of ('FAIL', 'PASS')",
        "entry 5: target 'localstack' is none of",
        "entry 6: stack 'payments' is none of ['payment-platform', 'pci-data-processing']",
        "entry 7: unknown keys ['waiver']; missing ['resource']",
    ):
        assert expected in message
    assert load_allow(allow_file(tmp_path, {"check": SSH, "resource": ["a*", "b*"], "reason": REASON}))[
        0
    ].resources == ("a*", "b*")


def test_checks_without_a_result_are_named_with_why(tmp_path: Path) -> None:
    results = fixture_results(tmp_path)
    result = evaluate(results, Scope(RUN), [], target="emulator")
    assert {n.check: n.reason for n in result.not_run} == {
        "ec2_client_vpn_endpoint_connection_logging_enabled": (
            "its API failed on the target (ec2: ResponseParserError in _describe_vpn_endpoints)"
        ),
        "ec2_instance_imdsv2_enabled": (
            "the check failed: ec2_instance_imdsv2_enabled -- KeyError[24]: 'MetadataOptions'"
        ),
        "waf_global_webacl_with_rules": "its API failed on the target (waf: ListWebACLs (500))",
    }
    # an ec2 check whose data the failing call does not hold ran and found nothing to assess
    assert result.nothing_to_assess == [
        "cloudwatch_log_group_kms_encryption_enabled",
        "ec2_ebs_volume_encryption",
    ]
    assert result.api_errors == [
        "account: GetContactInformation (404)",
        "ec2: ResponseParserError in _describe_vpn_endpoints",
        "s3: EndpointConnectionError",
        "waf: ListWebACLs (500)",
    ]
    assert result.checks_expected == 12
    assert "could not run: waf_global_webacl_with_rules: its API failed" in "\n".join(result.report_lines())


# --- running Prowler ---------------------------------------------------------------------------


def test_prowler_runs_every_pci_check_against_the_emulator_with_its_credentials_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROWLER_BIN_VAR, str(fake_prowler(tmp_path)))
    out = tmp_path / "run" / "prowler"
    out.mkdir(parents=True)
    (out / "left-from-before.csv").write_text("old")  # Prowler appends: the directory starts empty
    environ = {"PATH": os.environ["PATH"], "AWS_PROFILE": "production", "AWS_ACCESS_KEY_ID": "AKIAREAL"}
    target = AwsTarget.emulator("eu-west-1", "http://127.0.0.1:4599")
    output = run_prowler(target, out, environ=environ)
    call = json.loads((tmp_path / "run" / "prowler-call.json").read_text())
    args, env = call["args"], call["env"]
    assert args[:5] == ["aws", "--compliance", FRAMEWORK, "--region", "eu-west-1"]
    assert {"--scan-unused-services", "--ignore-exit-code-3", "--no-banner"} <= set(args)
    assert args[args.index("--output-formats") + 1] == "json-ocsf"
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4599" and env["AWS_ACCESS_KEY_ID"] == "emulator"
    assert "AWS_PROFILE" not in env and env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert not (out / "left-from-before.csv").exists()
    assert output.compliance_csv.exists() and output.ocsf_json.exists() and output.log.exists()
    assert output.package is not None and (output.package / "compliance" / "aws").is_dir()
    assert "Executing 12 checks" in (out / "prowler.out").read_text()
    assert len(read_results(output).findings) == 9


def test_a_missing_prowler_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PROWLER_BIN_VAR, raising=False)
    monkeypatch.setattr(runtime_scan, "PROWLER_VENV", tmp_path / ".venv-prowler")
    hint = r"INFRA_RUNTIME_SCAN=1 bin/test -m nightly.*bash \.ci/prowler/install"
    with pytest.raises(RuntimeScanError, match=hint):
        run_prowler(AwsTarget.emulator("us-east-1", "http://127.0.0.1:1"), tmp_path / "out")


def test_a_failing_prowler_is_an_error_that_shows_its_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROWLER_BIN_VAR, str(fake_prowler(tmp_path, exit_code=2)))
    with pytest.raises(RuntimeScanError, match=r"prowler exited 2; see .*prowler\.out:\nExecuting 12 checks"):
        run_prowler(AwsTarget.emulator("us-east-1", "http://127.0.0.1:1"), tmp_path / "out")


# --- the command -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--run-id", "AB-12"], "--run-id must be 6 lowercase letters or digits (got 'AB-12')"),
        (["--run-id", RUN, "--target", "gcp"], "--target must be one of emulator, aws (got 'gcp')"),
        (["--run-id", RUN, "--emulator-endpoint", "ftp://x"], "--emulator-endpoint must be http(s)://"),
    ],
)
def test_the_command_refuses_bad_input_before_scanning(
    argv: list[str],
    said: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(PROWLER_BIN_VAR, str(fake_prowler(tmp_path)))
    allow = ["--allow", str(committed_allow(tmp_path, TRAIL_CHECK))]
    assert main(["runtime-scan", *argv, *allow, "--workdir", str(tmp_path)]) == 2
    assert said in capsys.readouterr().out
    assert not (tmp_path / "prowler").exists()


def test_the_command_without_prowler_names_the_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(PROWLER_BIN_VAR, str(tmp_path / "nowhere" / "prowler"))
    assert main(["runtime-scan", "--run-id", RUN]) == 2
    assert "runtime-scan: prowler not found at" in capsys.readouterr().out


def test_the_command_judges_the_run_and_fails_on_the_planted_violations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(PROWLER_BIN_VAR, str(fake_prowler(tmp_path)))
    target = AwsTarget.emulator("us-east-1", "http://127.0.0.1:4599")
    monkeypatch.setattr(runtime_scan, "open_target", lambda *args, **kwargs: target)  # no emulator here
    allow = ["--allow", str(committed_allow(tmp_path, TRAIL_CHECK))]
    assert main(["runtime-scan", "--run-id", RUN, *allow, "--workdir", str(tmp_path / "work")]) == 1
    out = capsys.readouterr().out
    assert f"FAILED {SSH} {PLANTED_SG}" in out
    assert "requirement 1: 1 passed, 1 failed, 0 waived, 2 for manual review" in out
    assert "waived cloudtrail_cloudwatch_logging_enabled" in out
    assert "could not run: ec2_instance_imdsv2_enabled: the check failed" in out
    assert "failing APIs of the target: account: GetContactInformation (404)" in out
    assert out.rstrip().endswith("3 of 12 checks could not run on the emulator")
    record = json.loads((tmp_path / "work" / "prowler" / "runtime-scan.json").read_text())
    assert record["scan"] == f"run {RUN}" and record["ok"] is False and len(record["failed"]) == 2
