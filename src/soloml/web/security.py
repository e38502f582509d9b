"""What keeps the dashboard safe by default: loopback bind, an API key for anything else, CSRF tokens on every POST.

- Binding: the same rule as `soloml serve` (`deploy.runner.api_key_for`): a non-loopback address needs a key of
  16+ characters in $SOLOML_API_KEY (or the variable named by --api-key-env), else the dashboard refuses to start.
- With a key, every page needs it: a person types it once at /login (a cookie keeps it, HttpOnly, SameSite=Strict);
  scripts may send it as the X-API-Key header.
- CSRF: a per-process secret signs a token (HMAC-SHA256 over a random nonce). Every form that changes state carries
  one in a hidden field; a POST without a valid token, or from another origin, is refused with 403. A page from
  another site cannot read the token (same-origin policy), so it cannot forge the form.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

KEY_COOKIE = "soloml_ui_key"


@dataclass(frozen=True)
class Guard:
    """The per-process secret and, when bound publicly, the API key."""

    api_key: str | None = None
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def new_token(self) -> str:
        nonce = secrets.token_urlsafe(16)
        return f"{nonce}.{self._sign(nonce)}"

    def token_ok(self, token: str | None) -> bool:
        if not token or "." not in token:
            return False
        nonce, _, mac = token.partition(".")
        return hmac.compare_digest(mac, self._sign(nonce))

    def key_ok(self, presented: str | None) -> bool:
        if self.api_key is None:
            return True
        return presented is not None and hmac.compare_digest(presented.encode(), self.api_key.encode())

    def _sign(self, nonce: str) -> str:
        return hmac.new(self.secret, nonce.encode(), hashlib.sha256).hexdigest()


def same_origin(origin: str | None, referer: str | None, host: str | None) -> bool:
    """A browser names the page a POST came from (Origin, else Referer); when it does, it must be this host.

    Neither header (a script, curl): left to the token, which such a client must still send.
    """
    claimed = origin or referer
    if claimed is None:
        return True
    if claimed == "null":
        return False
    return urlsplit(claimed).netloc == (host or "")
