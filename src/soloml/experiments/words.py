"""Numbers as a CEO reads them: the wording rules of docs/experiments.md ("Wording rules"), one function each.

- a chance is never "0.0%" or "100.0%": "< 0.1%" / "> 99.9%";
- nothing rounds to "-0";
- a range is said in the direction's own word ("between 41 and 115 fewer"), never as a
  double negative ("78 fewer ... -115 to -41"), and a range across zero says both words;
- "95% CI" is spelled out once: "likely between ..., with 95% confidence";
- money has its currency sign and three significant figures, like a person says it.
"""

from __future__ import annotations

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "AUD": "A$", "CAD": "C$"}


def mid_sentence(text: str) -> str:
    """'The retention offer' -> 'the retention offer' (an acronym such as 'VIP list' stays as it is)."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


def chance(p: float) -> str:
    """0.9995 -> '> 99.9%', 0.0004 -> '< 0.1%', 0.42 -> '42.0%'."""
    if p > 0.999:
        return "> 99.9%"
    if p < 0.001:
        return "< 0.1%"
    return f"{p:.1%}"


def number(x: float, digits: int = 0) -> str:
    """Rounded, with thousands separators, and never '-0'."""
    text = f"{x:,.{digits}f}"
    return text.lstrip("-") if float(text.replace(",", "")) == 0 else text


def signed(x: float, digits: int = 2, suffix: str = "") -> str:
    """'+2.45', '-0.30', and '0.00' (no sign) when it rounds to zero."""
    text = number(x, digits)
    return f"{text}{suffix}" if float(text.replace(",", "")) == 0 or text.startswith("-") else f"+{text}{suffix}"


def money(amount: float, currency: str = "USD") -> str:
    """$11,100 — three significant figures above 100, cents below; never '-$0'."""
    symbol = SYMBOLS.get(currency.upper())
    size = abs(amount)
    if size >= 100:
        size = round(size, -(len(str(int(size))) - 3))
        text = f"{size:,.0f}"
    else:
        text = f"{size:,.2f}"
    sign = "-" if amount < 0 and float(text.replace(",", "")) != 0 else ""
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency.upper()}"


def amount(x: float, currency: str | None, digits: int = 2) -> str:
    """A magnitude (no sign): money with its symbol, or a plain number."""
    return money(abs(x), currency) if currency else number(abs(x), digits)


def direction(x: float, up: str = "more", down: str = "fewer") -> str:
    return down if x < 0 else up


def likely_range(low: float, high: float, level: int, *, fmt, up: str = "more", down: str = "fewer") -> str:
    """'likely between 12 and 61 more, with 95% confidence' (magnitudes in the direction's word)."""
    if low >= 0:
        body = f"between {fmt(low)} and {fmt(high)} {up}"
    elif high <= 0:
        body = f"between {fmt(-high)} and {fmt(-low)} {down}"
    else:
        body = f"anywhere from {fmt(-low)} {down} to {fmt(high)} {up}"
    return f"likely {body}, with {level}% confidence"


def percent_points(x: float) -> str:
    """A rate difference in points, signed, never '-0.00'."""
    return signed(x * 100, 2, " points")


def relative(x: float | None) -> str:
    return "n/a" if x is None else signed(x * 100, 1, "%")
