"""A small, strict evaluator of resource-policy statements, for the conditions our bucket guards use.

moto applies a Deny for ``Principal *`` whatever its condition (capability list:
``behaviour:s3_policy_conditions``) and MiniStack never sets the KMS key id condition key
(``behaviour:s3_kms_key_condition``), so which requests a card-data bucket really refuses is decided
here, from the policy document, with the semantics AWS documents for the IAM policy language
(IAM User Guide, "Policy evaluation logic" and "IAM JSON policy elements: Condition operators"):

* a statement applies when its ``Action``, ``Resource`` and ``Principal`` match the request and
  every condition in its ``Condition`` block holds (operators, and keys under one operator, AND);
* an explicit Deny of any applying statement wins over every Allow;
* a positive operator (``Bool``) holds when the request's value matches any of the policy's
  values; a negated one (``StringNotEquals``) only when it matches none of them;
* a key the request does not carry makes a positive operator false and a negated one true;
  ``...IfExists`` makes the condition true when the key is absent, else it is the plain operator;
* actions match case-insensitively, resources case-sensitively, both with ``*`` and ``?``
  wildcards; ``StringNotEquals`` compares case-sensitively, ``Bool`` compares ``true``/``false``
  whatever their case.

Only the operators the card-data bucket policies use are implemented (``Bool``, ``BoolIfExists``,
``StringNotEquals``, and ``StringNotEqualsIfExists`` with it); anything else (another operator, a set
qualifier such as ``ForAnyValue:``, ``NotAction``, ``NotResource``, ``NotPrincipal``, a principal
other than ``*`` or an exact ARN) raises :class:`UnsupportedPolicyError`, so a policy is never judged by
a rule this module does not have.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


class UnsupportedPolicyError(ValueError):
    """The document uses an element or operator this evaluator does not implement."""


@dataclass(frozen=True)
class Request:
    """One request as the policy sees it.

    Attributes:
        action: e.g. ``s3:PutObject``.
        resource: ARN of the object or bucket.
        principal: ARN of the caller.
        context: The condition keys the request carries, each with its one value (a key that is
            not in the mapping is absent from the request context).
    """

    action: str
    resource: str
    principal: str = "arn:aws:iam::111122223333:role/caller"
    context: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """Which statements of the document apply to a request.

    Attributes:
        denied_by: Sids of the Deny statements that apply, in document order.
        allowed_by: Sids of the Allow statements that apply, in document order.
    """

    denied_by: tuple[str, ...]
    allowed_by: tuple[str, ...]

    @property
    def explicitly_denied(self) -> bool:
        """True when a Deny applies: nothing else can then allow the request."""
        return bool(self.denied_by)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _wildcard(pattern: str, *, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{body}$", re.IGNORECASE if ignore_case else 0)


def _matches_any(patterns: Any, value: str, *, ignore_case: bool) -> bool:
    return any(_wildcard(str(p), ignore_case=ignore_case).match(value) for p in _as_list(patterns))


def _principal_matches(principal: Any, caller: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict) or set(principal) != {"AWS"}:
        raise UnsupportedPolicyError(f"principal {principal!r}: only '*' and {{'AWS': ...}} are implemented")
    for entry in _as_list(principal["AWS"]):
        if entry == "*":
            return True
        if not str(entry).startswith("arn:") or str(entry).endswith(":root"):
            raise UnsupportedPolicyError(
                f"principal {entry!r}: only '*' and exact role or user ARNs are implemented"
            )
        if entry == caller:
            return True
    return False


def _bool_holds(values: list[Any], actual: str) -> bool:
    for value in values:
        text = str(value).lower()
        if text not in ("true", "false"):
            raise UnsupportedPolicyError(f"Bool value {value!r}: only true and false")
    return actual.lower() in {str(v).lower() for v in values}


def _string_not_equals(values: list[Any], actual: str) -> bool:
    return actual not in [str(v) for v in values]


_BASE_OPERATORS: dict[str, tuple[bool, Callable[[list[Any], str], bool]]] = {
    "Bool": (False, _bool_holds),
    "StringNotEquals": (True, _string_not_equals),
}
"""Operator: (whether it is negated, the test of the request's value against the policy's values)."""


def condition_holds(operator: str, key: str, values: Any, context: Mapping[str, str]) -> bool:
    """Whether ``operator`` on ``key`` with the policy's ``values`` holds for a request's ``context``.

    Raises:
        UnsupportedPolicyError: An operator or qualifier this module does not implement.
    """
    if ":" in operator:
        raise UnsupportedPolicyError(f"{operator}: set qualifiers are not implemented")
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    if base not in _BASE_OPERATORS:
        raise UnsupportedPolicyError(f"condition operator {operator}: not implemented")
    negated, test = _BASE_OPERATORS[base]
    if key not in context:
        return True if if_exists else negated
    return test(_as_list(values), context[key])


def statement_applies(statement: Mapping[str, Any], request: Request) -> bool:
    """Whether one statement's action, resource, principal and every condition match ``request``."""
    unsupported = {"NotAction", "NotResource", "NotPrincipal"} & set(statement)
    if unsupported:
        raise UnsupportedPolicyError(f"statement {statement.get('Sid')!r} uses {sorted(unsupported)}")
    if not _matches_any(statement["Action"], request.action, ignore_case=True):
        return False
    if not _matches_any(statement["Resource"], request.resource, ignore_case=False):
        return False
    if "Principal" in statement and not _principal_matches(statement["Principal"], request.principal):
        return False
    for operator, keys in statement.get("Condition", {}).items():
        for key, values in keys.items():
            if not condition_holds(operator, key, values, request.context):
                return False
    return True


def evaluate(document: str | Mapping[str, Any], request: Request) -> Decision:
    """The statements of ``document`` (a JSON text or its parsed form) that apply to ``request``."""
    policy = json.loads(document) if isinstance(document, str) else document
    denied: list[str] = []
    allowed: list[str] = []
    for index, statement in enumerate(_as_list(policy["Statement"])):
        if statement_applies(statement, request):
            sid = str(statement.get("Sid", f"#{index}"))
            (denied if statement["Effect"] == "Deny" else allowed).append(sid)
    return Decision(tuple(denied), tuple(allowed))
