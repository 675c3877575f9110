"""The idempotency gate's emulator drift allowance: type, attribute paths and action, and stale entries.

Plan fragments are written by hand in the shape of ``terraform show -json`` ``resource_changes``.
"""

from __future__ import annotations

from typing import Any

from harness.terraform import changed_paths
from integration_tests.idempotency import DriftVerdict, covers, judge_drift
from pci_infra.app.stack_kind import StackKind
from pci_infra.foundation.capabilities import EMULATOR_DRIFTS, EMULATOR_GAPS, Drift, drifts_for
from pci_infra.foundation.service_routing import SERVICE_ROUTES, Emulator

PAYMENT = (StackKind.PAYMENT_PLATFORM,)

LAMBDA_DRIFT = Drift(
    "aws_lambda_function",
    ("dead_letter_config", "logging_config"),
    PAYMENT,
    "accepted but read back empty",
    service="lambda",
)
QUEUE_DRIFT = Drift(
    "aws_sqs_queue", ("redrive_policy",), PAYMENT, "JSON reads back with other whitespace", service="sqs"
)


def resource_change(
    address: str,
    actions: list[str],
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    after_unknown: dict[str, Any] | None = None,
    replace_paths: list[list[str | int]] | None = None,
) -> dict[str, Any]:
    change: dict[str, Any] = {
        "actions": actions,
        "before": before,
        "after": after,
        "after_unknown": after_unknown or {},
    }
    if replace_paths is not None:
        change["replace_paths"] = replace_paths
    return {"address": address, "mode": "managed", "change": change}


FUNCTION_BEFORE: dict[str, Any] = {
    "function_name": "payment-api",
    "timeout": 10,
    "dead_letter_config": [],
    "logging_config": [],
    "tags": {"Owner": "platform-engineering"},
}
FUNCTION_AFTER_DRIFT: dict[str, Any] = {
    **FUNCTION_BEFORE,
    "dead_letter_config": [{"target_arn": "arn:aws:sqs:us-east-1:123456789012:payment-api-dlq"}],
    "logging_config": [{"log_format": "JSON", "log_group": "/aws/lambda/payment-api"}],
}
QUEUE_CHANGE = resource_change(
    "aws_sqs_queue.payments",
    ["update"],
    {"name": "payments", "redrive_policy": '{"maxReceiveCount": 3}'},
    {"name": "payments", "redrive_policy": '{"maxReceiveCount":3}'},
)


def test_an_update_touching_only_listed_attributes_is_tolerated_and_named() -> None:
    change = resource_change("aws_lambda_function.api", ["update"], FUNCTION_BEFORE, FUNCTION_AFTER_DRIFT)
    verdict = judge_drift([change, QUEUE_CHANGE], [LAMBDA_DRIFT, QUEUE_DRIFT])
    assert verdict == DriftVerdict(
        tolerated=[
            "aws_lambda_function.api (update): dead_letter_config, logging_config: "
            "accepted but read back empty",
            "aws_sqs_queue.payments (update): redrive_policy: JSON reads back with other whitespace",
        ]
    )
    assert verdict.problems == []


def test_an_update_touching_one_more_attribute_fails_naming_it() -> None:
    change = resource_change(
        "aws_lambda_function.api",
        ["update"],
        FUNCTION_BEFORE,
        {**FUNCTION_AFTER_DRIFT, "timeout": 30},
    )
    verdict = judge_drift([change, QUEUE_CHANGE], [LAMBDA_DRIFT, QUEUE_DRIFT])
    assert verdict.unexplained == [
        "aws_lambda_function.api (update): timeout not tolerated by "
        "aws_lambda_function [dead_letter_config, logging_config]"
    ]
    assert verdict.stale == [
        "STALE emulator drift entry (explains nothing): "
        "aws_lambda_function [dead_letter_config, logging_config]"
    ]
    assert verdict.tolerated == [
        "aws_sqs_queue.payments (update): redrive_policy: JSON reads back with other whitespace"
    ]


def test_a_nested_change_beside_a_listed_block_is_named_with_its_path() -> None:
    drift = Drift(
        "aws_rds_cluster", ("scaling_configuration[0]",), PAYMENT, "empty v1 block read back", service="rds"
    )
    change = resource_change(
        "module.database.aws_rds_cluster.this",
        ["update"],
        {
            "scaling_configuration": [{"min_capacity": None}],
            "serverlessv2_scaling_configuration": [{"max_capacity": 4, "min_capacity": 0.5}],
        },
        {
            "scaling_configuration": [{"min_capacity": 1}],
            "serverlessv2_scaling_configuration": [{"max_capacity": 8, "min_capacity": 0.5}],
        },
    )
    verdict = judge_drift([change], [drift])
    assert verdict.unexplained == [
        "module.database.aws_rds_cluster.this (update): serverlessv2_scaling_configuration[0].max_capacity "
        "not tolerated by aws_rds_cluster [scaling_configuration[0]]"
    ]


def test_a_replace_of_a_tolerated_type_fails() -> None:
    change = resource_change(
        "aws_lambda_function.api",
        ["delete", "create"],
        FUNCTION_BEFORE,
        FUNCTION_AFTER_DRIFT,
        replace_paths=[["logging_config", 0, "log_group"]],
    )
    verdict = judge_drift([change], [LAMBDA_DRIFT])
    assert verdict.tolerated == []
    assert verdict.unexplained == [
        "aws_lambda_function.api (delete/create): a replace (forced by logging_config[0].log_group); "
        "aws_lambda_function [dead_letter_config, logging_config] tolerates update only"
    ]


def test_a_create_before_destroy_replace_fails_too() -> None:
    change = resource_change(
        "aws_lambda_function.api", ["create", "delete"], FUNCTION_BEFORE, FUNCTION_AFTER_DRIFT
    )
    assert judge_drift([change], [LAMBDA_DRIFT]).unexplained == [
        "aws_lambda_function.api (create/delete): a replace; "
        "aws_lambda_function [dead_letter_config, logging_config] tolerates update only"
    ]


def test_a_delete_and_a_create_of_a_tolerated_type_fail() -> None:
    delete = resource_change("aws_lambda_function.api", ["delete"], FUNCTION_BEFORE, None)
    create = resource_change("aws_lambda_function.worker", ["create"], None, FUNCTION_AFTER_DRIFT)
    verdict = judge_drift([delete, create], [LAMBDA_DRIFT])
    assert verdict.unexplained == [
        "aws_lambda_function.api (delete): a delete; "
        "aws_lambda_function [dead_letter_config, logging_config] tolerates update only",
        "aws_lambda_function.worker (create): a create; "
        "aws_lambda_function [dead_letter_config, logging_config] tolerates update only",
    ]


def test_an_entry_that_matched_nothing_is_reported_stale() -> None:
    verdict = judge_drift([QUEUE_CHANGE], [LAMBDA_DRIFT, QUEUE_DRIFT])
    assert verdict.stale == [
        "STALE emulator drift entry (explains nothing): "
        "aws_lambda_function [dead_letter_config, logging_config]"
    ]
    assert verdict.problems == verdict.stale
    assert judge_drift([], [QUEUE_DRIFT]).problems == [
        "STALE emulator drift entry (explains nothing): aws_sqs_queue [redrive_policy]"
    ]


def test_a_path_of_an_entry_that_explains_nothing_is_reported_stale() -> None:
    change = resource_change(
        "aws_lambda_function.api",
        ["update"],
        FUNCTION_BEFORE,
        {**FUNCTION_BEFORE, "dead_letter_config": [{"target_arn": "arn:aws:sqs:us-east-1:1:dlq"}]},
    )
    verdict = judge_drift([change], [LAMBDA_DRIFT])
    assert verdict.tolerated == [
        "aws_lambda_function.api (update): dead_letter_config: accepted but read back empty"
    ]
    assert verdict.stale == [
        "STALE path of emulator drift entry aws_lambda_function [dead_letter_config, logging_config] "
        "(explains nothing): logging_config"
    ]


def test_an_attribute_unknown_after_apply_counts_as_a_difference() -> None:
    drift = Drift(
        "aws_launch_template", ("tag_specifications[2]",), PAYMENT, "own tags read back", service="ec2"
    )
    specs = [{"resource_type": "instance"}, {"resource_type": "volume"}]
    change = resource_change(
        "aws_launch_template.batch",
        ["update"],
        {"latest_version": 1, "tag_specifications": [*specs, {"resource_type": "launch-template"}]},
        {"latest_version": None, "tag_specifications": specs},
        after_unknown={"latest_version": True, "tag_specifications": [{}, {}]},
    )
    assert changed_paths(change["change"]) == ["latest_version", "tag_specifications[2]"]
    assert judge_drift([change], [drift]).unexplained == [
        "aws_launch_template.batch (update): latest_version not tolerated by "
        "aws_launch_template [tag_specifications[2]]"
    ]


def test_an_unknown_value_equal_to_nothing_still_differs() -> None:
    # before and after both show null, but after_unknown says the value comes at apply: a difference
    change = resource_change(
        "aws_sqs_queue.payments",
        ["update"],
        {"name": "payments", "redrive_policy": None},
        {"name": "payments", "redrive_policy": None},
        after_unknown={"redrive_policy": True},
    )
    assert changed_paths(change["change"]) == ["redrive_policy"]


def test_a_type_without_an_entry_and_an_update_without_a_difference_fail() -> None:
    record = resource_change(
        "aws_route53_record.api",
        ["update"],
        {"health_check_id": "cc26", "ttl": 60},
        {"health_check_id": None, "ttl": 60},
        after_unknown={"health_check_id": True},
    )
    empty = resource_change("aws_sqs_queue.payments", ["update"], {"name": "payments"}, {"name": "payments"})
    verdict = judge_drift([record, empty], [QUEUE_DRIFT])
    assert verdict.unexplained == [
        "aws_route53_record.api (update): changes health_check_id; "
        "no emulator drift is listed for aws_route53_record",
        "aws_sqs_queue.payments (update): no attribute differs between before and after",
    ]


def test_a_replace_of_a_type_without_an_entry_names_what_forces_it() -> None:
    check = resource_change(
        "aws_route53_health_check.primary",
        ["delete", "create"],
        {"id": "cc26", "port": 80, "request_interval": 30},
        {"id": None, "port": None, "request_interval": None},
        after_unknown={"id": True},
        replace_paths=[["request_interval"]],
    )
    assert judge_drift([check], [QUEUE_DRIFT]).unexplained == [
        "aws_route53_health_check.primary (delete/create): a replace (forced by request_interval); "
        "no emulator drift is listed for aws_route53_health_check"
    ]


def test_without_entries_every_change_is_unexplained() -> None:
    # what the check does against AWS: no drift entry applies
    verdict = judge_drift([QUEUE_CHANGE], [])
    assert verdict.unexplained == [
        "aws_sqs_queue.payments (update): changes redrive_policy; "
        "no emulator drift is listed for aws_sqs_queue"
    ]


def test_changed_paths_name_the_deepest_place_the_sides_part() -> None:
    change = {
        "before": {
            "enabled": False,
            "predictive_scaling_configuration": [{"mode": ""}],
            "tags": {"Owner": "a", "team:cost": "x"},
            "unchanged": [{"a": 1}],
        },
        "after": {
            "enabled": True,
            "predictive_scaling_configuration": [],
            "tags": {"Owner": "a", "team:cost": "y"},
            "unchanged": [{"a": 1}],
        },
        "after_unknown": {},
    }
    assert changed_paths(change) == ["enabled", "predictive_scaling_configuration[0]", 'tags["team:cost"]']


def test_a_path_covers_itself_and_what_lies_below_it_only() -> None:
    assert covers("logging_config", "logging_config")
    assert covers("logging_config", "logging_config[0].log_format")
    assert covers("scaling_configuration[0]", "scaling_configuration[0].min_capacity")
    assert not covers("logging_config", "logging_config_extra")
    assert not covers("scaling_configuration[0]", "scaling_configuration")
    assert not covers("scaling_configuration[0]", "scaling_configuration[1]")


def test_the_capability_list_tolerates_updates_of_named_attributes_only() -> None:
    seen: set[tuple[str, str, str]] = set()
    for drift in EMULATOR_DRIFTS:
        # a replace only for MiniStack's read-back, which no construct can fix
        assert drift.action == "update" or drift.on == (Emulator.MINISTACK,), drift
        assert drift.paths and all(path.strip() for path in drift.paths), drift
        assert len(set(drift.paths)) == len(drift.paths), drift
        assert drift.stacks and set(drift.stacks) <= set(StackKind), drift
        assert len(drift.reason) >= 30, drift
        assert drift.resource_type.startswith("aws_") and drift.resource_type not in EMULATOR_GAPS, drift
        assert drift.service in SERVICE_ROUTES and drift.on, drift
        for stack in drift.stacks:
            for emulator in drift.on:
                assert (drift.resource_type, stack, emulator) not in seen, (
                    f"two entries for {drift.resource_type} in {stack} on {emulator}"
                )
                seen.add((drift.resource_type, stack, emulator))


def test_the_measured_function_drift_is_tolerated_in_both_stacks() -> None:
    # the shape of the second plan measured on the emulator for every function of both stacks
    change = resource_change(
        "aws_lambda_function.processing_tokenizer_function_BB67FEB7",
        ["update"],
        {**FUNCTION_BEFORE, "logging_config": []},
        {
            **FUNCTION_BEFORE,
            "dead_letter_config": [
                {"target_arn": "arn:aws:sqs:us-east-1:123456789012:dev-pci-processor-dlq"}
            ],
            "logging_config": [
                {
                    "application_log_level": None,
                    "log_format": "JSON",
                    "log_group": "/aws/lambda/dev-pci-processor",
                    "system_log_level": None,
                }
            ],
        },
    )
    for stack in StackKind:  # moto alone: the pair hosts functions on MiniStack, with its own entries
        verdict = judge_drift([change], drifts_for(stack, "moto"))
        assert [line.split(": ")[1] for line in verdict.tolerated] == ["dead_letter_config, logging_config"]
        assert verdict.unexplained == []
    assert [d.resource_type for d in drifts_for(StackKind.PCI_DATA_PROCESSING, "moto")] == [
        "aws_lambda_function"
    ]


FLOW_LOG_REPLACE = Drift(
    "aws_flow_log",
    ("max_aggregation_interval",),
    PAYMENT,
    "reads back another interval, which forces a new flow log",
    service="ec2",
    on=(Emulator.MINISTACK,),
    action="replace",
)


def _replace(forced_by: list[str]) -> dict[str, Any]:
    change = resource_change(
        "module.vpc.aws_flow_log.s3[0]",
        ["delete", "create"],
        {"max_aggregation_interval": 600, "log_format": "a"},
        {"max_aggregation_interval": 60, "log_format": "b" if "log_format" in forced_by else "a"},
        after_unknown={"arn": True, "id": True},  # a replacement's computed attributes are all new
    )
    change["change"]["replace_paths"] = [[path] for path in forced_by]
    return change


def test_a_replace_entry_tolerates_a_replace_forced_by_its_attributes_only() -> None:
    assert judge_drift([_replace(["max_aggregation_interval"])], [FLOW_LOG_REPLACE]).problems == []
    forced_elsewhere = judge_drift([_replace(["max_aggregation_interval", "log_format"])], [FLOW_LOG_REPLACE])
    assert forced_elsewhere.unexplained == [
        "module.vpc.aws_flow_log.s3[0] (delete/create): replace forced by log_format, "
        "not by aws_flow_log [max_aggregation_interval]"
    ]
    update = resource_change(
        "module.vpc.aws_flow_log.s3[0]",
        ["update"],
        {"max_aggregation_interval": 600},
        {"max_aggregation_interval": 60},
    )
    assert judge_drift([update], [FLOW_LOG_REPLACE]).unexplained == [
        "module.vpc.aws_flow_log.s3[0] (update): a update; aws_flow_log [max_aggregation_interval] tolerates "
        "replace only"
    ]
