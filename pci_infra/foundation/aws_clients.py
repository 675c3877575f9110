"""boto3 clients for a target: the emulator (its endpoint and throwaway credentials) or real AWS.

Shared by synthesis (account-singleton lookups) and the harness (probes, sweep), so both reach the
same account the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

EMULATOR_CREDENTIALS: Mapping[str, str] = {
    "AWS_ACCESS_KEY_ID": "emulator",
    "AWS_SECRET_ACCESS_KEY": "emulator",
    "AWS_SESSION_TOKEN": "emulator",
}
"""Credentials the emulator accepts; they never reach AWS because every endpoint points at it."""

ClientFactory = Callable[[str], Any]
"""Makes a boto3 client for a service name."""


@cache
def _shared_loader() -> Any:
    """One botocore data loader per process: each service model is parsed once, not once per session."""
    from botocore.loaders import create_loader

    return create_loader()


def client_factory(
    region: str,
    endpoint: str | None = None,
    credentials: Mapping[str, str] | None = None,
    config: Any = None,
) -> ClientFactory:
    """A factory of boto3 clients for ``region``.

    At ``endpoint`` with ``credentials`` when given, else the usual credential chain; ``config`` is a
    botocore ``Config``.
    """
    import boto3  # imported on use: synthesis with explicit settings never needs it
    import botocore.session

    core = botocore.session.Session()
    core.register_component("data_loader", _shared_loader())
    session = boto3.session.Session(region_name=region, botocore_session=core)
    search_paths = core.get_component("data_loader").search_paths
    search_paths[:] = dict.fromkeys(search_paths)  # each boto3 session appends its data path again
    keys: dict[str, Any] = {}
    if credentials:
        keys = {
            "aws_access_key_id": credentials["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": credentials["AWS_SECRET_ACCESS_KEY"],
            "aws_session_token": credentials.get("AWS_SESSION_TOKEN"),
        }
    if endpoint:
        keys["endpoint_url"] = endpoint

    def client(service: str) -> Any:
        return session.client(service, config=config, **keys)  # type: ignore[call-overload]

    return client
