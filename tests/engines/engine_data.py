"""Shared pieces of the engine tests: an accounts table with a learnable churn signal, its project, a real LocalCluster."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from churn_project import churn_spec as churn_spec  # shared with the other helpers
from soloml.projects.spec import save_spec
from soloml.workspace import Workspace, init_workspace

CLUSTER_TIMEOUT = 60  # seconds for the cluster to start and stop


def accounts(n: int, seed: int) -> pd.DataFrame:
    """Accounts whose churn rises with failed payments and a weekly plan and falls with orders and email opens."""
    rng = np.random.default_rng(seed)
    plan = rng.choice(["monthly", "annual", "weekly"], size=n, p=[0.6, 0.3, 0.1])
    orders = rng.poisson(3, n)
    failed = rng.poisson(0.4, n)
    opens = rng.poisson(2, n)
    revenue = np.round(rng.gamma(2.0, 30.0, n), 2)
    auto_renew = rng.random(n) < 0.7
    logit = (
        -1.0
        + 1.1 * failed
        - 0.45 * orders
        - 0.3 * opens
        + 0.8 * (plan == "weekly")
        - 0.6 * auto_renew
        + 0.004 * revenue
    )
    churned = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame(
        {
            "account_id": [f"acct_{seed}_{i:06d}" for i in range(n)],
            "plan": plan,
            "orders_90d": orders,
            "failed_payments_30d": failed,
            "email_opens_30d": opens,
            "revenue_90d": revenue,
            "auto_renew": auto_renew,
            "churned": churned,
        }
    )


def accounts_workspace(root: Path, frame: pd.DataFrame, *, warehouse: str | None = None) -> Workspace:
    """A workspace whose raw.accounts is `frame` and whose projects/churn.yaml is `churn_spec()` (`warehouse` a URL or file)."""
    ws = init_workspace(root, name="Acme", warehouse=warehouse)
    save_spec(churn_spec(), ws.projects_dir)
    con = ws.connect()
    try:
        con.register("accounts_df", frame)
        con.execute("CREATE OR REPLACE TABLE raw.accounts AS SELECT * FROM accounts_df")
    finally:
        con.close()
    return ws


@contextmanager
def local_cluster(**config: Any) -> Iterator[Any]:
    """The cluster the issue names: 2 worker processes, 1 thread each, on 127.0.0.1, no dashboard; `config` for dask.config."""
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set(config), warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="Port .* is already in use"
        )  # another cluster holds the default HTTP port
        cluster = LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            timeout=CLUSTER_TIMEOUT,
        )
    client = Client(cluster, timeout=CLUSTER_TIMEOUT)
    try:
        yield client
    finally:
        client.close(timeout=CLUSTER_TIMEOUT)
        cluster.close(timeout=CLUSTER_TIMEOUT)
