"""Exact wording of amounts, dates and article numbers, Chinese and English (integer arithmetic only, never floats)."""
from __future__ import annotations

from functools import lru_cache

WAN = 10_000
YI = 100_000_000
_DIGITS = "零一二三四五六七八九"


def _decimal(units: int, remainder: int, width: int) -> str:
    """units.remainder with trailing zeros dropped, e.g. (7, 5000, 4) -> "7.5"."""
    if not remainder:
        return str(units)
    return f"{units}.{remainder:0{width}d}".rstrip("0")


@lru_cache(maxsize=4096)  # caps, steps and rates recur in every estimate
def format_wan(yuan: int) -> str:
    """Yuan as 万元, exactly: 720000 -> "72万元", 75000 -> "7.5万元", 3500 -> "0.35万元"."""
    if yuan >= 0 and yuan % WAN == 0:
        return f"{yuan // WAN}万元"
    sign = "-" if yuan < 0 else ""
    units, remainder = divmod(abs(yuan), WAN)
    return f"{sign}{_decimal(units, remainder, 4)}万元"


@lru_cache(maxsize=4096)
def format_amount(yuan: int) -> str:
    """Large figures (revenues) in 亿元 when exact to 万, else 万元: 320000000 -> "3.2亿元"."""
    if yuan >= YI and yuan % WAN == 0:
        units, remainder = divmod(yuan // WAN, WAN)
        return f"{_decimal(units, remainder, 4)}亿元"
    return format_wan(yuan)


def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals: 5 -> "五", 11 -> "十一", 19 -> "十九", 20 -> "二十"."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def article_name(article: int) -> str:
    """5 -> "第五条"."""
    return f"第{chinese_number(article)}条"


def format_percent(percent: int) -> str:
    return f"{percent}%"


def format_date(day) -> str:
    """2026-12-31 -> "2026年12月31日"."""
    return f"{day.year}年{day.month}月{day.day}日"


# ---- English ---------------------------------------------------------------------------------

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


@lru_cache(maxsize=4096)
def format_rmb(yuan: int) -> str:
    """Yuan for English readers, exact to the yuan: 800000 -> "RMB 800,000", 3500 -> "RMB 3,500"."""
    sign = "-" if yuan < 0 else ""
    return f"{sign}RMB {abs(yuan):,}"


def article_name_en(article: int) -> str:
    """5 -> "Article 5"."""
    return f"Article {article}"


def format_date_en(day) -> str:
    """2026-12-31 -> "31 December 2026"."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def join_en(items: list[str]) -> str:
    """["a", "b", "c"] -> "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
