"""Apply and destroy say how far they are, from Terraform's own lines, instead of minutes of silence."""

from __future__ import annotations

import pytest

from harness.apply_progress import ApplyProgress, planned_count

CREATED = "aws_sqs_queue.q: Creation complete after 25s [id=https://sqs/q]\n"
DESTROYED = "aws_sqs_queue.q: Destruction complete after 1s\n"
STILL = "aws_s3_bucket_lifecycle_configuration.l: Still creating... [50s elapsed]\n"


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_created_resources_are_counted_and_said_at_most_every_ten_seconds() -> None:
    said: list[str] = []
    clock = Clock()
    progress = ApplyProgress(said.append, planned=238, clock=clock)
    for second in range(30):
        clock.now = 100.0 + second
        progress(CREATED)
        progress(STILL)  # not a finished resource
    assert progress.done == 30
    assert said == ["apply: 11/238 resources created (10 s)", "apply: 21/238 resources created (20 s)"]
    assert progress.line() == "apply: 30/238 resources created (29 s)"


def test_destroy_counts_only_destructions_and_works_without_a_plan() -> None:
    said: list[str] = []
    clock = Clock()
    progress = ApplyProgress(said.append, verb="destroyed", every=0, clock=clock)
    progress(CREATED)
    progress(DESTROYED)
    assert said == ["destroy: 1 resources destroyed (0 s)"]


def test_an_unknown_verb_is_refused() -> None:
    with pytest.raises(ValueError, match="verb: one of"):
        ApplyProgress(print, verb="updated")


def test_the_plan_count_includes_replacements_and_leaves_out_reads_and_no_ops() -> None:
    plan = {
        "resource_changes": [
            {"change": {"actions": ["create"]}},
            {"change": {"actions": ["delete", "create"]}},
            {"change": {"actions": ["no-op"]}},
            {"change": {"actions": ["read"]}},
            {"change": {"actions": ["update"]}},
        ]
    }
    assert planned_count(plan) == 2
