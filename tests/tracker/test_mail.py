"""`soloml update --send`: the update delivered over SMTP to a real local server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import email
import shutil
import socket
import ssl
import subprocess
from datetime import date
from email import policy

import pytest

from soloml.config import SmtpSettings, load_settings
from soloml.errors import ConfigError, TrackerError
from soloml.tracker.mail import send_mail
from soloml.tracker.update import write_update
from tracker.helpers import fixed_log

aiosmtpd = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is in the test extra: pip install -e '.[test]'")


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server():
    inbox = Inbox()
    controller = aiosmtpd.Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


def _settings(port: int, **extra) -> SmtpSettings:
    return SmtpSettings.model_validate(
        {
            "host": "127.0.0.1",
            "port": port,
            "security": "none",
            "from": "data@bluebird.test",
            "to": ["ceo@bluebird.test", "ops@bluebird.test"],
            **extra,
        }
    )


def test_soloml_update_send_delivers_the_text_with_the_markdown_attached(ws, server):
    inbox, port = server
    (ws.root / "soloml.yaml").write_text(
        f"name: Bluebird Coffee\nsmtp:\n  host: 127.0.0.1\n  port: {port}\n  security: none\n  from: data@bluebird.test\n  to: [ceo@bluebird.test]\n",
        encoding="utf-8",
    )
    from soloml.workspace import open_workspace

    update = write_update(open_workspace(ws.root), log=fixed_log(), today=date(2026, 12, 1), send=True, env={})
    assert update.delivery.recipients == ("ceo@bluebird.test",)
    [message] = inbox.messages
    assert inbox.envelopes == [("data@bluebird.test", ["ceo@bluebird.test"])]
    assert message["Subject"] == "Bluebird Coffee: weekly update, 2026-11-24 to 2026-12-01"
    assert message["Message-ID"] == update.delivery.message_id
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert body.rstrip("\n") == update.text().rstrip("\n") and "Decisions needed" in body
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "update-2026-12-01.md" and attachment.get_content().startswith(
        "# Bluebird Coffee"
    )


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed to make a throw-away certificate")
def test_starttls_and_login_use_the_password_from_the_environment_only(tmp_path):
    from aiosmtpd.smtp import AuthResult

    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret", handled=False)

    inbox = Inbox()
    controller = aiosmtpd.Controller(
        inbox,
        hostname="127.0.0.1",
        port=_free_port(),
        tls_context=server_tls,
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
        auth_exclude_mechanism=["LOGIN"],
    )
    controller.start()
    try:
        client_tls = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
        settings = _settings(controller.port, security="starttls", user="data")
        send_mail(settings, "Weekly", "Hello", env={"SOLOML_SMTP_PASSWORD": "s3cret"}, context=client_tls)
        with pytest.raises(TrackerError, match="refused the login for 'data'"):
            send_mail(settings, "Weekly", "Hello", env={"SOLOML_SMTP_PASSWORD": "wrong"}, context=client_tls)
    finally:
        controller.stop()
    assert logins == [(b"data", b"s3cret"), (b"data", b"wrong")]
    assert [m["Subject"] for m in inbox.messages] == ["Weekly"]


def test_an_unreachable_server_is_an_error_naming_host_port_and_settings():
    with pytest.raises(TrackerError, match=r"through 127\.0\.0\.1:\d+ \(none\).*smtp\.host, smtp\.port"):
        send_mail(_settings(_free_port()), "s", "b", env={})


@pytest.mark.parametrize(
    ("settings", "env", "message"),
    [
        ({"host": None}, {}, "the mail server: looked at soloml.yaml smtp.host and $SOLOML_SMTP_HOST"),
        ({"to": []}, {}, "who gets it: looked at soloml.yaml smtp.to and $SOLOML_SMTP_TO"),
        ({"user": "data"}, {}, "smtp.user is 'data' but $SOLOML_SMTP_PASSWORD is not set"),
        (
            {"host": "smtp.bluebird.test", "user": "data"},
            {"SOLOML_SMTP_PASSWORD": "x"},
            "password would cross the network",
        ),
    ],
)
def test_missing_or_unsafe_mail_settings_are_refused_before_connecting(settings, env, message):
    with pytest.raises(ConfigError) as info:
        send_mail(_settings(1, **settings), "s", "b", env=env)
    assert message in str(info.value)


def test_smtp_settings_come_from_soloml_yaml_and_env_and_a_password_in_the_file_is_refused(tmp_path):
    path = tmp_path / "soloml.yaml"
    path.write_text("smtp:\n  host: smtp.bluebird.test\n  from: data@bluebird.test\n", encoding="utf-8")
    s = load_settings(
        path, env={"SOLOML_SMTP_PORT": "465", "SOLOML_SMTP_SECURITY": "tls", "SOLOML_SMTP_TO": "a@x.test, b@x.test"}
    )
    assert (s.smtp.host, s.smtp.port, s.smtp.security, s.smtp.sender, s.smtp.to) == (
        "smtp.bluebird.test",
        465,
        "tls",
        "data@bluebird.test",
        ["a@x.test", "b@x.test"],
    )
    path.write_text("smtp:\n  host: h\n  password: hunter2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="smtp.password' is not allowed.*SOLOML_SMTP_PASSWORD"):
        load_settings(path, env={})
