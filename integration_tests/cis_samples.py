"""Sample CloudTrail records for the CIS metric filters, and the check that filters count exactly their own.

``fixtures/cloudtrail_samples.json`` holds CloudTrail records as the trail delivers them to its log
group, each with the filters that must count it (``matches``) and the filters it is a near miss of
(``near_miss_of``). The expectations are written there, never computed from the code under test. The
same check runs on the synthesized patterns (unit tests) and on the deployed ones (live test), with
whichever judge the target has: CloudWatch's own ``TestMetricFilter`` on AWS, the documented semantics
of ``harness/metric_filter_evaluation.py`` elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.metric_filter_evaluation import matches

SAMPLES_FILE = Path(__file__).resolve().parent / "fixtures" / "cloudtrail_samples.json"

Judge = Callable[[str, Sequence[str]], set[str]]
"""(filter pattern, log event messages) -> the messages the pattern matches."""


@dataclass(frozen=True)
class CloudTrailSample:
    """One CloudTrail record and what the CIS filters must make of it.

    Attributes:
        name: Short name, unique in the file.
        event: The record.
        expected: The filters that must count it; every other filter must not.
        near_miss_of: Filters it resembles and must not be counted by.
        note: Why it is there.
    """

    name: str
    event: Mapping[str, Any]
    expected: frozenset[str]
    near_miss_of: frozenset[str]
    note: str

    @property
    def message(self) -> str:
        """The log event message the trail writes for it (one line of JSON)."""
        return json.dumps(self.event, separators=(",", ":"))


def load_samples(path: Path = SAMPLES_FILE) -> tuple[CloudTrailSample, ...]:
    """Every sample of the fixture file."""
    document = json.loads(path.read_text())
    return tuple(
        CloudTrailSample(
            name=item["name"],
            event=item["event"],
            expected=frozenset(item["matches"]),
            near_miss_of=frozenset(item["near_miss_of"]),
            note=item["note"],
        )
        for item in document["samples"]
    )


def filters_named(samples: Sequence[CloudTrailSample]) -> set[str]:
    """Every filter the samples name, as expected or as near missed."""
    return set().union(*(sample.expected | sample.near_miss_of for sample in samples))


def evaluator_judge(pattern: str, messages: Sequence[str]) -> set[str]:
    """The messages ``pattern`` matches by the documented semantics (harness/metric_filter_evaluation.py)."""
    return {message for message in messages if matches(pattern, json.loads(message))}


def misjudged(
    patterns: Mapping[str, str], samples: Sequence[CloudTrailSample], judge: Judge = evaluator_judge
) -> list[str]:
    """One line per sample the filters ``patterns`` (by name) count other than expected; empty if none.

    Each pattern is judged once over all the samples' messages.
    """
    messages = [sample.message for sample in samples]
    counted_by: dict[str, set[str]] = {sample.name: set() for sample in samples}
    for name, pattern in patterns.items():
        hits = judge(pattern, messages)
        for sample in samples:
            if sample.message in hits:
                counted_by[sample.name].add(name)
    problems: list[str] = []
    for sample in samples:
        got = counted_by[sample.name]
        if got != sample.expected:
            missed = sorted(sample.expected - got)
            extra = sorted(got - sample.expected)
            problems.append(
                f"{sample.name} ({sample.note}): not counted by {missed}, wrongly counted by {extra}"
            )
    return problems
