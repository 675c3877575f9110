"""The target a harness command reads: the embedded emulator at a URL, or the usual AWS account.

Shared by the commands that inspect a kept run (``pan-scan``, ``reachability``): the same flags,
the same checks, the same messages, each prefixed with the command's name.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from harness.aws_target import AwsTarget
from harness.emulator import EXTERNAL_ENDPOINT_VAR
from pci_infra.app.settings_sources import DEFAULT_EMULATOR_ENDPOINT

TARGETS = ("emulator", "aws")
_ENDPOINT = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d{1,5})?/?")


def open_target(
    command: str, target_kind: str, endpoint: str | None, region: str, *, say: Callable[[str], None]
) -> AwsTarget | None:
    """The target of ``--target``/``--emulator-endpoint``/``--region``, or ``None`` after saying why.

    The emulator URL is the flag, else ``EMULATOR_ENDPOINT``, else the default; it must be
    ``http(s)://host[:port]`` and answer. An endpoint given with ``--target aws`` is refused.
    ``target_kind`` must already be one of :data:`TARGETS`.
    """
    if target_kind == "aws":
        if endpoint:
            say(f"{command}: --emulator-endpoint goes with --target emulator only")
            return None
        return AwsTarget(region=region)
    url = endpoint or os.environ.get(EXTERNAL_ENDPOINT_VAR) or DEFAULT_EMULATOR_ENDPOINT
    if not _ENDPOINT.fullmatch(url):
        say(f"{command}: --emulator-endpoint must be http(s)://host[:port] (got {url!r})")
        return None
    target = AwsTarget.emulator(region, url.rstrip("/"))
    if not target.answers():
        say(f"{command}: no emulator answers at {target.endpoint}")
        return None
    return target
