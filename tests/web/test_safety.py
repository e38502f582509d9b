"""Safe by default: a public bind without a key refuses to start; with a key every page asks for it; tokens are signed."""

from __future__ import annotations

import socket

import httpx
import pytest
from typer.testing import CliRunner

from soloml.cli.app import app
from soloml.deploy.runner import running
from soloml.errors import DeployError
from soloml.web import create_ui, serve_ui
from soloml.web.security import Guard, same_origin

KEY = "a-key-of-more-than-sixteen-characters"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "dashboard.example.com"])
def test_soloml_ui_refuses_a_public_address_without_an_api_key(ws, monkeypatch, host):
    monkeypatch.delenv("SOLOML_API_KEY", raising=False)
    result = CliRunner().invoke(app, ["ui", "--host", host, "--port", str(_free_port()), "--dir", str(ws.root)])
    assert result.exit_code != 0
    assert f"Refusing to serve on {host} without an API key" in result.output
    assert "SOLOML_API_KEY" in result.output
    with pytest.raises(DeployError, match="without an API key"):
        serve_ui(ws, host=host, port=_free_port())


def test_soloml_ui_refuses_a_short_key_too(ws, monkeypatch):
    monkeypatch.setenv("SOLOML_API_KEY", "short")
    result = CliRunner().invoke(app, ["ui", "--host", "0.0.0.0", "--port", str(_free_port()), "--dir", str(ws.root)])
    assert result.exit_code != 0 and "at least 16" in result.output


def test_with_a_key_every_page_needs_it_and_login_gives_it(ws):
    with running(create_ui(ws, api_key=KEY)) as service, httpx.Client(base_url=service.url, timeout=20) as client:
        r = client.get("/", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"
        assert client.get("/data", follow_redirects=False).status_code == 303
        assert client.post("/models/churn/rollback").status_code == 401
        assert client.get("/", headers={"X-API-Key": KEY}).status_code == 200
        assert client.get("/", headers={"X-API-Key": KEY + "x"}, follow_redirects=False).status_code == 303
        form = client.get("/login").text
        csrf = form.split('name="csrf_token" value="')[1].split('"')[0]
        assert client.post("/login", data={"key": "wrong-key-wrong-key", "csrf_token": csrf}).status_code == 401
        r = client.post("/login", data={"key": KEY, "csrf_token": csrf}, follow_redirects=False)
        assert r.status_code == 303 and "httponly" in r.headers["set-cookie"].lower()
        assert client.get("/", follow_redirects=False).status_code == 200  # the cookie now carries the key


def test_an_empty_workspace_renders_every_page(ws):
    with running(create_ui(ws)) as service, httpx.Client(base_url=service.url, timeout=20) as client:
        for path in ("/", "/data", "/models", "/experiments"):
            r = client.get(path)
            assert r.status_code == 200, (path, r.text[:500])
        assert "No projects yet" in client.get("/").text
        assert "Nothing loaded yet." in client.get("/data").text


def test_tokens_are_signed_by_this_process_only():
    guard = Guard()
    good = guard.new_token()
    assert guard.token_ok(good)
    assert guard.new_token() != good
    nonce, mac = good.split(".")
    assert not guard.token_ok(f"{nonce}.{'0' * len(mac)}")
    assert not guard.token_ok(f"other{nonce}.{mac}")
    assert not guard.token_ok("")
    assert not guard.token_ok(None)
    assert not Guard().token_ok(good)  # another dashboard process: another secret


@pytest.mark.parametrize(
    ("origin", "referer", "host", "ok"),
    [
        (None, None, "127.0.0.1:8050", True),
        ("http://127.0.0.1:8050", None, "127.0.0.1:8050", True),
        (None, "http://127.0.0.1:8050/models", "127.0.0.1:8050", True),
        ("http://evil.example", None, "127.0.0.1:8050", False),
        (None, "http://evil.example/page", "127.0.0.1:8050", False),
        ("null", None, "127.0.0.1:8050", False),
        ("http://127.0.0.1:9999", None, "127.0.0.1:8050", False),
    ],
)
def test_a_post_must_come_from_the_dashboards_own_pages(origin, referer, host, ok):
    assert same_origin(origin, referer, host) is ok


def test_soloml_ui_serves_the_dashboard_on_loopback_by_default(ws):
    import subprocess
    import sys
    import time

    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from soloml.cli.app import main; main()",
            "ui",
            "--port",
            str(port),
            "--dir",
            str(ws.root),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        answer = None
        for _ in range(300):  # bounded: up to ~60 s on a busy machine
            if proc.poll() is not None:
                break
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert answer is not None and answer.status_code == 200, (
            proc.stdout.read() if proc.poll() is not None else "no answer"
        )
        assert "Project board" in answer.text
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert f"http://127.0.0.1:{port}/" in proc.stdout.read()
