"""The local dashboard (`soloml ui`): server-rendered pages over the facts the CLI prints, safe by default."""

from soloml.web.app import create_ui
from soloml.web.server import serve_ui

__all__ = ["create_ui", "serve_ui"]
