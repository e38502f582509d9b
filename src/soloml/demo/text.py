"""Vectorised text helpers for the demo generator: vendor-style ids, timestamps, money, messy emails.

Everything takes a numpy Generator so the same seed gives byte-identical files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ALNUM = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)

NEVER = np.iinfo(np.int64).max  # "has not happened" for int64 epoch-second arrays


def random_codes(rng: np.random.Generator, n: int, length: int, alphabet: np.ndarray = ALNUM) -> np.ndarray:
    """`n` random strings of `length` characters drawn from `alphabet` (bytes)."""
    if n == 0:
        return np.array([], dtype=f"<U{length}")
    codes = alphabet[rng.integers(0, len(alphabet), size=(n, length))]
    return np.ascontiguousarray(codes).view(f"S{length}").ravel().astype(str)


def random_ids(rng: np.random.Generator, n: int, prefix: str, length: int = 24) -> np.ndarray:
    """Stripe-style ids: 'ch_' + 24 letters and digits."""
    return np.char.add(prefix, random_codes(rng, n, length))


def utc_text(seconds: np.ndarray) -> np.ndarray:
    """Epoch seconds -> '2024-01-15 14:32:10' (UTC); NEVER -> ''."""
    seconds = np.asarray(seconds, dtype=np.int64)
    if seconds.size == 0:
        return np.array([], dtype="<U19")
    missing = seconds == NEVER
    text = np.datetime_as_string(np.where(missing, 0, seconds).astype("datetime64[s]"), unit="s")
    text = np.char.replace(text, "T", " ")
    return np.where(missing, "", text)


def utc_minutes_text(seconds: np.ndarray) -> np.ndarray:
    """Epoch seconds -> '2024-01-15 14:32' (HubSpot's export form); NEVER -> ''."""
    return utc_text(seconds).astype("<U16")


def local_text(seconds: np.ndarray, tz: str = "America/New_York") -> np.ndarray:
    """Epoch seconds -> '2024-01-15 09:32:10 -0500' in the shop's time zone (DST gives -0400); NEVER -> ''."""
    seconds = np.asarray(seconds, dtype=np.int64)
    missing = seconds == NEVER
    stamps = pd.to_datetime(np.where(missing, 0, seconds), unit="s", utc=True).tz_convert(tz)
    text = np.asarray(stamps.strftime("%Y-%m-%d %H:%M:%S %z"), dtype=str)
    return np.where(missing, "", text)


def money_text(cents: np.ndarray) -> np.ndarray:
    """Integer cents -> '24.00'."""
    return np.char.mod("%.2f", np.asarray(cents, dtype=np.int64) / 100.0)


def messy_emails(rng: np.random.Generator, emails: np.ndarray, share: float) -> np.ndarray:
    """Roughly `share` of the emails get the mess people type: Capitalised, UPPER case, stray spaces."""
    emails = np.asarray(emails, dtype=object)
    pick = (rng.random(len(emails)) < share) & (emails != "")
    style = rng.integers(0, 4, size=len(emails))
    out = emails.copy()
    for i in np.flatnonzero(pick):
        text = emails[i]
        if style[i] == 0:
            text = text.capitalize()
        elif style[i] == 1:
            text = text.upper()
        elif style[i] == 2:
            text = f" {text} "
        else:
            local, _, domain = text.partition("@")
            text = f"{local.title()}@{domain.capitalize()} "
        out[i] = text
    return out.astype(str)


def choice(rng: np.random.Generator, options: tuple | list, n: int, p: list[float] | None = None) -> np.ndarray:
    """`n` picks from `options` (strings), optionally weighted."""
    return np.asarray(options)[rng.choice(len(options), size=n, p=p)]
