"""Read a synthesized stack (``cdk.tf.json``) the way the tests need it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class StackJson:
    """A synthesized stack document with lookups by type, construct path and reference."""

    doc: dict[str, Any]

    @classmethod
    def load(cls, outdir: Path, stack: str) -> StackJson:
        return cls(json.loads((outdir / "stacks" / stack / "cdk.tf.json").read_text()))

    def resources(self, rtype: str) -> dict[str, dict[str, Any]]:
        return dict(self.doc.get("resource", {}).get(rtype, {}))

    def resource_types(self) -> set[str]:
        return set(self.doc.get("resource", {}))

    def at(self, rtype: str, path_suffix: str) -> tuple[str, dict[str, Any]]:
        """The one resource of ``rtype`` whose construct path ends with ``path_suffix``."""
        hits = [
            (lid, body)
            for lid, body in self.resources(rtype).items()
            if body["//"]["metadata"]["path"].endswith(path_suffix)
        ]
        assert len(hits) == 1, f"expected one {rtype} at */{path_suffix}, got {[h[0] for h in hits]}"
        return hits[0]

    def module_at(self, path_suffix: str) -> tuple[str, dict[str, Any]]:
        """The one module block whose construct path ends with ``path_suffix``."""
        hits = [
            (key, body)
            for key, body in self.doc.get("module", {}).items()
            if body["//"]["metadata"]["path"].endswith(path_suffix)
        ]
        assert len(hits) == 1, f"expected one module at */{path_suffix}, got {[h[0] for h in hits]}"
        return hits[0]

    @staticmethod
    def ref(rtype: str, logical_id: str, attr: str) -> str:
        return f"${{{rtype}.{logical_id}.{attr}}}"

    def provider(self) -> dict[str, Any]:
        providers = self.doc["provider"]["aws"]
        assert len(providers) == 1
        return dict(providers[0])

    def every_resource(self) -> list[tuple[str, str, dict[str, Any]]]:
        return [
            (rtype, lid, body)
            for rtype, items in self.doc.get("resource", {}).items()
            for lid, body in items.items()
        ]
