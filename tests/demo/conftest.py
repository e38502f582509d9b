"""Generated Bluebird exports shared by the demo tests (generated once per session: a few seconds)."""

from __future__ import annotations

import pandas as pd
import pytest
from bluebird_helpers import read

from soloml.demo.generator import DemoExports, generate_bluebird


@pytest.fixture(scope="session")
def small(tmp_path_factory) -> DemoExports:
    """600 customers, seed 7."""
    return generate_bluebird(tmp_path_factory.mktemp("bluebird_small"), customers=600, seed=7)


@pytest.fixture(scope="session")
def large(tmp_path_factory) -> DemoExports:
    """2,000 customers: enough churners to measure the planted signal."""
    return generate_bluebird(tmp_path_factory.mktemp("bluebird_large"), customers=2000, seed=3)


@pytest.fixture(scope="session")
def frames(small: DemoExports) -> dict[str, pd.DataFrame]:
    out = {name: read(path) for name, path in small.files.items()}
    out["truth"] = read(small.truth)
    return out
