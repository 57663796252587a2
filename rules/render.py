"""A result of rules.estimate as text for people: a table (万元 in Chinese, RMB in English), totals,
what is missing, notes. The result must have been estimated in the same language."""
from __future__ import annotations

import unicodedata

from .money import article_name, article_name_en, format_rmb, format_wan
from .profile import PROFILE_KEYS, ROLE_NAMES, ROLE_NAMES_EN

KIND_NAMES = {"fixed": "按公式计算", "up_to": "区里核定", "match": "1:1配套", "service": "服务事项"}
KIND_NAMES_EN = {"fixed": "by formula", "up_to": "set by the district", "match": "1:1 match", "service": "service"}

# Headings and fixed phrases: (Chinese, English).
WORDS = {
    "title": ("奖补估算（{role}，估算日期 {as_of}）", "Award estimate ({role}, as of {as_of})"),
    "ineligible": ("不符合本政策的适用条件：", "The policy's conditions are not met:"),
    "no_lines": ("根据目前提供的信息，还算不出可享受的奖补。", "From the information given, no award can be computed yet."),
    "header": (("条款", "项目", "类型", "金额"), ("Article", "Item", "Type", "Amount")),
    "total": ("合计：{total}", "Total: {total}"),
    "capped": ("（已按第十七条年度综合贡献核减）", " (reduced to the yearly overall contribution, Article 17)"),
    "basis": ("计算依据：", "Basis:"),
    "missing": ("补充以下信息可使估算更完整：", "Telling the following would make the estimate more complete:"),
    "missing_line": ("  - {name}：{meaning}", "  - {name}: {meaning}"),
    "notes": ("说明：", "Notes:"),
    "no_money": ("不涉及资金", "no money"),
    "agreed": ("另行议定", "agreed separately"),
    "up_to": ("最高{amount}", "up to {amount}"),
}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_range(low: int, high: int, lang: str = "zh") -> str:
    """One amount when low == high, else "low～high" (English: "RMB low to RMB high")."""
    if lang == "en":
        return format_rmb(high) if low == high else f"{format_rmb(low)} to {format_rmb(high)}"
    if low == high:
        return format_wan(high)
    return f"{format_wan(low).removesuffix('万元')}～{format_wan(high)}"


def _amount(line: dict, lang: str) -> str:
    say = _say(lang)
    if line["kind"] == "service":
        return say("no_money") if line["clause"] != 7 else say("agreed")
    money = format_rmb if lang == "en" else format_wan
    if line["kind"] == "up_to":
        return say("up_to", amount=money(line["max"]))
    return money(line["max"])


def _say(lang: str):
    index = 1 if lang == "en" else 0
    return lambda word, **fields: WORDS[word][index].format(**fields) if fields else WORDS[word][index]


def render_text(result: dict, lang: str = "zh") -> str:
    """The estimate as a help-desk worker would read it to an applicant."""
    en = lang == "en"
    say = _say(lang)
    role = (ROLE_NAMES_EN if en else ROLE_NAMES)[result["role"]]
    out = [say("title", role=role, as_of=result["as_of"]), ""]
    if not result["eligible"]:
        out.append(say("ineligible"))
        out += [f"  - {reason}" for reason in result["reasons"]]
    elif not result["lines"]:
        out.append(say("no_lines"))
    else:
        name = article_name_en if en else article_name
        kinds = KIND_NAMES_EN if en else KIND_NAMES
        rows = [(name(line["clause"]), line["item"], kinds[line["kind"]], _amount(line, lang))
                for line in result["lines"]]
        header = say("header")
        widths = [max(_width(row[i]) for row in rows + [header]) for i in range(4)]
        for row in [header] + rows:
            out.append("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
        out.append("")
        total = format_range(result["total_min"], result["total_max"], lang)
        out.append(say("total", total=total) + (say("capped") if result["capped_by_contribution"] else ""))
        out.append("")
        out.append(say("basis"))
        out += [f"  - {line['basis']}" for line in result["lines"]]
    if result["missing"]:
        out.append("")
        out.append(say("missing"))
        meaning = "meaning_en" if en else "meaning"
        out += [say("missing_line", name=key, meaning=PROFILE_KEYS[key][meaning]) for key in result["missing"]]
    out.append("")
    out.append(say("notes"))
    out += [f"  - {note}" for note in result["notes"]]
    return "\n".join(out)
