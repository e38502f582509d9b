"""The `sources:` list of soloml.yaml: what each entry means, and the loads it becomes."""

from __future__ import annotations

from pathlib import Path

import pytest

from soloml.config import SourceSettings, load_settings
from soloml.errors import ConfigError
from soloml.sources import load_all
from soloml.sources.configured import requests_for


def settings_with(tmp_path: Path, yaml_text: str):
    path = tmp_path / "soloml.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    return load_settings(path, env={})


def test_each_configured_source_becomes_its_own_load_request_relative_to_the_workspace(tmp_path):
    (tmp_path / "exports").mkdir()
    for name in ("b.csv", "a.csv", "notes.md"):
        (tmp_path / "exports" / name).write_text("id\n1\n")
    settings = settings_with(
        tmp_path,
        """
sources:
  - path: exports/a.csv
  - path: exports
    as: everything
  - path: "exports/*.csv"
  - url: postgresql://app@db:5432/shop
    tables: [public.orders, public.customers]
  - path: app.db
    table: customers
""",
    )
    requests = requests_for(settings.sources, root=tmp_path, env={})
    shown = [(Path(r.target).name if "://" not in r.target else r.target, r.as_name, r.table) for r in requests]
    assert shown == [
        ("a.csv", None, None),
        ("exports", "everything", None),
        ("*.csv", None, None),
        ("postgresql://app@db:5432/shop", None, "public.orders"),
        ("postgresql://app@db:5432/shop", None, "public.customers"),
        ("app.db", None, "customers"),
    ]
    assert all(Path(r.target).is_absolute() for r in requests if "://" not in r.target)


def test_a_url_may_take_its_password_from_the_environment(tmp_path):
    (source,) = settings_with(
        tmp_path, "sources:\n  - url: postgresql://app:${SHOP_DB_PASSWORD}@db/shop\n    table: orders\n"
    ).sources
    (request,) = requests_for([source], root=tmp_path, env={"SHOP_DB_PASSWORD": "s3cret"})
    assert request.target == "postgresql://app:s3cret@db/shop"
    with pytest.raises(ConfigError, match="SHOP_DB_PASSWORD"):
        requests_for([source], root=tmp_path, env={})


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ("  - path: a.csv\n    url: sqlite:///x.db\n", "exactly one of 'path' or 'url'"),
        ("  - as: orders\n", "exactly one of 'path' or 'url'"),
        ("  - url: postgresql://db/shop\n", "'table' or 'tables'"),
        ("  - path: a.csv\n    tabel: orders\n", "tabel"),
    ],
)
def test_a_malformed_source_entry_is_refused_naming_the_key(tmp_path, entry, complaint):
    with pytest.raises(ConfigError, match=complaint):
        settings_with(tmp_path, "sources:\n" + entry)


def test_a_glob_source_loads_every_matching_file_and_one_matching_nothing_fails_alone(con, tmp_path):
    (tmp_path / "exports").mkdir()
    for name in ("b.csv", "a.csv", "notes.md"):
        (tmp_path / "exports" / name).write_text("id\n1\n")
    settings = settings_with(tmp_path, "sources:\n  - path: 'exports/*.csv'\n  - path: 'missing/*.csv'\n")
    assert all(isinstance(s, SourceSettings) for s in settings.sources)
    summary = load_all(con, requests_for(settings.sources, root=tmp_path, env={}))
    assert [(Path(r.source).name, r.status) for r in summary.results] == [
        ("a.csv", "loaded"),
        ("b.csv", "loaded"),
        ("*.csv", "failed"),
    ]
    assert "missing/*.csv' matches no file" in summary.results[2].message
