"""Fixtures for the modeling tests: a workspace file with a planted signal."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def accounts(ws):
    """A flat table with a planted signal: free-plan accounts with few logins churn."""
    rng = np.random.default_rng(0)
    n = 600
    df = pd.DataFrame(
        {
            "account_id": [f"a{i}" for i in range(n)],
            "plan": rng.choice(["free", "pro", "team"], n),
            "logins_30d": rng.poisson(10, n),
        }
    )
    logit = -1.5 - 0.4 * (df.logins_30d - 10) + 2.0 * (df.plan == "free")
    df["churned"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    path = ws.root / "accounts.csv"
    df.to_csv(path, index=False)
    return path
