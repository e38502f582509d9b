"""Text files in any encoding small businesses meet: UTF-8 (with or without BOM), UTF-16, cp1252/Latin-1.

One streaming pass computes the sha256 and checks that the bytes decode; non-UTF-8 files are transcoded to a
temporary UTF-8 file that DuckDB then reads. Undecodable bytes raise a LoadError naming the line.
"""

from __future__ import annotations

import codecs
import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from soloml.errors import LoadError

CHUNK = 1 << 20


@dataclass(frozen=True)
class TextFile:
    """A text file ready for DuckDB: `path` is UTF-8 (the original, or a temporary transcoded copy)."""

    original: Path
    path: Path
    encoding: str
    sha256: str
    temporary: bool

    def cleanup(self) -> None:
        if self.temporary:
            self.path.unlink(missing_ok=True)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check(path: Path, encoding: str, skip: int) -> tuple[str, UnicodeDecodeError | None, int]:
    """sha256 of the whole file, and the first decoding error under `encoding` with its byte offset in the file."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    error: UnicodeDecodeError | None = None
    error_at = -1
    with path.open("rb") as fh:
        first = True
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            data = chunk[skip:] if first else chunk
            base = offset + (skip if first else 0)
            offset += len(chunk)
            first = False
            if error is not None:
                continue
            if b"\x00" in data and not encoding.startswith("utf-16"):
                line, _, _ = _position(path, base + data.index(0))
                raise LoadError(
                    f"{path.name} looks like a binary file, not text: it holds NUL bytes on line {line}.",
                    hint="Export it again as CSV (or load the original .xlsx / .parquet file).",
                )
            try:
                decoder.decode(data)
            except UnicodeDecodeError as exc:
                error, error_at = exc, base + exc.start
        if error is None:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError as exc:
                error, error_at = exc, offset - 1
    return digest.hexdigest(), error, error_at


def _position(path: Path, at: int) -> tuple[int, int, str]:
    """(line, data row, column header) of byte offset `at`, splitting on the header's most common delimiter."""
    with path.open("rb") as fh:
        before = fh.read(at)
    line = before.count(b"\n") + 1
    header = before.split(b"\n", 1)[0] if b"\n" in before else b""
    delim = max(b",;\t|", key=lambda d: header.count(bytes([d])))
    headers = header.decode("cp1252", errors="replace").strip().split(chr(delim))
    field = before[before.rfind(b"\n") + 1:].count(bytes([delim]))
    column = headers[field].strip().strip('"') if line > 1 and field < len(headers) else "?"
    return line, line - 1, column


def open_text(path: Path) -> TextFile:
    """Decide the encoding of `path` and give DuckDB a UTF-8 file to read."""
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        sha, error, _ = _check(path, "utf-8", 3)
        if error is None:
            return TextFile(path, path, "utf-8-sig", sha, False)
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _transcode(path, "utf-16", sha256_of(path))
    else:
        sha, error, _ = _check(path, "utf-8", 0)
        if error is None:
            return TextFile(path, path, "utf-8", sha, False)
    _, error, at = _check(path, "cp1252", 0)
    if error is None:
        return _transcode(path, "cp1252", sha)
    line, row, column = _position(path, at)
    bad = error.object[error.start:error.start + 1].hex()
    raise LoadError(
        f"{path.name} row {row} (line {line}), column '{column}' has a byte that is neither UTF-8 nor Windows-1252 text: "
        f"got 0x{bad}. Nothing was loaded.",
        hint="Re-export the file as CSV UTF-8 from the tool it came from, or fix that value.",
    )


def _transcode(path: Path, encoding: str, sha: str) -> TextFile:
    fd, name = tempfile.mkstemp(prefix="soloml-", suffix=".csv")
    target = Path(name)
    with path.open("r", encoding=encoding, newline="") as src, open(fd, "w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(CHUNK):
            dst.write(chunk)
    return TextFile(path, target, encoding, sha, True)


def read_head(text: TextFile, size: int = 1 << 16) -> str:
    """The first `size` bytes of the UTF-8 file as text (a partial last character is dropped)."""
    with text.path.open("rb") as fh:
        data = fh.read(size)
    return data.decode("utf-8-sig", errors="ignore")
