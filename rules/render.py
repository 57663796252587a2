"""A result of rules.estimate as text for people: a table (万元 in Chinese, RMB in English), totals,
what is missing, notes. The result must have been estimated in the same language."""
from __future__ import annotations

import datetime as dt
import unicodedata

from .estimate import validity_headline
from .money import article_name, article_name_en, format_rmb, format_wan, join_en
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


# The total splits into what the institution gets and the article 6 reward paid to its managers.
SUBTOTALS = {
    "institution": ("机构可得", "For the institution"),
    "personal": ("个人奖励（第六条）", "Personal awards (Article 6)"),
    "personal_to": ("（付给主要管理人员本人）", " (paid to the main managers themselves)"),
    "total": ("合计", "Total"),
    "total_both": ("合计（含机构可得和个人奖励）", "Total (institution and personal awards together)"),
    # Outside the policy's term the total is what the policy would have given, not what one gets.
    "total_after": ("原政策本可给予的合计", "Total the policy would have given"),
    "total_before": ("本政策施行后可给予的合计", "Total the policy would give once in force"),
    "both": ("（含机构可得和个人奖励）", " (institution and personal awards together)"),
    "cut": ("核减（{articles}超过年度综合贡献部分）", "Cut ({articles} above the yearly contribution)"),
}


def _pick(words: tuple[str, str], lang: str) -> str:
    return words[1] if lang == "en" else words[0]


def total_label(result: dict, lang: str = "zh") -> str:
    """"合计", "合计（含机构可得和个人奖励）", or outside the policy's term "原政策本可给予的合计"."""
    both = bool(result.get("personal_max"))
    if result.get("policy_valid", True):
        return _pick(SUBTOTALS["total_both" if both else "total"], lang)
    from .parameters import value  # which side of the term the date lies on

    after = result["as_of"] > value("validity.end").isoformat()
    label = _pick(SUBTOTALS["total_after" if after else "total_before"], lang)
    return label + (_pick(SUBTOTALS["both"], lang) if both else "")


def totals(result: dict, lang: str = "zh") -> list[tuple[str, int, int]]:
    """(label, min, max) of each figure under the table: the two subtotals when a line is paid to the
    managers (article 6), then the total."""
    rows = []
    if result.get("personal_max"):
        rows.append((_pick(SUBTOTALS["institution"], lang), result["institution_min"], result["institution_max"]))
        rows.append((_pick(SUBTOTALS["personal"], lang), result["personal_min"], result["personal_max"]))
    rows.append((total_label(result, lang), result["total_min"], result["total_max"]))
    return rows


def personal_note(lang: str = "zh") -> str:
    return _pick(SUBTOTALS["personal_to"], lang)


def cut_row(result: dict, lang: str = "zh") -> tuple[str, str, str] | None:
    """The article 17 cut as a row of the table (article, item, amount), or None when nothing was cut."""
    if not result.get("cap_cut_max"):
        return None
    en = lang == "en"
    clauses = result.get("capped_clauses", [])
    if en:
        articles = ("Article " if len(clauses) == 1 else "Articles ") + join_en([str(c) for c in clauses])
    else:
        articles = "、".join(article_name(c) for c in clauses)
    low, high = result["cap_cut_min"], result["cap_cut_max"]
    money = format_rmb if en else format_wan
    if low == high:
        amount = f"-{money(high)}"
    elif en:
        amount = f"-{money(low)} to -{money(high)}"
    else:
        amount = f"-{money(low).removesuffix('万元')}～-{money(high)}"
    return ((article_name_en if en else article_name)(17), _pick(SUBTOTALS["cut"], lang).format(articles=articles),
            amount)


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
    out = []
    headline = validity_headline(dt.date.fromisoformat(result["as_of"]), lang)
    if headline:
        out += [headline, ""]
    out += [say("title", role=role, as_of=result["as_of"]), ""]
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
        cut = cut_row(result, lang)
        if cut:  # the cut as its own row, so that the column adds up to the totals below
            rows.append((cut[0], cut[1], kinds["fixed"], cut[2]))
        header = say("header")
        widths = [max(_width(row[i]) for row in rows + [header]) for i in range(4)]
        for row in [header] + rows:
            out.append("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
        out.append("")
        colon = ": " if en else "："
        figures = totals(result, lang)
        for label, low, high in figures[:-1]:
            tail = personal_note(lang) if label == _pick(SUBTOTALS["personal"], lang) else ""
            out.append(f"{label}{colon}{format_range(low, high, lang)}{tail}")
        label, low, high = figures[-1]
        out.append(f"{label}{colon}{format_range(low, high, lang)}"
                   + (say("capped") if result["capped_by_contribution"] else ""))
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
