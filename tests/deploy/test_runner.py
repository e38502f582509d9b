"""Bind rules of `soloml serve`: an API key is required off loopback, and it must be a real secret."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from soloml.cli.app import app
from soloml.deploy.runner import api_key_for, is_loopback, serve
from soloml.errors import DeployError

KEY = "k" * 24


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.53", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("example.com", False),
    ],
)
def test_only_loopback_addresses_count_as_private(host: str, loopback: bool):
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("host", "env", "outcome"),
    [
        ("127.0.0.1", {}, None),
        ("127.0.0.1", {"SOLOML_API_KEY": KEY}, KEY),
        ("0.0.0.0", {"SOLOML_API_KEY": KEY}, KEY),
        ("0.0.0.0", {}, "Refusing to serve on 0.0.0.0 without an API key"),
        ("10.0.0.5", {"SOLOML_API_KEY": ""}, "Refusing to serve on 10.0.0.5"),
        ("0.0.0.0", {"SOLOML_API_KEY": "short"}, "is 5 characters long; use at least 16"),
    ],
)
def test_api_key_rules(host: str, env: dict, outcome: str | None):
    if outcome is None or outcome == KEY:
        assert api_key_for(host, "SOLOML_API_KEY", env) == outcome
    else:
        with pytest.raises(DeployError, match=outcome):
            api_key_for(host, "SOLOML_API_KEY", env)


def test_a_public_bind_without_a_key_refuses_to_start(ws):
    with pytest.raises(DeployError, match="SOLOML_API_KEY"):
        serve(ws, host="0.0.0.0", port=0, env={})


def test_serve_command_refuses_a_public_bind_without_a_key_naming_the_variable(ws):
    result = CliRunner().invoke(
        app, ["serve", "--host", "0.0.0.0", "--api-key-env", "ACME_KEY", "-w", str(ws.root)], env={"ACME_KEY": ""}
    )
    assert result.exit_code == 1
    assert "Refusing to serve on 0.0.0.0 without an API key" in result.output and "$ACME_KEY" in result.output


def test_score_cron_prints_crontab_and_systemd_units(ws):
    result = CliRunner().invoke(
        app, ["score", "churn", "--cron", "0 6 * * 1", "--to", "out.csv", "-w", str(ws.root), "--json"]
    )
    assert result.exit_code == 0, result.output
    import json

    plan = json.loads(result.output)
    assert plan["crontab"].startswith("0 6 * * 1 cd ")
    assert "score churn --workspace" in plan["crontab"] and "--to out.csv" in plan["crontab"]
    assert plan["on_calendar"] == ["Mon *-*-* 06:00:00"]
    assert "OnCalendar=Mon *-*-* 06:00:00" in plan["timer_unit"]


def test_score_cron_with_a_bad_expression_exits_1_with_the_field(ws):
    result = CliRunner().invoke(app, ["score", "churn", "--cron", "0 25 * * *", "-w", str(ws.root)])
    assert result.exit_code == 1 and "hour field has '25'" in result.output


def test_serve_command_starts_a_real_server_that_answers(trained_ws):
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).with_name("soloml")
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "-w", str(trained_ws.root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, (
                    proc.stderr.read().decode() if proc.poll() is not None else "timeout"
                )
                time.sleep(0.1)
        assert ready.json()["models"] == {"churn": "v0001"}
        model = httpx.get(f"http://127.0.0.1:{port}/v1/churn/model", timeout=5).json()
        assert model["model_version"] == "v0001"
    finally:
        proc.terminate()
        proc.wait(15)
    assert f"on http://127.0.0.1:{port}" in proc.stdout.read().decode()
