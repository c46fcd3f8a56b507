"""``eco2 deploy status``: each function's ready revision, replicas and queue lag in a cluster."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from eco2.deploy_status import FunctionStatus

# Exit codes scripts can tell apart: no cluster configured, or the cluster did not answer.
EXIT_NO_CLUSTER = 3
EXIT_CLUSTER_ERROR = 4


@click.group()
def deploy() -> None:
    """The deployed system, read from the Kubernetes API (README, "Deploy")."""


@deploy.command()
@click.option("--namespace", "-n", default="eco2", show_default=True)
@click.option("--kubeconfig", default=None, help="Default: $KUBECONFIG or ~/.kube/config.")
@click.option("--context", default=None, help="kubeconfig context; default: the current one.")
@click.option("--json", "as_json", is_flag=True, help="One JSON array instead of a table.")
def status(namespace: str, kubeconfig: str | None, context: str | None, as_json: bool) -> None:
    """Each function's ready Knative revision, its KEDA worker's ready/desired replicas, and the
    queue lag KEDA scales it on (summed over its triggers, from the external metrics API).

    Exit 3 when no cluster is configured, 4 when the cluster does not answer.
    """
    from urllib3.exceptions import HTTPError

    from eco2.deploy_status import ClusterError, NoCluster, collect, load_api_client

    try:
        api_client = load_api_client(kubeconfig, context)
    except NoCluster as exc:
        click.echo(f"eco2 deploy status: no cluster configured: {exc}", err=True)
        raise SystemExit(EXIT_NO_CLUSTER) from exc
    try:
        with api_client:
            statuses = collect(api_client, namespace)
    except (ClusterError, HTTPError) as exc:
        click.echo(f"eco2 deploy status: the cluster did not answer: {exc}", err=True)
        raise SystemExit(EXIT_CLUSTER_ERROR) from exc
    if as_json:
        click.echo(json.dumps([s.model_dump() for s in statuses], indent=2))
        return
    _print_table(namespace, statuses)


def _print_table(namespace: str, statuses: list[FunctionStatus]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Eco² functions in namespace {namespace}")
    for column in ("function", "ready revision (Knative)", "replicas ready/desired", "lag"):
        table.add_column(column, justify="right" if column == "lag" else "left")
    table.add_column("notes")
    for s in statuses:
        revision = s.ready_revision or ("(none ready)" if s.knative_service else "–")
        replicas = "–" if s.worker is None else f"{s.ready_replicas}/{s.desired_replicas}"
        lag = "–" if s.lag is None else str(s.lag)
        table.add_row(s.function, revision, replicas, lag, "; ".join(s.notes))
    Console().print(table)
