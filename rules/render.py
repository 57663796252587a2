"""A result of rules.estimate as Chinese text for people: a table in 万元, totals, what is missing, notes."""
from __future__ import annotations

import unicodedata

from .money import article_name, format_wan
from .profile import PROFILE_KEYS, ROLE_NAMES

KIND_NAMES = {"fixed": "按公式计算", "up_to": "区里核定", "match": "1:1配套", "service": "服务事项"}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_range(low: int, high: int) -> str:
    """One amount when low == high, else "low～high"."""
    if low == high:
        return format_wan(high)
    return f"{format_wan(low).removesuffix('万元')}～{format_wan(high)}"


def _amount(line: dict) -> str:
    if line["kind"] == "service":
        return "不涉及资金" if line["clause"] != 7 else "另行议定"
    if line["kind"] == "up_to":
        return f"最高{format_wan(line['max'])}"
    return format_wan(line["max"])


def render_text(result: dict) -> str:
    """The estimate as a help-desk worker would read it to an applicant."""
    out = [f"奖补估算（{ROLE_NAMES[result['role']]}，估算日期 {result['as_of']}）", ""]
    if not result["eligible"]:
        out.append("不符合本政策的适用条件：")
        out += [f"  - {reason}" for reason in result["reasons"]]
    elif not result["lines"]:
        out.append("根据目前提供的信息，还算不出可享受的奖补。")
    else:
        rows = [(article_name(line["clause"]), line["item"], KIND_NAMES[line["kind"]], _amount(line))
                for line in result["lines"]]
        header = ("条款", "项目", "类型", "金额")
        widths = [max(_width(row[i]) for row in rows + [header]) for i in range(4)]
        for row in [header] + rows:
            out.append("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
        out.append("")
        total = format_range(result["total_min"], result["total_max"])
        out.append(f"合计：{total}" + ("（已按第十七条年度综合贡献核减）" if result["capped_by_contribution"] else ""))
        out.append("")
        out.append("计算依据：")
        out += [f"  - {line['basis']}" for line in result["lines"]]
    if result["missing"]:
        out.append("")
        out.append("补充以下信息可使估算更完整：")
        out += [f"  - {key}：{PROFILE_KEYS[key]['meaning']}" for key in result["missing"]]
    out.append("")
    out.append("说明：")
    out += [f"  - {note}" for note in result["notes"]]
    return "\n".join(out)
