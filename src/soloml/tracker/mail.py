"""Send a plain-text e-mail over SMTP (smtplib): settings from soloml.yaml `smtp:` / SOLOML_SMTP_*, password from env only.

    smtp:
      host: smtp.example.com
      port: 587
      security: starttls        # tls (port 465), starttls (port 587) or none (a relay on this machine)
      user: data@example.com
      from: data@example.com
      to: [ceo@example.com, ops@example.com]

The password is read from $SOLOML_SMTP_PASSWORD and nowhere else.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from soloml.config import SmtpSettings
from soloml.errors import ConfigError, TrackerError

PASSWORD_ENV = "SOLOML_SMTP_PASSWORD"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class Delivery:
    """What the server accepted."""

    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    message_id: str

    def to_facts(self) -> dict[str, object]:
        return {
            "host": self.host,
            "port": self.port,
            "from": self.sender,
            "to": list(self.recipients),
            "message_id": self.message_id,
        }


def _check(settings: SmtpSettings, password: str | None) -> tuple[str, str]:
    missing = [
        (name, f"soloml.yaml smtp.{key}", f"${env}")
        for name, key, env, value in (
            ("the mail server", "host", "SOLOML_SMTP_HOST", settings.host),
            ("the From address", "from", "SOLOML_SMTP_FROM", settings.sender),
            ("who gets it", "to", "SOLOML_SMTP_TO", settings.to),
        )
        if not value
    ]
    if missing:
        looked = "; ".join(f"{name}: looked at {a} and {b}" for name, a, b in missing)
        raise ConfigError(
            f"Cannot send the update: settings are missing ({looked}).",
            hint="Add an smtp: block to soloml.yaml (see docs/board-and-update.md) or set those variables.",
        )
    if settings.user and not password:
        raise ConfigError(
            f"smtp.user is {settings.user!r} but ${PASSWORD_ENV} is not set.",
            hint=f"Set {PASSWORD_ENV} in the environment (it is never read from soloml.yaml).",
        )
    if password and settings.security == "none" and settings.host not in LOCAL_HOSTS:
        raise ConfigError(
            f"smtp.security is 'none', so the password would cross the network to {settings.host} unencrypted.",
            hint="Use security: starttls (port 587) or tls (port 465).",
        )
    return str(settings.host), str(settings.sender)


def send_mail(
    settings: SmtpSettings,
    subject: str,
    body: str,
    *,
    attachment: tuple[str, str] | None = None,
    env: dict[str, str] | None = None,
    context: ssl.SSLContext | None = None,
    timeout: float = 30.0,
) -> Delivery:
    """Send `body` (plain text) with an optional text attachment (file name, content) to settings.to."""
    env = dict(os.environ) if env is None else env
    password = env.get(PASSWORD_ENV) or None
    host, sender = _check(settings, password)
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, sender, ", ".join(settings.to)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(body)
    if attachment is not None:
        message.add_attachment(attachment[1], subtype="markdown", filename=attachment[0])
    context = context or ssl.create_default_context()
    where = f"{host}:{settings.port}"
    try:
        client = (
            smtplib.SMTP_SSL(host, settings.port, timeout=timeout, context=context)
            if settings.security == "tls"
            else smtplib.SMTP(host, settings.port, timeout=timeout)
        )
        with client:
            if settings.security == "starttls":
                client.starttls(context=context)
            if settings.user:
                client.login(settings.user, password or "")
            client.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise TrackerError(
            f"The mail server {where} refused the login for {settings.user!r}: {exc.smtp_code} {_text(exc.smtp_error)}.",
            hint=f"Check smtp.user and ${PASSWORD_ENV}.",
        ) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise TrackerError(
            f"The mail server {where} refused the recipients {', '.join(exc.recipients)}.",
            hint="Check smtp.to in soloml.yaml.",
        ) from exc
    except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
        raise TrackerError(
            f"Could not send the update through {where} ({settings.security}): {exc}.",
            hint="Check smtp.host, smtp.port and smtp.security in soloml.yaml (or SOLOML_SMTP_*), and that the server is reachable.",
        ) from exc
    return Delivery(host, settings.port, sender, tuple(settings.to), str(message["Message-ID"]))


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
