"""Where probes and the sweep send their API calls: the emulator or a real AWS account."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from harness.emulator import is_answering
from pci_infra.foundation.aws_clients import EMULATOR_CREDENTIALS, client_factory
from pci_infra.foundation.capabilities import Gap, gap_for
from pci_infra.foundation.service_routing import MOTO_ALONE, PAIR, EmulatorSet


@dataclass(frozen=True)
class AwsTarget:
    """Client factory for one region of one target.

    Attributes:
        region: AWS region.
        endpoint: Emulator URL; ``None`` for real AWS (credentials from the usual chain).
        credentials: Explicit credentials (the emulator's), else the default chain.
        service_endpoints: Emulator URL per boto3 service name where it is not ``endpoint`` (two
            local emulators side by side, ``pci_infra/foundation/service_routing.py``); a service
            not named here goes to ``endpoint``.
    """

    region: str
    endpoint: str | None = None
    credentials: Mapping[str, str] = field(default_factory=dict)
    service_endpoints: Mapping[str, str] = field(default_factory=dict)
    _clients: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def emulator(
        cls, region: str, endpoint: str, service_endpoints: Mapping[str, str] | None = None
    ) -> AwsTarget:
        """The embedded emulator at ``endpoint``; the services in ``service_endpoints`` at theirs."""
        return cls(
            region=region,
            endpoint=endpoint,
            credentials=dict(EMULATOR_CREDENTIALS),
            service_endpoints=dict(service_endpoints or {}),
        )

    @property
    def is_emulator(self) -> bool:
        """True for the emulator."""
        return self.endpoint is not None

    @property
    def emulators(self) -> EmulatorSet | None:
        """``pair`` when services are routed to a second emulator, ``moto`` for one emulator, None on AWS."""
        if self.endpoint is None:
            return None
        return PAIR if any(url != self.endpoint for url in self.service_endpoints.values()) else MOTO_ALONE

    def gap(self, key: str) -> Gap | None:
        """The capability list's gap ``key`` if it holds on this target (never on AWS)."""
        emulators = self.emulators
        return gap_for(key, emulators) if emulators is not None else None

    @property
    def kind(self) -> str:
        """``"emulator"`` or ``"aws"``.

        The compliance gate uses :attr:`plan_target`, which tells the pair from moto alone.
        """
        return "emulator" if self.is_emulator else "aws"

    @property
    def plan_target(self) -> str:
        """Which skip entries of the compliance gate hold for a plan against this target.

        ``"aws"``; ``"emulator"`` for the pair; ``"moto"`` for moto alone, where the entries limited
        to ``emulator`` hold too and those limited to ``moto`` (what only moto cannot host) besides.
        """
        return "moto" if self.emulators == MOTO_ALONE else self.kind

    def endpoint_for(self, service: str) -> str | None:
        """Where ``service`` (a boto3 service name) is called: its own endpoint, else :attr:`endpoint`."""
        return self.service_endpoints.get(service, self.endpoint)

    def client(self, service: str) -> Any:
        """The boto3 client for ``service`` on this target, created once and reused."""
        if service not in self._clients:
            self._clients[service] = self.new_client(service)
        return self._clients[service]

    def new_client(self, service: str) -> Any:
        """A boto3 client for ``service`` of its own (not the shared one :meth:`client` hands out)."""
        config = Config(retries={"max_attempts": 4, "mode": "standard"}, s3={"addressing_style": "path"})
        return client_factory(self.region, self.endpoint_for(service), self.credentials, config)(service)

    def answers(self) -> bool:
        """True when the target answers an API call now (the emulator's management page, or STS)."""
        if self.endpoint is not None:
            return is_answering(self.endpoint)
        try:
            self.new_client("sts").get_caller_identity()
        except (BotoCoreError, ClientError):
            return False
        return True

    def terraform_env(self) -> dict[str, str]:
        """Environment for Terraform subprocesses talking to this target."""
        return {"AWS_REGION": self.region, "AWS_DEFAULT_REGION": self.region, **self.credentials}
