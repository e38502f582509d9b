"""What a column's values look like: emails, money, dates (and in which format), ids, a few statuses.

`soloml map` judges each column of a file it does not know by these shares, computed over a sample
of the values as text, vectorised with pandas.

    >>> import pandas as pd
    >>> p = profile_column("When", pd.Series(["15/01/2024 09:30", "31/01/2024 18:45"]))
    >>> p.timestamp, p.timestamp_format
    (1.0, '%d/%m/%Y %H:%M')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pandas as pd

from soloml.errors import LoadError

SAMPLE_ROWS = 1000
TIMESTAMP_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%d %b %Y",
    "%b %d, %Y",
    "%d-%b-%Y",
)
CURRENCY_CODES = frozenset(
    [
        "USD",
        "EUR",
        "GBP",
        "CAD",
        "AUD",
        "NZD",
        "JPY",
        "CHF",
        "SEK",
        "NOK",
        "DKK",
        "PLN",
        "CZK",
        "HUF",
        "MXN",
        "BRL",
        "INR",
        "CNY",
        "HKD",
        "SGD",
        "ZAR",
        "KRW",
        "ILS",
        "TRY",
        "AED",
    ]
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MONEY = re.compile(r"^\(?-?\s*[$€£¥]?\s*-?\d{1,3}(?:[,' ]?\d{3})*(?:[.,]\d{1,2})?\)?(?:\s?[A-Z]{3})?$")
_SYMBOL = re.compile(r"[$€£¥]|\s[A-Z]{3}$")
_TWO_DECIMALS = re.compile(r"[.,]\d{2}\)?$")
_INTEGER = re.compile(r"^-?\d+$")
_BOOLEAN = {"true", "false", "yes", "no", "y", "n", "1", "0", "t", "f"}


@dataclass(frozen=True)
class ColumnProfile:
    """What a column's values look like (shares are of its non-empty values)."""

    header: str
    filled: int
    distinct: int
    email: float
    money: float
    money_symbols: float
    two_decimals: float
    integer: float
    boolean: float
    timestamp: float
    timestamp_format: str | None
    currency_code: float
    top_values: tuple[str, ...]

    @property
    def unique(self) -> bool:
        return self.filled > 0 and self.distinct == self.filled


def profile_column(header: str, values: pd.Series) -> ColumnProfile:
    """Profile one column of strings (vectorised over the sample)."""
    text = values.astype("string").str.strip()
    text = text[text.notna() & (text != "")]
    n = len(text)
    if n == 0:
        return ColumnProfile(header, 0, 0, 0, 0, 0, 0, 0, 0, 0, None, 0, ())

    def share(mask: pd.Series) -> float:
        return float(mask.fillna(False).astype(bool).mean())

    fmt, ts_share = _best_timestamp_format(text)
    money = text.str.match(_MONEY)
    counts = text.value_counts()
    return ColumnProfile(
        header=header,
        filled=n,
        distinct=int(counts.size),
        email=share(text.str.match(_EMAIL)),
        money=share(money),
        money_symbols=share(money & text.str.contains(_SYMBOL)),
        two_decimals=share(money & text.str.contains(_TWO_DECIMALS)),
        integer=share(text.str.match(_INTEGER)),
        boolean=share(text.str.lower().isin(_BOOLEAN)),
        timestamp=ts_share,
        timestamp_format=fmt,
        currency_code=share(text.str.upper().isin(CURRENCY_CODES)),
        top_values=tuple(str(v) for v in counts.index[:12]),
    )


def _best_timestamp_format(text: pd.Series) -> tuple[str | None, float]:
    if not text.str.contains(r"\d", regex=True).any() or text.str.len().max() < 6:
        return None, 0.0
    best: tuple[str | None, float] = (None, 0.0)
    for fmt in TIMESTAMP_FORMATS:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc="%z" in fmt)
        ok = float(parsed.notna().mean())
        if ok > best[1] + 1e-9:  # ties keep the earlier (ISO, then US month-first) format
            best = (fmt, ok)
    return best


def day_month_ambiguous(values: pd.Series, fmt: str) -> bool:
    if not fmt.startswith(("%m/%d", "%d/%m")):
        return False
    swapped = fmt.replace("%m/%d", "%X").replace("%d/%m", "%m/%d").replace("%X", "%d/%m")
    text = values.astype("string").str.strip()
    text = text[text.notna() & (text != "")]
    return bool(pd.to_datetime(text, format=swapped, errors="coerce").notna().all())


def read_sample(path: Path, rows: int = SAMPLE_ROWS) -> pd.DataFrame:
    """The first `rows` rows of a CSV/TSV/XLSX/Parquet/JSON file, every value as a string."""
    path = Path(path)
    if not path.is_file():
        raise LoadError(f"File {path} does not exist.", hint="Check the path.")
    if path.stat().st_size == 0:
        raise LoadError(f"File {path.name} is empty.", hint="Export it again with its header row and data.")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, dtype=str, nrows=rows)
        elif suffix == ".parquet":
            frame = pd.read_parquet(path).head(rows).astype("string")
        elif suffix in (".json", ".ndjson", ".jsonl"):
            frame = pd.read_json(path, lines=suffix != ".json", dtype=False).head(rows).astype("string")
        else:
            frame = _read_text_sample(path, rows)
    except (ValueError, OSError, UnicodeError) as exc:
        raise LoadError(
            f"Cannot read {path.name}: {exc}.", hint="Save it as CSV (UTF-8) and run `soloml map` again."
        ) from exc
    frame.columns = [str(c) for c in frame.columns]
    return frame.fillna("")


def _read_text_sample(path: Path, rows: int) -> pd.DataFrame:
    raw = path.read_bytes()[:4_000_000]
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    first = text.splitlines()[0] if text else ""
    sep = max((",", ";", "\t", "|"), key=first.count)
    return pd.read_csv(StringIO(text), sep=sep, dtype=str, nrows=rows, keep_default_na=False, on_bad_lines="skip")
