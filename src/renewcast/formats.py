"""How numbers read, in one place for the terminal and the web (pure: value in, text out)."""

from __future__ import annotations

import datetime as dt
from typing import Any


def format_runtime(hours: float | None) -> str | None:
    if hours is None:
        return None
    minutes = round(hours * 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def millions(value: float | None, digits: int = 2) -> str:
    """Hours or views the way the press writes them: 24.07M, and 1.37B past a billion."""
    if value is None:
        return "–"
    if abs(value) >= 1e9:
        return f"{value / 1e9:.{digits}f}B"
    return f"{value / 1e6:.{digits}f}M"


def percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:+.0f}%"



def period(start: str, end: str) -> str:
    a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    left = f"{a:%b} {a.day}" + (f", {a.year}" if a.year != b.year else "")
    return f"{left} – {b:%b} {b.day}, {b.year}"


def fraction(ratio: float) -> str:
    """Say a ratio the way the press does: 0.33 -> 'about a third'."""
    words = [(1 / 4, "a quarter"), (1 / 3, "a third"), (1 / 2, "half"), (2 / 3, "two thirds"),
             (3 / 4, "three quarters"), (1, "the same"), (1.5, "one and a half times"), (2, "twice"),
             (3, "three times"), (4, "four times")]
    value, word = min(words, key=lambda w: abs(w[0] - ratio))
    return f"about {word}" if abs(value - ratio) / value < 0.12 else f"{ratio:.2f}x"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 week', '3 weeks', 'once', 'twice': a fan reads words, not 'week(s)'."""
    if noun == "time":
        return {1: "once", 2: "twice"}.get(n, f"{n} times")
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def probability(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def number(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.{digits}f}"
    return f"{int(value):,}"
