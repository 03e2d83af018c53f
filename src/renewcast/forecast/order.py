"""The board's order, one rule for the stored board, a live one and the web's sorts' default."""

from __future__ import annotations

from typing import Any


def board_order(row: dict[str, Any]) -> tuple[float, int, str]:
    """Most at risk first: the lowest chance of renewal, then the longest wait."""
    return (row["probability"], -row["timeline"]["days_since_premiere"], row["slug"])
