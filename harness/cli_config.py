"""The project's own Terraform CLI configuration: offline mirror when present, registry otherwise."""

from __future__ import annotations

from pathlib import Path

DEFAULT_MIRROR = Path("/opt/tf-plugins")
"""Where this project's build machines keep an unpacked provider mirror."""


def mirrored_providers(mirror: Path) -> list[str]:
    """Provider source addresses (``registry.terraform.io/hashicorp/aws``) present in ``mirror``."""
    if not mirror.is_dir():
        return []
    return sorted(
        f"{host.name}/{namespace.name}/{provider.name}"
        for host in mirror.iterdir()
        if host.is_dir()
        for namespace in host.iterdir()
        if namespace.is_dir()
        for provider in namespace.iterdir()
        if provider.is_dir()
    )


def render_cli_config(mirror: Path = DEFAULT_MIRROR) -> str:
    """HCL of a CLI config that installs mirrored providers from ``mirror`` and the rest from their registry.

    With no mirror on the machine the result is the registry-only default, so a user with internet
    access needs nothing special.
    """
    providers = mirrored_providers(mirror)
    if not providers:
        return (
            "# No provider mirror found: providers come from their registries.\n"
            "provider_installation {\n  direct {}\n}\n"
        )
    listed = ", ".join(f'"{p}"' for p in providers)
    return (
        f"# Providers found in {mirror} are installed from there (offline); all others from their registry.\n"
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror}"\n'
        f"    include = [{listed}]\n"
        "  }\n"
        "  direct {\n"
        f"    exclude = [{listed}]\n"
        "  }\n"
        "}\n"
    )


def write_cli_config(path: Path, mirror: Path = DEFAULT_MIRROR) -> Path:
    """Write the CLI config to ``path`` (for ``TF_CLI_CONFIG_FILE``) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_cli_config(mirror))
    return path
