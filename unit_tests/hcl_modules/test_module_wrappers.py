"""Each HCL module is reached through one typed wrapper that passes exactly the module's variables."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from pci_infra.app.paths import MODULES_DIR
from pci_infra.hcl_modules.hcl_module import module_changelog_version
from unit_tests.conftest import BINDINGS_GROUP
from unit_tests.synth_json import StackJson

# Imports the provider bindings (~11 s, ~0.5 GB per process): one worker takes all such files.
pytestmark = pytest.mark.xdist_group(BINDINGS_GROUP)


WRAPPERS = ("alb", "aurora", "vpc", "waf")
"""One typed wrapper per module: ``pci_infra.hcl_modules.<name>`` (imported on use: bindings)."""


def wrapper(module: str) -> Any:
    """The wrapper module of ``module``."""
    return importlib.import_module(f"pci_infra.hcl_modules.{module}")


def declared_variables(module: str) -> dict[str, bool]:
    """Variable name -> whether it is required (no default), read from the module's variables.tf."""
    text = (MODULES_DIR / module / "variables.tf").read_text()
    blocks = re.split(r'\nvariable "', "\n" + text)[1:]
    return {b.split('"', 1)[0]: "\n  default " not in b for b in blocks}


@pytest.mark.parametrize("module", sorted(WRAPPERS))
def test_wrapper_declares_the_module_version_of_the_changelog(module: str) -> None:
    assert module_changelog_version(module) == wrapper(module).MODULE_VERSION


@pytest.fixture(scope="module")
def wrapper_stack(synthesized: object, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    # `synthesized` first: the provider bindings are imported once per session by that fixture.
    from cdktf import TerraformStack

    from pci_infra.app.synthesis import new_app
    from pci_infra.hcl_modules import alb as alb_module
    from pci_infra.hcl_modules import aurora as aurora_module
    from pci_infra.hcl_modules import vpc as vpc_module
    from pci_infra.hcl_modules import waf as waf_module

    outdir = tmp_path_factory.mktemp("wrappers")
    app = new_app(outdir)
    stack = TerraformStack(app, "wrappers")
    kms = "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555"
    vpc = vpc_module.VpcModule(
        stack,
        "vpc",
        props=vpc_module.VpcModuleProps(
            name="wrap-test",
            cidr="10.9.0.0/16",
            extra_subnet_tiers={"firewall": 20},
            flow_logs=vpc_module.FlowLogsProps(cloudwatch_kms_key_arn=kms),
        ),
    )
    db = aurora_module.AuroraModule(
        stack,
        "aurora",
        props=aurora_module.AuroraModuleProps(
            name="wrap-test-db",
            vpc_id=vpc.vpc_id,
            subnet_ids=vpc.private_subnet_ids,
            availability_zones=vpc.availability_zones,
            kms_key_arn=kms,
            ephemeral=True,
        ),
    )
    alb = alb_module.AlbModule(
        stack,
        "alb",
        props=alb_module.AlbModuleProps(
            name="wrap-test-alb",
            vpc_id=vpc.vpc_id,
            vpc_cidr_block=vpc.vpc_cidr_block,
            subnet_ids=vpc.tier_subnet_ids("firewall"),
            access_logs_bucket="alb-logs",
            target_groups={"api": alb_module.TargetGroupSpec(name="wrap-test-api", target_type="lambda")},
            ingress_security_group_ids=(db.proxy_security_group_id,),
        ),
    )
    waf_module.WafModule(
        stack,
        "waf",
        props=waf_module.WafModuleProps(
            name="wrap-test-waf", resource_arn=alb.lb_arn, log_bucket_arn="arn:aws:s3:::aws-waf-logs-x"
        ),
    )
    app.synth()
    doc = json.loads((outdir / "stacks" / "wrappers" / "cdk.tf.json").read_text())
    return {"doc": doc, "outdir": outdir}


def module_block(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return StackJson(doc).module_at(f"wrappers/{name}/module")[1]


@pytest.mark.parametrize("module", sorted(WRAPPERS))
def test_wrapper_passes_every_required_variable_and_nothing_unknown(
    wrapper_stack: dict[str, Any], module: str
) -> None:
    block = module_block(wrapper_stack["doc"], module)
    passed = {k for k in block if k not in ("source", "//", "providers", "depends_on")}
    declared = declared_variables(module)
    assert passed <= set(declared), f"{module}: unknown variables {passed - set(declared)}"
    required = {name for name, is_required in declared.items() if is_required}
    assert required <= passed, f"{module}: required variables not passed {required - passed}"


def test_modules_are_copied_into_the_synthesized_stack(wrapper_stack: dict[str, Any]) -> None:
    for module in WRAPPERS:
        source = module_block(wrapper_stack["doc"], module)["source"]
        assert source.startswith("./assets/"), source
        copied = Path(wrapper_stack["outdir"]) / "stacks" / "wrappers" / source
        assert (copied / "main.tf").read_text() == (MODULES_DIR / module / "main.tf").read_text()


def test_outputs_wire_modules_together(wrapper_stack: dict[str, Any]) -> None:
    doc = wrapper_stack["doc"]
    vpc_key, _ = StackJson(doc).module_at("wrappers/vpc/module")
    aurora = module_block(doc, "aurora")
    assert aurora["vpc_id"] == f"${{module.{vpc_key}.vpc_id}}"
    assert aurora["deletion_protection"] is False and aurora["skip_final_snapshot"] is True
    alb = module_block(doc, "alb")
    assert alb["subnet_ids"] == f"${{module.{vpc_key}.extra_subnet_ids.firewall}}"
    vpc = module_block(doc, "vpc")
    assert vpc["flow_logs"]["enable_cloudwatch"] is True
    assert vpc["extra_subnet_tiers"] == {"firewall": {"offset": 20}}


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (
            lambda: wrapper("vpc").VpcModuleProps(name="x", cidr="10.0.0.0/16", nat_gateway_mode="single"),
            "nat_gateway_mode: NAT gateways need create_public_subnets",
        ),
        (
            lambda: wrapper("aurora").AuroraModuleProps(
                name="x",
                vpc_id="v",
                subnet_ids=[],
                availability_zones=[],
                kms_key_arn="k",
                min_capacity=8,
                max_capacity=2,
            ),
            "max_capacity: must be >= min_capacity",
        ),
        (
            lambda: wrapper("alb").AlbModuleProps(
                name="x",
                vpc_id="v",
                vpc_cidr_block="10.0.0.0/16",
                subnet_ids=[],
                access_logs_bucket="b",
                target_groups={},
                ingress_cidr_blocks=("0.0.0.0/0",),
            ),
            "ingress_cidr_blocks: 0.0.0.0/0 is not allowed",
        ),
        (
            lambda: wrapper("waf").WafModuleProps(
                name="x", resource_arn="a", log_bucket_arn="b", geo_block_countries=("kp",)
            ),
            "geo_block_countries: ISO alpha-2",
        ),
    ],
)
def test_wrappers_refuse_bad_input_before_synth(build: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        build()
