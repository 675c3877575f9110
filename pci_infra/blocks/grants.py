"""How blocks grant each other access: a grantee role collects statements, rendered at synthesis.

A block that owns a resource offers ``grant_*`` methods (``key.grant_use(fn)``,
``queue.grant_consume(fn)``) that add the matching statement to the grantee's policy, so no caller
writes an ARN or an action list by hand. Policies render lazily, when the stack is synthesized,
so grants may be added after the role and its policy were created.
"""

from __future__ import annotations

from typing import Protocol

import jsii
from cdktf import IResolveContext, IStringProducer, Lazy

from pci_infra.policies.policy_document import Statement, policy_json


class Grantable(Protocol):
    """A principal of ours that can be granted access: an execution role and its policy."""

    @property
    def role_arn(self) -> str:
        """ARN of the role the statements are granted to."""
        ...

    def add_to_role_policy(self, statement: Statement) -> None:
        """Add ``statement`` to the role's policy."""
        ...


@jsii.implements(IStringProducer)
class _PolicyProducer:
    def __init__(self, statements: list[Statement]) -> None:
        self._statements = statements

    def produce(self, context: IResolveContext) -> str:
        return policy_json(*self._statements)


class LazyPolicy:
    """Statements of one policy document, rendered to JSON when the stack is synthesized."""

    def __init__(self, *statements: Statement) -> None:
        """Start with ``statements``; :meth:`add` appends more later."""
        self._statements: list[Statement] = list(statements)

    def add(self, statement: Statement) -> None:
        """Append ``statement`` (its sid must be unique in the document)."""
        if any(s.sid == statement.sid for s in self._statements):
            raise ValueError(f"policy statement sid {statement.sid!r} is granted twice")
        self._statements.append(statement)

    @property
    def statements(self) -> tuple[Statement, ...]:
        """The statements so far."""
        return tuple(self._statements)

    def to_json(self) -> str:
        """A token that renders the final document at synthesis."""
        return Lazy.string_value(_PolicyProducer(self._statements))
