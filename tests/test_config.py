"""Settings: the CRM's time zone is remembered in soloml.yaml beside everything else, and only a real zone is kept."""

from __future__ import annotations

import pytest

from soloml.config import load_settings, remember_crm_timezone
from soloml.errors import ConfigError
from soloml.workspace import CONFIG_FILE, init_workspace


def test_remembering_the_crm_time_zone_keeps_every_other_setting_and_the_header(tmp_path):
    ws = init_workspace(tmp_path / "acme", name="Acme")
    config = ws.root / CONFIG_FILE
    remember_crm_timezone(config, "America/Chicago")
    settings = load_settings(config)
    assert (settings.crm.timezone, settings.name, settings.currency) == ("America/Chicago", "Acme", "USD")
    assert config.read_text(encoding="utf-8").startswith("# soloml workspace settings.")


@pytest.mark.parametrize("zone", ["Mars/Base", "Central"])
def test_an_unknown_crm_time_zone_is_refused_naming_the_key(tmp_path, zone):
    ws = init_workspace(tmp_path / "acme")
    config = ws.root / CONFIG_FILE
    with pytest.raises(ValueError, match="not a time-zone name"):
        remember_crm_timezone(config, zone)
    config.write_text(config.read_text(encoding="utf-8") + f"crm: {{timezone: {zone}}}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="crm.timezone"):
        load_settings(config)


def test_soloml_warehouse_url_overrides_the_warehouse_in_soloml_yaml(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    url = "postgresql://soloml@db.example.com/warehouse"
    assert load_settings(ws.path(CONFIG_FILE), env={}).warehouse == "warehouse.duckdb"
    assert load_settings(ws.path(CONFIG_FILE), env={"SOLOML_WAREHOUSE_URL": url}).warehouse == url
    both = {"SOLOML_WAREHOUSE": "other.duckdb", "SOLOML_WAREHOUSE_URL": url}
    assert load_settings(ws.path(CONFIG_FILE), env=both).warehouse == url
