"""How ``eco2 scan`` and ``eco2 chat`` sign in to the API: a token, email and password, or the
dev login (``ECO2_AUTH__DEV_LOGIN=true`` on the server) under a nickname."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
import httpx

F = TypeVar("F", bound=Callable[..., Any])


def auth_options(command: F) -> F:
    """The sign-in options, in the order they are tried."""
    for option in reversed(
        (
            click.option(
                "--token", envvar="ECO2_TOKEN", default=None, help="An access token to send."
            ),
            click.option("--email", envvar="ECO2_EMAIL", default=None, help="Sign in as."),
            click.option("--password", envvar="ECO2_PASSWORD", default=None, hide_input=True),
            click.option(
                "--nickname",
                default="cli",
                show_default=True,
                help="Without a token or email: the dev login's account (the server must have "
                "ECO2_AUTH__DEV_LOGIN=true).",
            ),
        )
    ):
        command = option(command)
    return command


def sign_in(
    client: httpx.Client,
    *,
    token: str | None,
    email: str | None,
    password: str | None,
    nickname: str,
    program: str,
) -> None:
    """Put an access token on ``client``'s headers, or exit 1 saying why there is none."""
    if not token:
        if email:
            if password is None:
                password = click.prompt("password", hide_input=True, err=True)
            answer = client.post("/api/v1/auth/login", json={"email": email, "password": password})
        else:
            answer = client.post("/api/v1/auth/dev-login", json={"nickname": nickname})
            if answer.status_code == 404:
                _fail(program, "this API has no dev login: pass --email and --password")
        if answer.status_code != 200:
            _fail(program, f"sign-in refused ({answer.status_code}): {answer.text}")
        token = str(answer.json()["access_token"])
    client.headers["Authorization"] = f"Bearer {token}"


def _fail(program: str, message: str) -> None:
    click.echo(f"eco2 {program}: {message}", err=True)
    sys.exit(1)
