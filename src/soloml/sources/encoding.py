"""Text files in any encoding small businesses meet: UTF-8 (with or without BOM), UTF-16, cp1252/Latin-1, and
files mixing UTF-8 rows with Windows-1252 ones (a spreadsheet edited on two machines).

`open_text` decides the encoding from every byte, in one streaming pass that also computes the sha256 (a
second pass, line by line, only for files that are not UTF-8). `utf8_copy` then gives DuckDB a UTF-8 file:
the original, or a copy transcoded into the load's scratch folder, removed by the caller. Undecodable
bytes raise a LoadError naming the byte, line and column.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from soloml.errors import LoadError
from soloml.sources.scratch import Scratch

CHUNK = 1 << 20
Encoding = Literal["utf-8", "utf-8-sig", "utf-16", "cp1252", "mixed"]


@dataclass(frozen=True)
class TextSource:
    """What a text file is, decided before any copy is made."""

    path: Path
    encoding: Encoding
    sha256: str
    foreign_lines: tuple[int, ...] = ()  # 'mixed': the physical lines that are Windows-1252, not UTF-8


@dataclass(frozen=True)
class TextFile:
    """A text file ready for DuckDB: `path` is UTF-8 (the original, or a transcoded copy in the scratch folder)."""

    original: Path
    path: Path
    encoding: Encoding
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
            pending = len(decoder.getstate()[0])  # bytes of a character split across chunks
            try:
                decoder.decode(data)
            except UnicodeDecodeError as exc:
                error, error_at = exc, base - pending + exc.start
        if error is None:
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError as exc:
                error, error_at = exc, offset - pending + exc.start
    return digest.hexdigest(), error, error_at


def _position(path: Path, at: int) -> tuple[int, int, str]:
    """(line, data row, column header) of byte offset `at`, splitting on the header's most common delimiter."""
    with path.open("rb") as fh:
        before = fh.read(at)
    line = before.count(b"\n") + 1
    header = before.split(b"\n", 1)[0] if b"\n" in before else b""
    delim = max(b",;\t|", key=lambda d: header.count(bytes([d])))
    headers = header.decode("cp1252", errors="replace").strip().split(chr(delim))
    field = before[before.rfind(b"\n") + 1 :].count(bytes([delim]))
    column = headers[field].strip().strip('"') if line > 1 and field < len(headers) else "?"
    return line, line - 1, column


def open_text(path: Path) -> TextSource:
    """Decide the encoding of `path` from every byte (and its sha256)."""
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        sha, error, at = _check(path, "utf-16", 0)
        if error is not None:
            raise LoadError(
                f"{path.name} is UTF-16 text (it starts with a UTF-16 byte-order mark), but byte {at:,} breaks it: "
                f"{error.reason}. Nothing was loaded.",
                hint="The file is damaged or cut off: export it again (as CSV UTF-8 if the tool offers it).",
            )
        return TextSource(path, "utf-16", sha)
    bom = head.startswith(codecs.BOM_UTF8)
    sha, error, _ = _check(path, "utf-8", 3 if bom else 0)
    if error is None:
        return TextSource(path, "utf-8-sig" if bom else "utf-8", sha)
    utf8_lines, foreign = _foreign_lines(path)
    return TextSource(path, "mixed" if utf8_lines else "cp1252", sha, foreign if utf8_lines else ())


def _foreign_lines(path: Path) -> tuple[int, tuple[int, ...]]:
    """(lines holding UTF-8 text beyond ASCII, lines that are not UTF-8); every line must then be UTF-8 or Windows-1252."""
    utf8_lines, foreign = 0, []
    offset = 0
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.isascii():
                try:
                    line.decode("utf-8")
                    utf8_lines += 1
                except UnicodeDecodeError:
                    foreign.append(number)
                    try:
                        line.decode("cp1252")
                    except UnicodeDecodeError as exc:
                        _undecodable(path, offset + exc.start)
            offset += len(line)
    return utf8_lines, tuple(foreign)


def _undecodable(path: Path, at: int) -> None:
    line, row, column = _position(path, at)
    with path.open("rb") as fh:
        fh.seek(at)
        bad = fh.read(1).hex()
    raise LoadError(
        f"{path.name} row {row} (line {line}), column '{column}' has a byte that is neither UTF-8 nor Windows-1252 text: "
        f"got 0x{bad}. Nothing was loaded.",
        hint="Re-export the file as CSV UTF-8 from the tool it came from, or fix that value.",
    )


def encoding_note(source: TextSource, header_line: int = 1) -> str | None:
    """What the report should say about how the file was decoded (nothing for plain UTF-8 or UTF-16)."""
    if source.encoding == "cp1252":
        return "the file is not UTF-8: it was read as Windows-1252 (Latin-1)"
    if source.encoding != "mixed":
        return None
    lines = source.foreign_lines
    shown = ", ".join(str(n - header_line) for n in lines[:10]) + (
        f" and {len(lines) - 10} more" if len(lines) > 10 else ""
    )
    where = ", ".join(str(n) for n in lines[:10])
    return (
        f"rows {shown} (lines {where}{'...' if len(lines) > 10 else ''}) were not UTF-8 and were read as Windows-1252; "
        "the rest of the file is UTF-8"
    )


def utf8_copy(source: TextSource, scratch: Scratch) -> TextFile:
    """The file as UTF-8 for DuckDB: the original when it already is, else a copy in `scratch` (removed on error)."""
    if source.encoding in ("utf-8", "utf-8-sig"):
        return TextFile(source.path, source.path, source.encoding, False)
    target = scratch.file(".csv")
    try:
        with target.open("w", encoding="utf-8", newline="") as dst:
            if source.encoding == "mixed":
                with source.path.open("rb") as src:
                    for line in src:
                        try:
                            dst.write(line.decode("utf-8"))
                        except UnicodeDecodeError:
                            dst.write(line.decode("cp1252"))
            else:
                with source.path.open("r", encoding=source.encoding, newline="") as text:
                    while chunk := text.read(CHUNK):
                        dst.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return TextFile(source.path, target, source.encoding, True)


def read_head(text: TextFile, size: int = 1 << 16) -> str:
    """The first `size` bytes of the UTF-8 file as text (a partial last character is dropped)."""
    with text.path.open("rb") as fh:
        data = fh.read(size)
    return data.decode("utf-8-sig", errors="ignore")
