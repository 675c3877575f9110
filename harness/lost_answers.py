"""Creates the emulator carried out but failed to answer: adopted into state so a new plan goes on from them.

Under load MiniStack can carry out a create and still fail the request (its answer lost, or an error
after the resource was stored). The SDK retries the call, which then meets the resource the first
call made (``EntityAlreadyExists``, ``ResourceConflictException: The statement id (...) provided
already exists``, HTTP 409) and the apply stops, with a resource in the emulator that is in no
state. Recorded in the capability list as ``behaviour:lost_create_answer``; while it holds, the
deploy imports each such resource (its id carries the run id, so nothing else is ever adopted) at
the address the error names, then plans, gates and applies again (the run summary says so). On AWS,
or where the gap does not hold, nothing is touched and the error stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.aws_target import AwsTarget

LOST_ANSWER_GAP = "behaviour:lost_create_answer"

_CREATE_MET_ITSELF = re.compile(
    r"Error: (?:creating|adding) [^(\n]+\((?P<id>[^()\s]+)\): [^\n]*"
    r"(?:StatusCode: 409|AlreadyExists|already exists)[^\n]*\n"
    r"(?:[^\n]*\n){0,3}?\s*with (?P<address>[^,\s]+),"
)


@dataclass(frozen=True)
class Orphan:
    """A resource the emulator made whose create failed: where it belongs in state, and its import id."""

    address: str
    import_id: str


def orphans_in(errors: str, run_id: str) -> list[Orphan]:
    """The creates in ``errors`` that met their own resource, for ids carrying ``run_id`` only."""
    found = [Orphan(m["address"], m["id"]) for m in _CREATE_MET_ITSELF.finditer(errors)]
    return [orphan for orphan in found if run_id and run_id in orphan.import_id]


def lost_answer_orphans(target: AwsTarget, errors: str, run_id: str) -> list[Orphan]:
    """:func:`orphans_in` where the capability list's gap holds on ``target``; none elsewhere (AWS)."""
    return orphans_in(errors, run_id) if target.gap(LOST_ANSWER_GAP) is not None else []
