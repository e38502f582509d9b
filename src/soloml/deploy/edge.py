"""What every /v1 route of the service checks before doing any work, in one order, one way.

1. the API key: the raw `X-API-Key` header bytes against the key's UTF-8 bytes, in constant time (so a
   non-ASCII key works, or fails, the same on every route);
2. the body: at most MAX_BODY bytes (413 beyond, without reading the rest), and a JSON content type when
   one is declared (415 for text/plain, forms, ...);
3. error text: absolute paths of the workspace are shown relative to it (`/ready` is unauthenticated).

The predict routes (service.py) and the experiment assign route (experiments/http.py) both use `Edge`.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

MAX_BODY = 4 * 1024 * 1024  # bytes: 1,000 records of a few hundred features fit well within it
MAX_TEXT = 200  # characters of any user-supplied text echoed in an error body
JSON = "application/json"
Answer = tuple[int, bytes]
Receive = Callable[[], Awaitable[dict[str, Any]]]


def dump(payload: Any, status: int = 200) -> Answer:
    return status, json.dumps(payload, ensure_ascii=False, allow_nan=False).encode()


def problem(status: int, message: str, **extra: Any) -> Answer:
    return dump({"detail": message, **extra}, status)


def header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    """The raw bytes of header `name` (lower-case) from an ASGI scope's header list."""
    return next((value for key, value in headers if key == name), None)


def clipped(text: str, limit: int = MAX_TEXT) -> str:
    """User-supplied text cut to `limit` characters for an error body."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def public_text(text: str, base: Path | None) -> str:
    """`text` with the workspace folder's absolute path removed: '/srv/acme/models/x' -> 'models/x'."""
    if base is None:
        return text
    for folder in dict.fromkeys((str(base.resolve()), str(base))):
        text = re.sub(
            re.escape(folder) + r"(?:/|(?![\w-]|\.\w))",
            lambda m: "" if m.group().endswith("/") else "the workspace",
            text,
        )
    return text


def validation_errors(exc: Any, limit: int = 20) -> list[dict[str, Any]]:
    """A pydantic ValidationError as at most `limit` {loc, msg, type} items: never the input, long keys clipped."""
    out = []
    for err in exc.errors(include_url=False, include_input=False, include_context=False)[:limit]:
        loc = [clipped(part, 80) if isinstance(part, str) else part for part in err["loc"]]
        out.append({"loc": ["body", *loc], "msg": clipped(err["msg"]), "type": err["type"]})
    return out


class Edge:
    """The key, body and error-text rules of one running service."""

    def __init__(self, api_key: str | None, *, base: Path | None = None, max_body: int = MAX_BODY) -> None:
        self.key = api_key.encode("utf-8") if api_key else None
        self.base = base
        self.max_body = max_body

    def refused(self, given: bytes | None) -> Answer | None:
        """401 unless the service has no key or `given` (raw header bytes) is exactly its UTF-8 bytes."""
        if self.key is None or (given is not None and hmac.compare_digest(given, self.key)):
            return None
        return problem(401, "Missing or wrong API key: send it in the X-API-Key header.")

    @staticmethod
    def unsupported(content_type: bytes | None) -> Answer | None:
        """415 for a declared content type that is not JSON (application/json or application/*+json)."""
        if content_type is None:
            return None
        kind = content_type.split(b";", 1)[0].strip().lower()
        if kind == b"application/json" or (kind.startswith(b"application/") and kind.endswith(b"+json")):
            return None
        shown = clipped(content_type.decode("latin-1"), 80)
        return problem(415, f"The body must be JSON sent as Content-Type: application/json, got '{shown}'.")

    async def body(self, receive: Receive, declared: bytes | None = None) -> bytes | Answer:
        """The whole request body, or a 413 as soon as it passes `max_body` (the rest is not read)."""
        too_big = problem(
            413, f"The request body is larger than {self.max_body // (1024 * 1024)} MB; split it into smaller calls."
        )
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            return too_big
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return too_big
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    def shown(self, text: str) -> str:
        return public_text(text, self.base)


def edge_of(app: Any) -> Edge:
    """The service's own checks (key, body, paths) for a mounted router; a bare FastAPI app gets them from its api_key."""
    edge = getattr(app.state, "edge", None)
    return edge if isinstance(edge, Edge) else Edge(getattr(app.state, "api_key", None))
