"""Data and a real trained model for the deploy tests: accounts in raw.accounts, the churn spec, training through soloml.modeling."""

from __future__ import annotations

import numpy as np
import pandas as pd

from churn_project import churn_spec as churn_spec  # shared with the other helpers
from soloml.features.trainingset import TrainingSet
from soloml.workspace import Workspace

ROWS = 800


def accounts(n: int = ROWS, seed: int = 3) -> pd.DataFrame:
    """Accounts whose churn rises with failed payments and falls with orders and email opens."""
    rng = np.random.default_rng(seed)
    plan = rng.choice(["monthly", "annual", "weekly"], size=n, p=[0.6, 0.3, 0.1])
    orders = rng.poisson(3, n)
    failed = rng.poisson(0.4, n)
    opens = rng.poisson(2, n)
    revenue = np.round(rng.gamma(2.0, 30.0, n), 2)
    auto_renew = rng.random(n) < 0.7
    logit = -1.0 + 1.1 * failed - 0.45 * orders - 0.3 * opens + 0.8 * (plan == "weekly") - 0.6 * auto_renew
    churned = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    revenue = revenue.astype(object)
    revenue[rng.random(n) < 0.05] = None
    return pd.DataFrame(
        {
            "account_id": [f"acct_{i:04d}" for i in range(n)],
            "plan": plan,
            "orders_90d": orders,
            "failed_payments_30d": failed,
            "email_opens_30d": opens,
            "revenue_90d": revenue,
            "auto_renew": auto_renew,
            "churned": churned,
        }
    )


FEATURES = ("plan", "orders_90d", "failed_payments_30d", "email_opens_30d", "revenue_90d", "auto_renew")
DESCRIPTIONS = {
    "orders_90d": "orders in the last 90 days",
    "failed_payments_30d": "failed payments in the last 30 days",
}


def training_set(frame: pd.DataFrame) -> TrainingSet:
    """The TrainingSet the table recipe would hand to modeling, built by hand."""
    data = frame.rename(columns={"account_id": "entity_id", "churned": "label"}).assign(cutoff=pd.NaT)
    data["revenue_90d"] = data["revenue_90d"].astype("float64")
    return TrainingSet(
        project="churn",
        frame=data.loc[:, ["entity_id", "cutoff", "label", *FEATURES]],
        features=FEATURES,
        task="binary",
        categorical=("plan",),
        spec_hash=churn_spec().spec_hash(),
        descriptions=DESCRIPTIONS,
    )


def train_version(ws: Workspace, *, params: dict | None = None, promote_it: bool = True) -> str:
    """Train on the workspace's raw.accounts through the real modeling code, save it, optionally promote it."""
    from soloml.modeling import train
    from soloml.registry import promote, save_model

    con = ws.connect()
    try:
        result = train(training_set(con.execute("SELECT * FROM raw.accounts").fetchdf()), churn_spec(), params=params)
        version = save_model(ws.models_dir, result, con=con)
        if promote_it:
            promote(con, ws.models_dir, "churn", version)
        return version
    finally:
        con.close()
