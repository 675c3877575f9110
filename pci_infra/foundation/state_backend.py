"""Terraform state backend of a stack: local per environment, or S3 with native locking."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cdktf import LocalBackend, S3Backend, TerraformStack

from pci_infra.app.settings import BackendKind, BackendSettings


@dataclass(frozen=True)
class StateBackendProps:
    """Inputs of :func:`configure_state_backend`.

    Attributes:
        backend: Backend settings.
        region: Region of the state bucket (s3 backend).
        environment_key: Identifies the environment inside the backend (suffix plus run id).
        emulator_endpoint: When set, the s3 backend talks to the emulator.
    """

    backend: BackendSettings
    region: str
    environment_key: str
    emulator_endpoint: str | None = None


def configure_state_backend(stack: TerraformStack, stack_name: str, *, props: StateBackendProps) -> None:
    """Attach the chosen backend to ``stack``.

    Local state goes to ``{state_dir}/{environment_key}/{stack_name}.tfstate`` so environments never
    share a file. S3 state uses ``use_lockfile`` (Terraform >= 1.10 native locking, no DynamoDB table).
    """
    backend = props.backend
    if backend.kind is BackendKind.LOCAL:
        path = Path(backend.state_dir).absolute() / props.environment_key / f"{stack_name}.tfstate"
        LocalBackend(stack, path=str(path))
        return
    assert backend.s3_bucket is not None  # guaranteed by BackendSettings validation
    emulator = props.emulator_endpoint
    S3Backend(
        stack,
        bucket=backend.s3_bucket,
        key=f"{backend.s3_key_prefix}/{props.environment_key}/{stack_name}.tfstate",
        region=props.region,
        encrypt=True,
        use_path_style=True if emulator else None,
        skip_credentials_validation=True if emulator else None,
        skip_requesting_account_id=True if emulator else None,
        skip_metadata_api_check=True if emulator else None,
        endpoints={"s3": emulator, "sts": emulator} if emulator else None,
    )
    # cdktf 0.20 predates the backend's use_lockfile argument; Terraform >= 1.10 reads it natively.
    stack.add_override("terraform.backend.s3.use_lockfile", True)
