"""What the AWS network gives a function, given to the functions MiniStack runs on this machine.

On AWS the payment processor reaches the RDS Proxy by its DNS name, and the Amazon authority that
signed the proxy's certificate is trusted by Node. On the emulator target the harness starts a real
PostgreSQL on loopback, with a certificate from a throwaway test CA
(:class:`harness.throwaway_pki.TestAuthority`). MiniStack's Node workers load
``harness/function-runtime/emulator-network.cjs`` (``NODE_OPTIONS=--require``), which trusts that CA
beside Node's own authorities and sends a connection to a routed ``host:port`` (the proxy endpoint)
to the loopback address serving it. The function code, its package and its configuration are the
ones AWS gets; this is an emulator-only difference, recorded in the capability list
(``behaviour:database_network``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from harness.throwaway_pki import TestAuthority
from pci_infra.app.paths import PROJECT_ROOT
from pci_infra.foundation.capabilities import gap_for
from pci_infra.foundation.service_routing import PAIR

PRELOAD = PROJECT_ROOT / "harness" / "function-runtime" / "emulator-network.cjs"
"""The worker preload (CommonJS, so ``--require`` loads it before the function's ES modules)."""

TEST_CA_VARIABLE = "INFRA_FUNCTION_TEST_CA"
ROUTES_VARIABLE = "INFRA_FUNCTION_ROUTES"
MARK_TLS_VARIABLE = "INFRA_FUNCTION_GATEWAY_TLS"
"""Set: the preload adds ``X-Forwarded-Proto: https`` to the workers' calls to the gateway."""
SECURE_TRANSPORT_GAP = "behaviour:secure_transport"


@dataclass(frozen=True)
class FunctionNetwork:
    """The test CA and the routes file of one MiniStack server (both under its work directory)."""

    authority: TestAuthority
    routes_file: Path

    @classmethod
    def create(cls, work_dir: Path) -> FunctionNetwork:
        """Make the test CA and an empty routes file under ``work_dir``."""
        network = cls(TestAuthority.create(work_dir / "pki"), work_dir / "function-routes.json")
        if not network.routes_file.exists():
            network._write({})
        return network

    def environment(self) -> dict[str, str]:
        """What the server's environment needs so every function worker loads the preload.

        While the capability list records ``behaviour:secure_transport`` for MiniStack, the preload
        also marks the workers' calls to the gateway as arriving over TLS (:data:`MARK_TLS_VARIABLE`).
        """
        environment = {
            "NODE_OPTIONS": f"--require={PRELOAD}",
            TEST_CA_VARIABLE: str(self.authority.ca.cert),
            ROUTES_VARIABLE: str(self.routes_file),
        }
        if gap_for(SECURE_TRANSPORT_GAP, PAIR):
            environment[MARK_TLS_VARIABLE] = "1"
        return environment

    def routes(self) -> dict[str, str]:
        """``host:port`` to ``127.0.0.1:port``, as the workers read them."""
        routes: dict[str, str] = json.loads(self.routes_file.read_text()).get("routes", {})
        return routes

    def route(self, host: str, port: int, to_port: int, to_host: str = "127.0.0.1") -> None:
        """Send the functions' connections to ``host:port`` to ``to_host:to_port`` (loopback only).

        Raises:
            ValueError: ``to_host`` is not a loopback address.
        """
        if to_host not in ("127.0.0.1", "::1"):
            raise ValueError(f"functions may only be routed to loopback, not {to_host!r}")
        routes = self.routes()
        routes[f"{host}:{port}"] = f"{to_host}:{to_port}"
        self._write(routes)

    def _write(self, routes: dict[str, str]) -> None:
        staged = self.routes_file.with_suffix(".tmp")
        staged.write_text(json.dumps({"routes": routes}, indent=1) + "\n")
        os.replace(staged, self.routes_file)  # a worker never reads half a file
