"""``python -m harness reachability``: the path table and verdict of a run's deployed PCI VPC.

The run's VPC is found the way the orphan sweep finds a run's resources, by the ``RunId`` tag every
resource of an ephemeral run carries (the one with a firewall tier: the PCI environment's), unless
``--vpc-id`` names it. On the emulator the firewall is not hosted (capability list): the table says
so on each path it would have crossed, and the verdict still fails on any bypass.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError

from harness.cli_target import TARGETS, open_target
from harness.reachability import analyse, render_table, verdict
from harness.reachability_describe import ReachabilityError, find_run_vpc, live_model
from harness.run_id import RUN_ID_LENGTH, is_run_id

_VPC_ID = re.compile(r"vpc-[0-9a-f]+")


def command(
    run_id: str,
    target_kind: str,
    endpoint: str | None,
    region: str,
    vpc_id: str | None,
    *,
    say: Callable[[str], None],
) -> int:
    """Print the reachability table of the run's VPC.

    Returns:
        0 when no path breaks the rule, 1 when one does, 2 on bad input, 3 when the VPC cannot be read.
    """
    if target_kind not in TARGETS:
        say(f"reachability: --target must be one of {', '.join(TARGETS)} (got {target_kind!r})")
        return 2
    if not is_run_id(run_id):
        say(f"reachability: --run-id must be {RUN_ID_LENGTH} lowercase letters or digits (got {run_id!r})")
        return 2
    if vpc_id is not None and not _VPC_ID.fullmatch(vpc_id):
        say(f"reachability: --vpc-id must look like vpc-0123abcd (got {vpc_id!r})")
        return 2
    target = open_target("reachability", target_kind, endpoint, region, say=say)
    if target is None:
        return 2
    try:
        vpc = vpc_id or find_run_vpc(target, run_id)
        model = live_model(target, vpc)
    except (ReachabilityError, ClientError, BotoCoreError) as err:
        say(f"reachability: cannot read the VPC of run {run_id}: {err}")
        return 3
    paths = analyse(model)
    result = verdict(model, paths)
    for line in render_table(model, paths, result).splitlines():
        say(line)
    return 0 if result.ok else 1
