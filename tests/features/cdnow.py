"""A real transaction log: the CDNOW sample (Fader & Hardie), shipped in the `lifetimes` package (MIT).

6,919 purchases by 2,357 customers of the CD retailer CDNOW, January 1997 to June 1998, dated by day
only (YYYYMMDD): customer number, sample index, date, number of CDs, dollar value. Loaded the way a
user would: written as a CSV with a line number as the order number (the log has none, and two
identical purchases on one day are still two orders), mapped onto core.orders by a mapping YAML, and
loaded with `soloml load`.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from soloml.cli.app import app
from soloml.workspace import Workspace

MAPPING = """\
table: orders
source: cdnow
match: {file: "cdnow_*.csv"}
columns:
  order_id: line
  customer_id: customer
  ordered_at: date
  total: dollars
  item_count: cds
  status: paid
  currency: USD
formats: {ordered_at: "%Y%m%d"}
"""


def cdnow_path() -> Path:
    """CDNOW_sample.txt inside the installed `lifetimes` distribution (found without importing it)."""
    try:
        dist = importlib.metadata.distribution("lifetimes")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("the 'lifetimes' package (test extra) is not installed: it ships the CDNOW transaction log")
    return Path(str(dist.locate_file("lifetimes/datasets/CDNOW_sample.txt")))


def cdnow_log() -> pd.DataFrame:
    """The log as the CSV a user would load: line, customer (text, zero-padded), sample_id, date (text), cds, dollars."""
    log = pd.read_csv(
        cdnow_path(),
        sep=r"\s+",
        header=None,
        names=["customer", "sample_id", "date", "cds", "dollars"],
        dtype={"customer": str, "date": str},
    )
    return log.assign(line=range(1, len(log) + 1)).loc[:, ["line", "customer", "sample_id", "date", "cds", "dollars"]]


def load_cdnow(ws: Workspace, *, emails: bool = False) -> pd.DataFrame:
    """Write the CSV and the mapping into `ws`, load it through the CLI; returns the log with `at` (a Timestamp).

    `emails` adds a made-up address per customer number (the real log has none), mapped as the email.
    """
    log = cdnow_log()
    mapping = MAPPING
    if emails:
        log["email"] = "buyer" + log["customer"] + "@cdnow.example"
        mapping = MAPPING.replace("  currency: USD\n", "  currency: USD\n  email: email\n")
    path = ws.root / "cdnow_sample.csv"
    log.to_csv(path, index=False)
    ws.mappings_dir.mkdir(parents=True, exist_ok=True)
    (ws.mappings_dir / "cdnow.yaml").write_text(mapping, encoding="utf-8")
    result = CliRunner().invoke(app, ["load", str(path), "--workspace", str(ws.root)])
    assert result.exit_code == 0, result.output
    return log.assign(at=pd.to_datetime(log["date"], format="%Y%m%d"))
