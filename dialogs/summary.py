"""The estimate as a person reads it: lines per article in 万元 (in English, RMB) with their basis,
the total as a range, what is missing, the notes, and what to do next."""
from __future__ import annotations

from dialogs import interview

AUTHORITY = "西青区人力资源和社会保障局（区人社局）"
AUTHORITY_EN = "the Xiqing District Human Resources and Social Security Bureau"



def article_name(n: int, lang: str = "zh") -> str:
    """第五条 / Article 5, named as the knowledge base cites them."""
    from knowledge.base import article_name as chinese_name

    return f"Article {n}" if lang == "en" else chinese_name(n)


# What the applicant should have ready, as the policy's own words imply (no invented forms):
# keyed by the article of a line in the estimate.
PREPARE = {
    5: ("租赁合同和实际缴纳租金的凭证（房租补贴按“先缴后补”办理，以实际缴纳的租金计算）",
        "the lease and receipts for the rent actually paid (the rent subsidy is paid after the rent)"),
    11: ("本年度营业收入的证明材料，如经审计的财务报告", "proof of this year's revenue, such as audited accounts"),
    6: ("主要经营管理人员（部门经理及以上，不超过3人）名单及其对我区经济贡献的材料",
        "the list of main managers (at most three) and evidence of their contribution to the district"),
    4: ("500强榜单或大赛获奖、已获市级奖励的证明，以及对我区经济贡献的材料",
        "evidence of the top-500 listing or the contest prize and the city's award, and of your contribution"),
    10: ("品牌机构评选结果或大赛获奖、已获市级奖励的证明", "the brand selection or the contest prize and the city's award"),
    12: ("上市及获得市财政补助的证明", "evidence of the listing and of the city's financial award"),
    13: ("每项活动实际支出费用的凭证", "receipts for each event's actual costs"),
    14: ("使用园区公共配套设施实际产生费用的凭证（同样“先缴后补”）",
         "receipts for the park facility fees actually paid (also paid after the fact)"),
    1: ("产业园获市级或国家级认定的文件", "the park's city or national recognition"),
    2: ("产业园开园运营及认定情况的材料", "evidence of the park's operation and recognition"),
    3: ("入驻机构年度营业收入总额的汇总材料", "a summary of the tenants' total revenue for the year"),
}
RELOCATED_PREPARE = ("当年和上一年度的营业收入（及经济贡献）数据，以便按第十八条计算新增部分",
                     "this year's and last year's revenue (and contribution), as Article 18 counts only the growth")


def _format_money(lang: str):
    """The amount formatter of the language: 万元 for Chinese, exact "RMB 800,000" for English."""
    from rules import format_rmb, format_wan

    return format_rmb if lang == "en" else format_wan


def _amount(line: dict, lang: str) -> str:
    en = lang == "en"
    shown = _format_money(lang)
    if line["kind"] == "service":
        return "service, no money" if en else "服务事项，不涉及资金"
    if line["kind"] == "up_to":
        return f"up to {shown(line['max'])}" if en else f"最高{shown(line['max'])}"
    return shown(line["max"])


def missing_names(result: dict, lang: str = "zh") -> list[str]:
    qs = interview.by_key()
    return [qs[k].name(lang) if k in qs else k for k in result.get("missing", [])]


def answer_lines(profile: dict | None, lang: str = "zh") -> list[tuple[str, str]]:
    """(question, answer) for each answer the estimate was computed from, in the interview's order."""
    if not profile:
        return []
    rows = []
    for q in interview.questions():
        if q.key in profile:
            value = profile[q.key]
            if q.key == "ranking" and value is None:
                value = "none"  # the profile's null is the interview's "none of these"
            rows.append((q.name(lang), interview.display(q, value, lang)))
    return rows


def money_range(low: int, high: int, lang: str = "zh") -> str:
    """"72万元", "37.5万元 ～ 2237.5万元"; English "RMB 1 to RMB 2"."""
    shown = _format_money(lang)
    if low == high:
        return shown(high)
    return f"{shown(low)} to {shown(high)}" if lang == "en" else f"{shown(low)} ～ {shown(high)}"


def day_text(result: dict, lang: str = "zh") -> str:
    """The estimate's date as people write it: 2026年11月30日 / 30 November 2026."""
    from datetime import date

    from rules.money import format_date, format_date_en

    day = date.fromisoformat(result["as_of"])
    return format_date_en(day) if lang == "en" else format_date(day)


def headline(result: dict, lang: str = "zh") -> str | None:
    """Outside the policy's term, the line every estimate opens with."""
    from datetime import date

    from rules import validity_headline

    return validity_headline(date.fromisoformat(result["as_of"]), lang)


def estimate_text(result: dict, lang: str = "zh", relocated: bool = False, profile: dict | None = None) -> str:
    """The whole estimate as text (the chat's reply, and the .txt file); ``result`` is estimated in
    the same language, ``profile`` holds the answers it was computed from."""
    from rules.render import cut_row, personal_note, totals

    en = lang == "en"
    colon = ": " if en else "："
    out = []
    line = headline(result, lang)
    if line:  # not in force: said first, never under a confident total
        out += [line, ""]
    out += ["Eligibility check: estimate (for reference only)" if en else "资格自测结果（估算，仅供参考）",
            f"Date of the estimate: {day_text(result, lang)}" if en else f"估算日期：{day_text(result, lang)}", ""]
    answered = answer_lines(profile, lang)
    if answered:
        out.append("Your answers (the estimate rests on them):" if en else "您的回答（估算依据）：")
        out += [f"· {name}{colon}{value}" for name, value in answered]
        out.append("")
    if not result.get("eligible", True):
        out.append("Under Article 16 the policy does not apply:" if en else "按第十六条，本政策暂不适用：")
        out += [f"· {r}" for r in result.get("reasons", [])]
    else:
        money = [ln for ln in result["lines"] if ln["kind"] != "service"]
        services = [ln for ln in result["lines"] if ln["kind"] == "service"]
        if money:
            out.append("Support that may apply:" if en else "可能适用的支持：")
            for ln in money:
                out.append(f"· {article_name(ln['clause'], lang)} {ln['item']}{colon}{_amount(ln, lang)}")
                out.append(f"  {'Basis' if en else '依据'}{colon}{ln['basis']}")
            cut = cut_row(result, lang)
            if cut:  # which lines the article 17 cap cut, and by how much
                out.append(f"· {cut[0]} {cut[1]}{colon}{cut[2]}")
        else:
            out.append("No money award follows from the answers given." if en else "按目前的回答，暂无可计算的资金支持。")
        if services:
            out.append("")
            out.append("Services (no money):" if en else "另可享受的服务：")
            out += [f"· {article_name(ln['clause'], lang)} {ln['item']}" for ln in services]
        out.append("")
        figures = totals(result, lang)
        for i, (label, low, high) in enumerate(figures[:-1]):
            tail = personal_note(lang) if i == 1 else ""  # the second subtotal is the managers' own
            out.append(f"{label}{colon}{money_range(low, high, lang)}{tail}")
        label, lo, hi = figures[-1]
        if lo == hi:
            out.append(f"{label}{colon}{money_range(lo, hi, lang)}")
        elif en:
            out.append(f"{label}: {money_range(lo, hi, lang)} (the upper figure counts the \"up to\" items at "
                       "their ceilings; the district sets the actual amounts within them)")
        else:
            out.append(f"{label}：{money_range(lo, hi, lang)}（含“最高”项目的上限，实际金额由区里在上限内核定）")
        if result.get("capped_by_contribution"):
            out.append("Lowered by the Article 17 cap (your contribution to the district)." if en
                       else "已按第十七条与对我区的年度综合贡献相匹配的要求核减。")
    names = missing_names(result, lang)
    if names:
        out.append("")
        out.append("Not yet known (the estimate leaves out what depends on it):" if en
                   else "尚未提供的信息（相关项目未计入）：")
        out.append("、".join(names) if not en else ", ".join(names))
    if result.get("notes"):
        out.append("")
        out.append("Notes:" if en else "说明：")
        out += [f"· {n}" for n in result["notes"]]
    out.append("")
    out += next_steps(result, lang, relocated)
    return "\n".join(out)


def next_steps(result: dict, lang: str = "zh", relocated: bool = False) -> list[str]:
    en = lang == "en"
    out = ["What to do next:" if en else "下一步："]
    if en:
        out.append(f"· The policy is interpreted by {AUTHORITY_EN}; ask them about applying and the "
                   "materials required. This estimate is not a decision.")
    else:
        out.append(f"· 本政策由{AUTHORITY}负责解释，具体申报方式和所需材料以区人社局的要求为准；"
                   "本估算不代表审核结果。")
    if not result.get("eligible", True) or not result.get("policy_valid", True):
        return out  # nothing to prepare for a policy that does not apply, or is not in force
    clauses = []
    for ln in result.get("lines", []):
        if ln["kind"] != "service" and ln["clause"] not in clauses:
            clauses.append(ln["clause"])
    items = [PREPARE[c][1 if en else 0] for c in clauses if c in PREPARE]
    if relocated:
        items.append(RELOCATED_PREPARE[1 if en else 0])
    if items:
        out.append("· Worth having ready, as the policy implies:" if en else "· 根据政策内容，建议提前准备：")
        out += [f"  - {i}" for i in items]
    return out
