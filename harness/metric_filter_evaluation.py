"""A small, strict evaluator of CloudWatch Logs JSON filter patterns, for the CIS metric filters we deploy.

Neither emulator applies a JSON filter pattern (capability list:
``behaviour:logs_filter_pattern_evaluation``), so which CloudTrail events a deployed CIS metric filter
counts is decided here, from the pattern, with the semantics the CloudWatch Logs User Guide documents
("Filter pattern syntax for metric filters, subscription filters, filter log events, and Live Tail",
section "Using metric filters to match terms and extract values from JSON log events"):

* a pattern is one expression in curly braces; ``&&`` and ``||`` combine conditions, with parentheses
  and the order of operations ``()`` > ``&&`` > ``||``;
* a property selector starts with ``$.`` and names nested properties with dots
  (``$.userIdentity.type``); its names are alphanumeric with ``-`` and ``_``;
* ``=`` and ``!=`` compare the selected value with a string, in double quotes or bare; "Filter
  patterns are case sensitive"; ``*`` matches "any text at, before, or after a search term", so
  ``"AccessDenied*"`` matches ``AccessDenied`` and ``AccessDeniedException`` and
  ``"*UnauthorizedOperation"`` matches ``Client.UnauthorizedOperation``;
* "Property selectors point to value nodes in JSON log events. Value nodes can be strings or numbers
  [...] If a property selector points to an array or object, the metric filter won't match the log
  format" (an earlier edition: "both {$.users = 1} and {$.users != 1} will fail to match a log event
  where users is an array"). A selector that points to nothing is no value node either, so a missing
  property makes ``=`` *and* ``!=`` false, as CloudWatch's pattern test has been reported to answer
  for ``$.userIdentity.invokedBy != "x"`` on a record without ``invokedBy``; absence is what
  ``NOT EXISTS`` tests (the deployed patterns apply ``!=`` only to ``eventType``, which every
  CloudTrail record carries, and to ``additionalEventData.MFAUsed`` next to ``eventName =
  "ConsoleLogin"``, which every console sign-in record carries);
* ``$.selector NOT EXISTS`` holds when the log event does not contain the property (a property whose
  value is ``null`` exists).

Only what the deployed CIS patterns use is implemented: the above, with a wildcard at the start
and/or the end of a value. Anything else raises :class:`UnsupportedPatternError`, so a pattern is never
judged by a rule this module does not have: a pattern that is not JSON (terms, space-delimited
``[...]``, ``%regex%``), array selectors (``$.a[0]``), numbers and numeric operators (``<``, ``>=``
...), ``IS NULL`` / ``IS TRUE`` / ``IS FALSE``, ``EXISTS`` (which the guide says is not supported),
``*`` inside a value or a bare ``*``, escapes in quoted strings, and a string compared with a
selected number, boolean or ``null`` (whose outcome the guide does not state).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal


class UnsupportedPatternError(ValueError):
    """The pattern (or the value it selects) uses syntax or semantics this evaluator does not implement."""


@dataclass(frozen=True)
class Comparison:
    """``$.selector = value`` or ``$.selector != value``.

    Attributes:
        selector: Property names from the root, e.g. ``("userIdentity", "type")``.
        operator: ``=`` or ``!=``.
        value: The string compared with, ``*`` kept as written (only first and/or last).
    """

    selector: tuple[str, ...]
    operator: Literal["=", "!="]
    value: str


@dataclass(frozen=True)
class NotExists:
    """``$.selector NOT EXISTS``.

    Attributes:
        selector: Property names from the root.
    """

    selector: tuple[str, ...]


@dataclass(frozen=True)
class AllOf:
    """Conditions joined with ``&&``.

    Attributes:
        terms: Every one must hold.
    """

    terms: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    """Conditions joined with ``||``.

    Attributes:
        terms: At least one must hold.
    """

    terms: tuple[Node, ...]


Node = Comparison | NotExists | AllOf | AnyOf
"""A parsed pattern expression."""


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<quoted>"[^"]*")
      | (?P<op>&&|\|\||!=|<=|>=|=|<|>|\(|\)|\{|\}|\[|\]|%)
      | (?P<word>[^\s"&|!=<>(){}\[\]%]+)
    )""",
    re.VERBOSE,
)
_SELECTOR = re.compile(r"\$(?:\.[A-Za-z0-9_-]+)+")
_BARE_VALUE = re.compile(r"[A-Za-z0-9_.*-]+")
"""A value without quotes: the guide's bare strings (``DisableKey``, ``kms.amazonaws.com``, ``123.123.*``)."""
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_LITERALS = frozenset({"true", "false", "null"})
"""Bare words that read as JSON literals rather than strings: not implemented."""


@dataclass(frozen=True)
class _Token:
    kind: str  # the group of _TOKEN that matched: quoted, op or word
    text: str


def _tokens(pattern: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    rest = pattern.rstrip()
    while position < len(rest):
        found = _TOKEN.match(rest, position)
        if found is None or found.end() == position:
            raise UnsupportedPatternError(f"cannot read the pattern at {rest[position:]!r}")
        kind = str(found.lastgroup)  # quoted, op or word: one of the three always matched
        tokens.append(_Token(kind, found.group(kind)))
        position = found.end()
    return tokens


class _Parser:
    """Recursive descent over the tokens of one ``{ ... }`` pattern."""

    def __init__(self, pattern: str) -> None:
        tokens = _tokens(pattern)
        if not tokens or tokens[0].text != "{" or tokens[-1].text != "}":
            raise UnsupportedPatternError(
                f"{pattern!r}: only JSON patterns in curly braces are implemented "
                "(no terms, [...] or %regex%)"
            )
        self.pattern = pattern
        self.tokens = tokens[1:-1]
        self.index = 0

    def _peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _next(self, what: str) -> _Token:
        token = self._peek()
        if token is None:
            raise UnsupportedPatternError(f"{self.pattern!r}: ends where {what} was expected")
        self.index += 1
        return token

    def parse(self) -> Node:
        node = self._any_of()
        if self._peek() is not None:
            raise UnsupportedPatternError(f"{self.pattern!r}: unexpected {self.tokens[self.index].text!r}")
        return node

    def _any_of(self) -> Node:
        terms = [self._all_of()]
        while (token := self._peek()) is not None and token.text == "||":
            self.index += 1
            terms.append(self._all_of())
        return terms[0] if len(terms) == 1 else AnyOf(tuple(terms))

    def _all_of(self) -> Node:
        terms = [self._term()]
        while (token := self._peek()) is not None and token.text == "&&":
            self.index += 1
            terms.append(self._term())
        return terms[0] if len(terms) == 1 else AllOf(tuple(terms))

    def _term(self) -> Node:
        token = self._next("a condition")
        if token.text == "(":
            node = self._any_of()
            if self._next("')'").text != ")":
                raise UnsupportedPatternError(f"{self.pattern!r}: unbalanced parenthesis")
            return node
        if token.kind != "word" or not _SELECTOR.fullmatch(token.text):
            raise UnsupportedPatternError(
                f"{self.pattern!r}: {token.text!r} is not a $.name.name selector (array selectors are not "
                "implemented)"
            )
        selector = tuple(token.text.split(".")[1:])
        operator = self._next("an operator after the selector")
        if operator.text in ("=", "!="):
            return Comparison(selector, "=" if operator.text == "=" else "!=", self._value())
        if operator.text == "NOT" and self._next("EXISTS").text == "EXISTS":
            return NotExists(selector)
        raise UnsupportedPatternError(
            f"{self.pattern!r}: {operator.text!r} after {token.text}: only =, != and NOT EXISTS are "
            "implemented (no array elements, numeric operators, IS or EXISTS)"
        )

    def _value(self) -> str:
        token = self._next("a value")
        if token.kind == "quoted":
            text = token.text[1:-1]
            if "\\" in text:
                raise UnsupportedPatternError(f"{self.pattern!r}: escapes in strings are not implemented")
        elif (
            token.kind == "word"
            and _BARE_VALUE.fullmatch(token.text)
            and not _NUMBER.fullmatch(token.text)
            and token.text.lower() not in _LITERALS
        ):
            text = token.text
        else:
            raise UnsupportedPatternError(
                f"{self.pattern!r}: value {token.text!r}: only strings are implemented (no numbers, "
                "true, false or null)"
            )
        if "*" in text[1:-1] or text.strip("*") == "":
            raise UnsupportedPatternError(
                f"{self.pattern!r}: value {text!r}: a wildcard is implemented only at the start or the end"
            )
        return text


def parse(pattern: str) -> Node:
    """The expression of ``pattern``.

    Raises:
        UnsupportedPatternError: Syntax this module does not implement (see the module docstring).
    """
    return _Parser(pattern).parse()


_ABSENT = object()
"""What a selector resolves to when the event does not contain the property."""


def _select(event: Mapping[str, Any], selector: Sequence[str]) -> Any:
    value: Any = event
    for name in selector:
        if not isinstance(value, Mapping) or name not in value:
            return _ABSENT
        value = value[name]
    return value


def _value_matches(expected: str, actual: str) -> bool:
    core = expected.strip("*")
    if expected.startswith("*") and expected.endswith("*"):
        return core in actual
    if expected.startswith("*"):
        return actual.endswith(core)
    if expected.endswith("*"):
        return actual.startswith(core)
    return actual == expected


def _holds(node: Node, event: Mapping[str, Any]) -> bool:
    if isinstance(node, AllOf):
        return all(_holds(term, event) for term in node.terms)
    if isinstance(node, AnyOf):
        return any(_holds(term, event) for term in node.terms)
    selected = _select(event, node.selector)
    if isinstance(node, NotExists):
        return selected is _ABSENT
    if selected is _ABSENT or isinstance(selected, Mapping | list):
        return False  # no value node: neither = nor != matches
    if not isinstance(selected, str):
        raise UnsupportedPatternError(
            f"$.{'.'.join(node.selector)} selects {selected!r}: comparing a string pattern with a JSON "
            "number, boolean or null is not implemented"
        )
    equal = _value_matches(node.value, selected)
    return equal if node.operator == "=" else not equal


def matches(pattern: str, event: Mapping[str, Any]) -> bool:
    """Whether the JSON log event ``event`` (parsed) matches the filter ``pattern``.

    Raises:
        UnsupportedPatternError: ``pattern`` uses syntax this module does not implement, or compares a
            string with a selected value that is not a string.
    """
    return _holds(parse(pattern), event)
