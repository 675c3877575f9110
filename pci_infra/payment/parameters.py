"""Parameters of the payment platform: SSM SecureString values encrypted with the SSM key.

* ``<prefix>/database/proxy-connection``: how to reach the ledger through the RDS Proxy. It holds
  no password: the proxy requires IAM authentication.
* ``<prefix>/api/key``: the partner API key. Its value is a write-only argument fed by an
  ephemeral, sensitive Terraform variable (``TF_VAR_payment_api_key``), so it appears in no
  synthesized file, plan, state or output. Bump :data:`API_KEY_VERSION` to rotate it.
* ``<prefix>/app/settings``: the application settings, as JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from cdktf import TerraformVariable
from cdktf_cdktf_provider_aws import ssm_parameter
from constructs import Construct

from pci_infra.blocks.grants import Grantable
from pci_infra.policies.policy_document import Statement

API_KEY_VARIABLE = "payment_api_key"
"""Terraform variable (``TF_VAR_payment_api_key``) carrying the API key at apply time."""
API_KEY_VERSION = 1


@dataclass(frozen=True)
class PaymentParametersProps:
    """Inputs of :class:`PaymentParameters`.

    Attributes:
        prefix: Parameter path prefix, e.g. ``/payments-dev``.
        ssm_key_arn: CMK of the parameters.
        proxy_endpoint: RDS Proxy endpoint.
        database_name: Database name.
        database_user: Database user (IAM-authenticated).
        settings: Application settings (no secrets).
    """

    prefix: str
    ssm_key_arn: str
    proxy_endpoint: str
    database_name: str
    database_user: str
    settings: dict[str, object]

    def __post_init__(self) -> None:
        """Refuse settings that look like secrets: those belong in their own SecureString."""
        suspicious = [
            k for k in self.settings if any(w in k.lower() for w in ("password", "secret", "token"))
        ]
        if suspicious:
            raise ValueError(
                f"PaymentParametersProps.settings: secrets do not belong in settings: {suspicious}"
            )


class PaymentParameters(Construct):
    """The SecureString parameters.

    Attributes:
        connection_name: Name of the proxy connection parameter.
        connection_arn: Its ARN.
        api_key_name: Name of the API key parameter.
        settings_name: Name of the settings parameter.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: PaymentParametersProps) -> None:
        """Create the parameters and the ephemeral API key variable."""
        super().__init__(scope, construct_id)
        connection = ssm_parameter.SsmParameter(
            self,
            "proxy-connection",
            name=f"{props.prefix}/database/proxy-connection",
            description="Ledger connection through the RDS Proxy (TLS, IAM authentication, no password)",
            type="SecureString",
            key_id=props.ssm_key_arn,
            value=(
                f"postgresql://{props.database_user}@{props.proxy_endpoint}:5432/"
                f"{props.database_name}?sslmode=verify-full"
            ),
        )
        api_key = TerraformVariable(
            scope,
            API_KEY_VARIABLE,
            type="string",
            sensitive=True,
            nullable=False,
            description="Partner API key, written to SSM write-only; set TF_VAR_payment_api_key",
        )
        api_key.add_override("ephemeral", True)
        api_key_parameter = ssm_parameter.SsmParameter(
            self,
            "api-key",
            name=f"{props.prefix}/api/key",
            description="Partner API key (write-only: never in state or plans)",
            type="SecureString",
            key_id=props.ssm_key_arn,
            value_wo=api_key.string_value,
            value_wo_version=API_KEY_VERSION,
        )
        app_settings = ssm_parameter.SsmParameter(
            self,
            "settings",
            name=f"{props.prefix}/app/settings",
            description="Payment application settings (JSON)",
            type="SecureString",
            key_id=props.ssm_key_arn,
            value=json.dumps(props.settings, sort_keys=True),
        )
        self.connection_name: str = connection.name
        self.connection_arn: str = connection.arn
        self.api_key_name: str = api_key_parameter.name
        self.settings_name: str = app_settings.name

    def grant_read_connection(self, grantee: Grantable, *, sid: str) -> None:
        """Let ``grantee`` read the connection string parameter."""
        grantee.add_to_role_policy(Statement(sid, ("ssm:GetParameter",), resources=(self.connection_arn,)))
