"""Results of slow, deterministic tool runs kept by a hash of everything they read.

A result is reused only while every input is byte-identical (the files, the tool versions, the
test's own code); any change runs the tool again. Only results that passed are kept, so a failure is
never replayed and always runs afresh. ``UNIT_SYNTH_CACHE=0`` never reuses.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pci_infra.app.paths import PROJECT_ROOT

CACHE_ROOT = PROJECT_ROOT / ".work" / "unit-results"
SKIPPED_PARTS = frozenset({".terraform", "__pycache__"})
SKIPPED_NAMES = frozenset({".terraform.lock.hcl"})  # written by `terraform init` itself


def content_key(paths: Iterable[Path], facts: Iterable[str] = ()) -> str:
    """A hash of the files under ``paths`` (names and bytes) and of ``facts`` (e.g. tool versions)."""
    digest = hashlib.sha256()
    for fact in facts:
        digest.update(fact.encode() + b"\0")
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            relative = path.relative_to(PROJECT_ROOT)
            if SKIPPED_PARTS & set(relative.parts) or path.name in SKIPPED_NAMES:
                continue
            digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def reused_or_run(
    name: str, key: str | None, run: Callable[[], dict[str, Any]], passed: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """The record of ``name`` kept under ``key``, or ``run()``'s (kept when ``passed``).

    ``key`` ``None`` means the inputs cannot all be known beforehand: always run.
    """
    fresh = os.environ.get("UNIT_SYNTH_CACHE", "1") == "0"
    path = CACHE_ROOT / f"{name}-{key}.json"
    if key is not None and not fresh and path.exists():
        record: dict[str, Any] = json.loads(path.read_text())
        return record
    record = run()
    if key is not None and passed(record):
        CACHE_ROOT.mkdir(parents=True, exist_ok=True)
        for stale in CACHE_ROOT.glob(f"{name}-*.json"):  # keep only the current inputs' result
            stale.unlink(missing_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial")
        partial.write_text(json.dumps(record))
        partial.replace(path)
    return record
