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
    """sha256 of the whole file, and the first decoding error (with the line it is on) under `encoding`."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    error: UnicodeDecodeError | None = None
    with path.open("rb") as fh:
        first = True
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            data = chunk[skip:] if first else chunk
            first = False
            if error is None:
                if b"\x00" in data and not encoding.startswith("utf-16"):
                    raise LoadError(
                        f"{path.name} looks like a binary file, not text: it holds NUL bytes near line {line + data[:data.index(0)].count(10)}.",
                        hint="Export it again as CSV (or load the original .xlsx / .parquet file).",
                    )
                try:
                    decoder.decode(data)
                except UnicodeDecodeError as exc:
                    error = exc
                    line += data[: exc.start].count(b"\n")
                    continue
                line += data.count(b"\n")
        if error is None:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError as exc:
                error = exc
    return digest.hexdigest(), error, line


def open_text(path: Path) -> TextFile:
    """Decide the encoding of `path` and give DuckDB a UTF-8 file to read."""
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        sha, error, line = _check(path, "utf-8", 3)
        if error is None:
            return TextFile(path, path, "utf-8-sig", sha, False)
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _transcode(path, "utf-16", sha256_of(path))
    else:
        sha, error, line = _check(path, "utf-8", 0)
        if error is None:
            return TextFile(path, path, "utf-8", sha, False)
    utf8_error, utf8_line = error, line
    _, error, line = _check(path, "cp1252", 0)
    if error is None:
        return _transcode(path, "cp1252", sha)
    bad = error.object[error.start:error.start + 1].hex() if error else "??"
    raise LoadError(
        f"{path.name} line {line} has bytes that are neither UTF-8 nor Windows-1252 text (byte 0x{bad}; "
        f"first UTF-8 problem on line {utf8_line}: {utf8_error.reason if utf8_error else 'none'}).",
        hint="Re-export the file as CSV UTF-8 from the tool it came from, or fix that line.",
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
