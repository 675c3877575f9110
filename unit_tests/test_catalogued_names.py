"""Every name in the synthesized stack comes from the catalogue, so settings validation covers it."""

from __future__ import annotations

from constructs_py.names import all_specs
from constructs_py.naming import Namer
from unit_tests.conftest import RUN_ID, SUFFIX
from unit_tests.synth_json import StackJson

NAME_ATTRIBUTES = (
    "name",
    "bucket",
    "name_prefix",
    "function_name",
    "role_name",
    "identifier",
    "cluster_identifier",
)


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
    strays = {(rtype, name) for rtype, name in used if name not in catalogue}
    assert strays == set(), f"names outside the catalogue escape suffix validation: {strays}"
