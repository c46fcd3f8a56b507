"""Refuse to listen beyond this machine while tokens are signed with the public development key.

The default ``ECO2_AUTH__SECRET_KEY`` is in the source, so anyone could sign a token for any
user with it. On loopback only this machine's own users can reach the port (the demo, the tests,
``make serve``); on any other address the process stops before it listens.
"""

from __future__ import annotations

import ipaddress

import click

from domains.auth.settings import AuthSettings


def loopback(host: str) -> bool:
    """Whether ``host`` names only this machine (``localhost`` or a loopback address)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name other than localhost may resolve anywhere
        return False


def require_private_key(host: str, auth: AuthSettings) -> None:
    """Stop with a usage error when ``host`` is reachable from elsewhere and the key is public."""
    if auth.public_key() and not loopback(host):
        raise click.UsageError(
            f"refusing to listen on {host}: tokens would be signed with the public development "
            "key; set ECO2_AUTH__SECRET_KEY (e.g. `openssl rand -hex 32`), or listen on 127.0.0.1"
        )
