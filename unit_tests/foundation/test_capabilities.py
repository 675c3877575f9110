"""The emulator capability list: every entry is used, says what was measured, and has a proof standing in.

An entry makes synthesis leave a resource out of emulator deployments, or a live check skip, or the
harness work around the emulator. So each must be needed (some synthesis switch, harness switch or
live check consults it), explained (its reason says what the emulator was seen to do), and covered:
some test that does run proves, on another footing, what the emulator cannot show live.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from pci_infra.app.settings import Target
from pci_infra.foundation.capabilities import EMULATOR_GAPS, hosts
from pci_infra.foundation.service_routing import MOTO_ALONE, PAIR
from unit_tests.conftest import Synthesized

REPO = Path(__file__).resolve().parents[2]


def proof(path: str, test: str) -> str:
    """The node id of ``test`` in ``path`` (relative to the repository)."""
    return f"{path}::{test}"


CONSULTING_CODE = ("pci_infra", "harness", "integration_tests", "conftest.py")
"""Where the list is consulted: synthesis switches, harness switches, live checks and their skips."""

FIREWALL_SYNTH = proof(
    "unit_tests/pci/test_firewall.py",
    "test_firewall_allows_only_tls_to_the_aws_endpoints_in_strict_order",
)
AWS_PLAN = proof(
    "unit_tests/harness/test_aws_plan_gate.py",
    "test_the_aws_plans_hold_the_firewall_rotation_https_listener_and_zone_vpc",
)
CHECKOV_ON_AWS_PLAN = proof(
    "unit_tests/harness/test_aws_plan_gate.py",
    "test_the_aws_plan_passes_the_checkov_gate",
)
OBSERVABILITY_SYNTH = proof(
    "unit_tests/payment/test_observability.py",
    "test_traces_are_fully_sampled_and_encrypted_and_queries_saved_on_aws",
)
ORPHAN_SWEEP = proof(
    "unit_tests/harness/test_orphan_sweep.py",
    "test_emulator_gaps_are_cleared_then_trails_and_snapshots_swept_as_on_aws",
)
DNS_SYNTH = proof(
    "unit_tests/payment/test_dns.py",
    "test_api_name_fails_over_from_the_alb_to_the_standby",
)
ROTATION_CODE = proof(
    "integration_tests/test_pci_data_processing_journeys.py",
    "test_the_database_password_is_rotated_in_four_steps_and_only_the_new_one_logs_in",
)

STAND_INS: dict[str, tuple[str, ...]] = {
    "aws_networkfirewall_rule_group": (FIREWALL_SYNTH, AWS_PLAN, CHECKOV_ON_AWS_PLAN),
    "aws_networkfirewall_firewall_policy": (FIREWALL_SYNTH, AWS_PLAN, CHECKOV_ON_AWS_PLAN),
    "aws_networkfirewall_firewall": (
        proof(
            "unit_tests/harness/test_reachability.py",
            "test_every_path_leaving_the_workload_tier_crosses_its_own_zones_firewall_both_ways",
        ),
        proof(
            "unit_tests/harness/test_aws_plan_gate.py",
            "test_the_gate_fails_an_aws_plan_whose_firewall_has_no_customer_managed_key",
        ),
        AWS_PLAN,
    ),
    "aws_networkfirewall_logging_configuration": (FIREWALL_SYNTH, CHECKOV_ON_AWS_PLAN),
    "aws_xray_sampling_rule": (OBSERVABILITY_SYNTH,),
    "aws_xray_encryption_config": (OBSERVABILITY_SYNTH, CHECKOV_ON_AWS_PLAN),
    "aws_guardduty_publishing_destination": (
        proof(
            "unit_tests/payment/test_threat_detection.py",
            "test_created_detector_publishes_every_six_hours_to_the_findings_bucket",
        ),
        CHECKOV_ON_AWS_PLAN,
    ),
    "aws_cloudwatch_query_definition": (OBSERVABILITY_SYNTH,),
    "aws_sqs_queue_redrive_allow_policy": (
        proof(
            "unit_tests/foundation/test_capabilities.py",
            "test_redrive_allow_policy_admits_only_the_work_queue",
        ),
    ),
    "aws_secretsmanager_secret_rotation": (
        proof(
            "unit_tests/pci/test_credential_rotation.py",
            "test_database_secret_is_looked_up_and_rotated_every_30_days",
        ),
        ROTATION_CODE,
        "lambda/secret-rotation/test/rotation.test.mjs",
    ),
    "behaviour:cancel_rotate_secret": (
        proof(
            "unit_tests/harness/test_teardown_guarantee.py",
            "test_what_the_emulator_cannot_destroy_is_forgotten_before_destroy",
        ),
        proof(
            "integration_tests/test_pci_data_processing_live.py",
            "test_teardown_destroys_everything_and_the_sweep_finds_no_orphans",
        ),
    ),
    "behaviour:route53_get_dnssec": (
        proof(
            "unit_tests/harness/test_teardown_guarantee.py",
            "test_what_the_emulator_cannot_destroy_is_forgotten_before_destroy",
        ),
        proof(
            "integration_tests/test_payment_platform_live.py",
            "test_teardown_destroys_everything_and_the_sweep_finds_no_orphans",
        ),
    ),
    "behaviour:lambda_invoke": (
        proof(
            "integration_tests/test_payment_platform_live.py",
            "test_a_vpc_found_without_flow_logs_gets_one_from_the_remediation_function",
        ),
        ROTATION_CODE,
        "lambda/payment-api/test/api.test.mjs",
    ),
    "behaviour:s3_policy_conditions": (
        proof(
            "unit_tests/pci/test_card_bucket_guards.py",
            "test_only_an_sse_kms_upload_with_our_key_over_tls_is_admitted",
        ),
        proof(
            "unit_tests/harness/test_policy_evaluation.py",
            "test_the_emulators_own_evaluator_refuses_a_compliant_upload_which_this_one_admits",
        ),
        proof(
            "integration_tests/test_pci_data_processing_live.py",
            "test_deployed_card_bucket_policies_admit_only_uploads_with_the_deployed_data_key",
        ),
    ),
    "behaviour:rds_automated_snapshot_kept": (ORPHAN_SWEEP,),
    "behaviour:test_event_pattern": (
        proof(
            "unit_tests/payment/test_event_bus.py",
            "test_failures_and_db_failovers_go_to_the_alert_topic",
        ),
        proof(
            "integration_tests/test_payment_platform_live.py",
            "test_payment_failed_event_routes_to_the_alert_topic_with_retries_and_dlq",
        ),
    ),
    "behaviour:firehose_processing": (
        proof(
            "unit_tests/payment/test_transaction_stream.py",
            "test_stream_lands_gzip_encrypted_and_transformed_with_no_raw_backup",
        ),
        "lambda/firehose-transformer/test/transformer.test.mjs",
    ),
    "behaviour:route53_private_zone": (DNS_SYNTH, AWS_PLAN),
    "behaviour:route53_health_check_readback": (DNS_SYNTH,),
    "behaviour:lambda_dead_letter_config": (
        proof(
            "unit_tests/payment/test_functions.py",
            "test_every_function_runs_node22_capped_traced_with_an_encrypted_dlq",
        ),
    ),
    "behaviour:flow_logs_s3_prefix": (
        proof(
            "unit_tests/pci/test_buckets.py",
            "test_every_bucket_but_the_log_bucket_logs_access_into_it",
        ),
    ),
    "behaviour:cloudtrail_delete_by_arn": (ORPHAN_SWEEP,),
    "behaviour:logs_filter_pattern_evaluation": (
        proof(
            "unit_tests/pci/test_cis_metric_filters.py",
            "test_each_cis_filter_counts_exactly_the_sample_records_meant_for_it",
        ),
        proof(
            "unit_tests/harness/test_metric_filter_evaluation.py",
            "test_the_emulators_own_filter_counts_every_event_for_a_json_pattern",
        ),
    ),
    "behaviour:cloudtrail_insight_selectors": (
        proof(
            "unit_tests/pci/test_security_monitoring.py",
            "test_trail_feeds_cis_metric_filters_and_alarms_to_the_security_topic",
        ),
        proof(
            "unit_tests/harness/test_emulator_pair.py",
            "test_the_pair_applies_trails_without_insight_selectors_only_while_the_gap_is_recorded",
        ),
    ),
    "behaviour:database_network": (
        "lambda/payment-processor/test/processor.test.mjs",
        proof(
            "integration_tests/test_payment_platform_live.py",
            "test_proxy_requires_tls_and_iam_auth",
        ),
    ),
    "behaviour:iam_flow_log_resources": (
        proof(
            "unit_tests/payment/test_compliance.py",
            "test_non_compliance_invokes_the_remediation_function",
        ),
    ),
    "behaviour:flow_log_readback": ("lambda/config-remediation/test/remediator.test.mjs",),
    "behaviour:s3_kms_key_condition": (
        proof(
            "integration_tests/test_pci_data_processing_live.py",
            "test_deployed_card_bucket_policies_admit_only_uploads_with_the_deployed_data_key",
        ),
        proof(
            "unit_tests/pci/test_card_bucket_guards.py",
            "test_only_an_sse_kms_upload_with_our_key_over_tls_is_admitted",
        ),
    ),
    "behaviour:secure_transport": (
        proof(
            "unit_tests/pci/test_card_bucket_guards.py",
            "test_only_an_sse_kms_upload_with_our_key_over_tls_is_admitted",
        ),
        CHECKOV_ON_AWS_PLAN,
    ),
    "behaviour:service_events": (
        proof(
            "unit_tests/pci/test_security_events.py",
            "test_critical_security_events_reach_the_security_topic",
        ),
    ),
    "behaviour:firehose_gzip": (
        proof(
            "unit_tests/payment/test_transaction_stream.py",
            "test_stream_lands_gzip_encrypted_and_transformed_with_no_raw_backup",
        ),
    ),
    "behaviour:vpc_interface_endpoint_network": (
        proof(
            "unit_tests/harness/test_reachability.py",
            "test_every_path_leaving_the_workload_tier_crosses_its_own_zones_firewall_both_ways",
        ),
        proof(
            "unit_tests/harness/test_reachability.py",
            "test_the_allow_list_admits_every_interface_endpoints_private_dns_names",
        ),
    ),
    "behaviour:security_group_rule_descriptions": (
        proof(
            "unit_tests/policies/test_guardrail_walks.py",
            "test_every_security_group_rule_is_described_and_no_ingress_is_open",
        ),
        CHECKOV_ON_AWS_PLAN,
    ),
    "behaviour:security_group_default_egress": (
        proof(
            "unit_tests/pci/test_tokenization.py",
            "test_tokenizer_group_admits_nothing_and_goes_out_on_https_only",
        ),
    ),
    "behaviour:launch_template_volume_key": (
        proof(
            "unit_tests/payment/test_batch.py",
            "test_batch_template_sets_imdsv2_instance_role_detailed_monitoring_and_cmk_volumes",
        ),
        CHECKOV_ON_AWS_PLAN,
    ),
    "behaviour:cloudtrail_describe_filter": (
        proof(
            "integration_tests/test_parallel_environments.py",
            "test_same_stack_twice_at_once_without_collision",
        ),
    ),
}
"""For each entry, what proves on another footing what the emulator cannot show live: a synthesis
test of the AWS target, the AWS-target plan and its checkov gate, the path analysis, the policy
evaluation, the function code run with Node.js (a ``lambda/`` test file), or the harness test of the
workaround. Node ids are ``<file>::<test function>``."""


# --- reading the repository's code --------------------------------------------------------------


def _python_files(*roots: str) -> Iterator[Path]:
    for root in roots:
        path = REPO / root
        if path.is_file():
            yield path
        else:
            yield from (p for p in path.rglob("*.py") if "node_modules" not in p.parts)


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


CONSULTS = frozenset({"hosts", "gap_for", "gap", "emulator_gap"})
"""Calls that consult the list: ``hosts(...)``/``ctx.hosts(...)``, ``gap_for(...)``, a target's
``target.gap(...)``, the marker."""


def keys_consulted(source: str) -> set[str]:
    """The strings a module holds in code (not in docstrings, not bare strings) if it consults the list.

    A module that never calls ``hosts``/``gap_for`` nor uses the ``emulator_gap`` marker consults
    nothing, whatever strings it holds.
    """
    tree = ast.parse(source)
    if not any(isinstance(n, ast.Call) and _callee(n) in CONSULTS for n in ast.walk(tree)):
        return set()
    prose = {
        id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
    }
    return {
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in prose
    }


def keys_asked_for(source: str) -> set[str]:
    """The keys a module passes to ``hosts``/``gap_for``/``emulator_gap``, literally or as a constant."""
    tree = ast.parse(source)
    constants = {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    asked: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _callee(node) in CONSULTS and node.args:
            # hosts(target, type, emulators) names the type second; ctx.hosts(type), gap_for and the
            # marker first
            arg = node.args[1] if _callee(node) == "hosts" and len(node.args) >= 2 else node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                asked.add(arg.value)
            elif isinstance(arg, ast.Name) and arg.id in constants:
                asked.add(constants[arg.id])
    return asked


def _test_function(node_id: str) -> ast.FunctionDef | None:
    path, _, name = node_id.partition("::")
    file = REPO / path
    if not (file.is_file() and file.name.startswith("test_") and name.startswith("test_")):
        return None
    for node in ast.walk(ast.parse(file.read_text())):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    return None


def _gap_markers(function: ast.FunctionDef) -> set[str]:
    return {
        str(d.args[0].value)
        for d in function.decorator_list
        if isinstance(d, ast.Call)
        and _callee(d) == "emulator_gap"
        and d.args
        and isinstance(d.args[0], ast.Constant)
    }


# --- the list ----------------------------------------------------------------------------------


OBSERVED = re.compile(
    r"\b(returns?|answers?|reads?|refused|ignores?|waits?|not implemented|cannot|outlives?|writes?|blocks?|"
    r"accepted)\b|HTTP \d{3}"
)
"""Words that say what the emulator was seen to do."""
VAGUE = re.compile(
    r"\b(TODO|TBD|FIXME|unknown|unsupported|not supported|does ?n[o']t work|broken|flaky)\b", re.I
)


def reason_of_substance(reason: str) -> bool:
    """A reason says what the emulator was seen to do (an answer, a status, a refusal) in 4+ words."""
    return len(reason.split()) >= 4 and bool(OBSERVED.search(reason)) and not VAGUE.search(reason)


@pytest.mark.parametrize(
    ("reason", "substantial"),
    [
        ("CreateRuleGroup is not implemented (HTTP 500)", True),
        ("DescribeTrails ignores trailNameList, so the read fails", True),
        ("TODO: find out why it fails", False),
        ("not supported by the emulator", False),
        ("does not work on the emulator", False),
        ("fails", False),
        ("HTTP 500", False),
    ],
)
def test_the_substance_rule_refuses_vague_reasons(reason: str, substantial: bool) -> None:
    assert reason_of_substance(reason) is substantial


def test_every_entry_says_what_the_emulator_was_seen_to_do() -> None:
    vague = {key: gap.reason for key, gap in EMULATOR_GAPS.items() if not reason_of_substance(gap.reason)}
    assert vague == {}
    assert all(
        gap.resource_type == key and gap.reason in gap.describe() for key, gap in EMULATOR_GAPS.items()
    )


def test_every_entry_names_a_proof_that_stands_in_for_it() -> None:
    assert sorted(set(EMULATOR_GAPS) - set(STAND_INS)) == [], "a new entry needs the test standing in for it"
    assert sorted(set(STAND_INS) - set(EMULATOR_GAPS)) == [], "a removed entry leaves its row here"
    assert all(STAND_INS.values())


@pytest.mark.parametrize(
    "node_id",
    sorted({proof for proofs in STAND_INS.values() for proof in proofs}),
    ids=lambda node_id: node_id.rsplit("::", 1)[-1].rsplit("/", 1)[-1],
)
def test_each_named_proof_exists_and_is_not_skipped_by_the_gap_it_stands_in_for(node_id: str) -> None:
    if "::" not in node_id:  # a Node.js test file of a function's code
        assert (REPO / node_id).is_file() and node_id.startswith("lambda/") and node_id.endswith(".test.mjs")
        return
    function = _test_function(node_id)
    assert function is not None, f"{node_id}: no such test"
    covered = {key for key, proofs in STAND_INS.items() if node_id in proofs}
    assert not _gap_markers(function) & covered, f"{node_id} is skipped by the very gap it stands in for"


def test_no_entry_is_stale() -> None:
    consulted = set().union(
        *(
            keys_consulted(path.read_text())
            for path in _python_files(*CONSULTING_CODE)
            if path.name != "capabilities.py"
        )
    )
    assert sorted(set(EMULATOR_GAPS) - consulted) == [], (
        "no synthesis switch, harness switch or live check asks"
    )


def test_every_key_the_code_asks_for_is_in_the_list() -> None:
    asked = {
        f"{path.relative_to(REPO)}: {key}"
        for path in _python_files(*CONSULTING_CODE)
        for key in keys_asked_for(path.read_text())
    }
    # A key asked for but not listed answers "hosted" and "no gap" in silence (a typo, or a switch
    # left behind when its entry went): every one must be listed.
    assert sorted(item for item in asked if item.split(": ", 1)[1] not in EMULATOR_GAPS) == []
    markers = {item for item in asked if item.startswith("integration_tests/")}
    assert markers, "the live checks' emulator_gap markers are found"


@pytest.mark.parametrize(
    ("source", "consulted"),
    [
        (
            '"""Mentions ``behaviour:x`` in prose only."""\nfrom c import gap_for\ngap_for("other")\n',
            {"other"},
        ),
        ('X = "behaviour:x"\n"""X: a constant nobody passes to the list."""\n', set()),
        ('FIREWALL = ("aws_a", "aws_b")\nok = all(ctx.hosts(t) for t in FIREWALL)\n', {"aws_a", "aws_b"}),
        ('@pytest.mark.emulator_gap("behaviour:y")\ndef test_it() -> None: ...\n', {"behaviour:y"}),
    ],
)
def test_the_usage_reader_counts_code_and_never_prose(source: str, consulted: set[str]) -> None:
    assert keys_consulted(source) == consulted


def test_the_key_reader_resolves_literals_and_module_constants() -> None:
    source = (
        'GAP = "behaviour:z"\nfrom c import gap_for, hosts\ngap_for(GAP)\nhosts(target, "aws_w", emulators)\n'
    )
    assert keys_asked_for(source) == {"behaviour:z", "aws_w"}


@pytest.mark.pci_dss("7")
def test_gapped_resources_are_left_out_of_the_emulator_synth_only(synthesized: Synthesized) -> None:
    aws_types = synthesized.aws.resource_types()
    emulator_types = synthesized.emulator.resource_types()
    assert "aws_sqs_queue_redrive_allow_policy" in aws_types
    # The emulator synth also adopts an existing detector and recorder (see conftest), which removes
    # the account-singleton types for a reason that is not a gap.
    adopted = {
        "aws_guardduty_detector",
        "aws_config_configuration_recorder",
        "aws_config_configuration_recorder_status",
        "aws_config_delivery_channel",
    }
    # the unit synthesis is for the default emulators, the pair: a gap is left out where it holds there
    held = {t for t, gap in EMULATOR_GAPS.items() if gap.holds(PAIR)}
    assert aws_types - emulator_types - adopted == aws_types & held
    assert {"aws_xray_sampling_rule", "aws_guardduty_publishing_destination"} <= aws_types - emulator_types
    assert not emulator_types & held


@pytest.mark.parametrize(
    ("resource_type", "on_the_pair", "on_moto_alone"),
    [
        ("aws_sqs_queue_redrive_allow_policy", True, False),  # SQS is MiniStack's on the pair
        ("aws_networkfirewall_firewall", False, False),  # neither emulator has the API
        ("behaviour:route53_private_zone", True, False),  # Route 53 is MiniStack's on the pair
    ],
)
def test_what_emulator_synthesis_leaves_out_follows_the_routing(
    resource_type: str, on_the_pair: bool, on_moto_alone: bool
) -> None:
    assert hosts(Target.EMULATOR, resource_type, PAIR) is on_the_pair
    assert hosts(Target.EMULATOR, resource_type, MOTO_ALONE) is on_moto_alone
    assert hosts(Target.AWS, resource_type, MOTO_ALONE) is True


@pytest.mark.pci_dss("7")
def test_redrive_allow_policy_admits_only_the_work_queue(synthesized: Synthesized) -> None:
    stack = synthesized.aws
    queue_id, _ = stack.at("aws_sqs_queue", "payments-queue/queue")
    dlq_id, _ = stack.at("aws_sqs_queue", "payments-queue/dlq")
    _, allow = stack.at("aws_sqs_queue_redrive_allow_policy", "payments-queue/dlq-redrive-allow")
    assert allow["queue_url"] == stack.ref("aws_sqs_queue", dlq_id, "url")
    assert json.loads(allow["redrive_allow_policy"]) == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": [stack.ref("aws_sqs_queue", queue_id, "arn")],
    }


def test_moto_alone_synthesis_leaves_out_what_only_the_pair_hosts(synthesized: Synthesized) -> None:
    held = {t for t, gap in EMULATOR_GAPS.items() if gap.holds(MOTO_ALONE)}
    pair = synthesized.emulator.resource_types() | synthesized.emulator_pci.resource_types()
    moto = synthesized.moto_alone.resource_types() | synthesized.moto_alone_pci.resource_types()
    assert not moto & held
    # what MiniStack hosts and moto cannot, measured: the redrive allow policy, the rotation schedules
    assert pair - moto == {"aws_sqs_queue_redrive_allow_policy", "aws_secretsmanager_secret_rotation"}
    # and flow logs under their S3 prefix (moto refuses a prefixed destination)
    prefixes = {
        name: stack.module_at("network/vpc/module")[1]["flow_logs"]["s3_key_prefix"]
        for name, stack in (("pair", synthesized.emulator_pci), ("moto", synthesized.moto_alone_pci))
    }
    assert prefixes == {"pair": "vpc-flow-logs/", "moto": ""}
