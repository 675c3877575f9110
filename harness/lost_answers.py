"""Creates whose answer the emulator lost: what the apply's error names, removed so a new plan can redo it.

Under load MiniStack can lose its answer to a Lambda ``AddPermission`` it carried out (the connection
closes before the response). The SDK retries the call, which then meets the statement the first
call added (``ResourceConflictException: The statement id (...) provided already exists``); the
provider retries that for five minutes and stops the apply, with a statement in the emulator that
is in no state. Recorded in the capability list as ``behaviour:lost_create_answer``; while it holds,
the deploy removes the orphan statement the error names and plans again (the run summary says so),
exactly as after a transient error. On AWS, or where the gap does not hold, nothing is touched and
the error stands.
"""

from __future__ import annotations

import re

from harness.aws_target import AwsTarget

LOST_ANSWER_GAP = "behaviour:lost_create_answer"

_ORPHAN_STATEMENT = re.compile(
    r"adding Lambda Permission \((?P<function>[^/()\s]+)/(?P<sid>[^()\s]+)\): .*"
    r"ResourceConflictException: The statement id \((?P=sid)\) provided already exists"
)


def orphan_statements(errors: str) -> list[tuple[str, str]]:
    """``(function, statement id)`` of each permission the errors say already existed when added."""
    return [(match["function"], match["sid"]) for match in _ORPHAN_STATEMENT.finditer(errors)]


def clear_lost_answers(target: AwsTarget, errors: str) -> list[str]:
    """Remove the orphan statements ``errors`` names where the gap holds; ``function/sid`` of each removed."""
    if target.gap(LOST_ANSWER_GAP) is None:
        return []
    removed = []
    for function, sid in orphan_statements(errors):
        target.client("lambda").remove_permission(FunctionName=function, StatementId=sid)
        removed.append(f"{function}/{sid}")
    return removed
