"""EventBridge patterns both environments route on: AWS service events, matched the same way everywhere."""

from __future__ import annotations

from typing import Any

HIGH_SEVERITY = 7
"""GuardDuty severities from 7.0 up are HIGH (and 9.0 up CRITICAL)."""


def noncompliance_pattern(rule_names: list[str]) -> dict[str, Any]:
    """EventBridge pattern of NON_COMPLIANT results of the given Config rules."""
    return {
        "source": ["aws.config"],
        "detail-type": ["Config Rules Compliance Change"],
        "detail": {
            "configRuleName": rule_names,
            "newEvaluationResult": {"complianceType": ["NON_COMPLIANT"]},
        },
    }


def high_severity_pattern() -> dict[str, Any]:
    """GuardDuty findings of HIGH severity or above."""
    return {
        "source": ["aws.guardduty"],
        "detail-type": ["GuardDuty Finding"],
        "detail": {"severity": [{"numeric": [">=", HIGH_SEVERITY]}]},
    }
