"""Every name in the synthesized stack comes from the catalogue, so settings validation covers it."""

from __future__ import annotations

import pytest

from pci_infra.app.names import all_specs
from pci_infra.app.naming import Namer
from unit_tests.conftest import BINDINGS_GROUP, RUN_ID, SUFFIX
from unit_tests.synth_json import StackJson

# Imports the provider bindings (~11 s, ~0.5 GB per process): one worker takes all such files.
pytestmark = pytest.mark.xdist_group(BINDINGS_GROUP)


NAME_ATTRIBUTES = (
    "name",
    "bucket",
    "name_prefix",
    "function_name",
    "role_name",
    "identifier",
    "cluster_identifier",
)


SCOPED_TYPES = {
    "aws_iam_role_policy",
    "aws_cloudwatch_log_stream",
    "aws_autoscaling_policy",
    "aws_cloudwatch_log_metric_filter",
}
"""Names unique only inside their parent (a role, a log group, a group): no account-wide clash."""


def test_every_named_resource_uses_a_catalogued_name(stack: StackJson) -> None:
    namer = Namer(environment="dev", suffix=SUFFIX, run_id=RUN_ID)
    catalogue = {namer.name(spec) for spec in all_specs()}
    used = {
        (rtype, body[attr])
        for rtype, _, body in stack.every_resource()
        for attr in NAME_ATTRIBUTES
        if isinstance(body.get(attr), str) and not body[attr].startswith("${")
    }
    assert used, "the stack names nothing?"
    # A derived name (``<function>-dlq``, ``/aws/lambda/<function>``, ``api.<zone>.internal``) carries
    # its catalogued base whole; the base's kind leaves room for what is added (FUNCTION_BASE).
    strays = {
        (rtype, name)
        for rtype, name in used
        if rtype not in SCOPED_TYPES and not any(base in name for base in catalogue)
    }
    assert strays == set(), f"names outside the catalogue escape suffix validation: {strays}"


def test_derived_names_stay_within_their_aws_limits_for_the_longest_suffix() -> None:
    from pci_infra.app.naming import NameKind

    longest = NameKind.FUNCTION_BASE.rule.max_length
    assert longest + len("-role") <= NameKind.IAM_ROLE.rule.max_length
    assert longest + len("-dlq") <= NameKind.SQS_QUEUE.rule.max_length
