"""Resources created (or destroyed) as Terraform reports them, said every few seconds.

An apply of the payment platform takes minutes; instead of silence the harness says how far it is:
``apply: 120/238 resources created (41 s)``, counted from Terraform's own ``Creation complete``
(``Destruction complete`` for destroy) lines, against the plan's count when it is known.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

DONE = {
    "created": re.compile(r": (Creation|Modifications) complete after "),
    "destroyed": re.compile(r": Destruction complete after "),
}


def planned_count(plan: Mapping[str, Any], action: str = "create") -> int:
    """How many resources ``plan`` (``terraform show -json``) would ``action`` (replacements included)."""
    changes = plan.get("resource_changes", [])
    return sum(1 for change in changes if action in change.get("change", {}).get("actions", ()))


@dataclass
class ApplyProgress:
    """Counts finished resources from Terraform's output lines; says the count at most every ``every``.

    Attributes:
        say: Receives the progress lines.
        planned: The plan's count, when known (``None``: the count alone is said).
        verb: ``created`` (apply) or ``destroyed`` (destroy).
        every: Seconds between two progress lines.
        clock: Monotonic clock (tests pass their own).
    """

    say: Callable[[str], None]
    planned: int | None = None
    verb: str = "created"
    every: float = 10.0
    clock: Callable[[], float] = time.monotonic
    done: int = field(default=0, init=False)
    _started: float = field(default=0.0, init=False)
    _last_said: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        """Start the clock."""
        if self.verb not in DONE:
            raise ValueError(f"verb: one of {sorted(DONE)} (got {self.verb!r})")
        self._started = self._last_said = self.clock()

    def __call__(self, line: str) -> None:
        """Take one output line of Terraform."""
        if not DONE[self.verb].search(line):
            return
        self.done += 1
        now = self.clock()
        if now - self._last_said >= self.every:
            self._last_said = now
            self.say(self.line())

    def line(self) -> str:
        """``apply: 120/238 resources created (41 s)``."""
        of = f"/{self.planned}" if self.planned is not None else ""
        command = "destroy" if self.verb == "destroyed" else "apply"
        return f"{command}: {self.done}{of} resources {self.verb} ({self.clock() - self._started:.0f} s)"
