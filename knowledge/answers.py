"""How a match reads to a person: the answer with its citation, or an honest "not covered".

Shared by every channel (``policybot ask``, the terminal chat, Telegram) so they all say the same.
"""
from __future__ import annotations

import datetime as dt

from knowledge.matcher import MatchResult

# Entries about the policy's term get today's count of days left, which no file can hold.
VALIDITY_ENTRIES = ("a19", "t-validity")
# Answers about an award or applying for one: the articles that grant, limit or decide awards (1-18),
# the topics on applying, amounts, eligibility, pay-first, relocation and stacking, and the term
# itself. Outside the policy's term they open with one line saying it is not in force. Not here: the
# preamble (what the policy is) and who interprets it, which stay true.
AWARD_ENTRIES = frozenset({f"a{n:02d}" for n in range(1, 19)} | set(VALIDITY_ENTRIES) | {
    "t-how-to-apply", "t-overview", "t-pay-first", "t-relocation", "t-stacking", "t-who-can-apply"})

AUTHORITY = "西青区人力资源和社会保障局（区人社局）"
AUTHORITY_EN = "the Xiqing District Human Resources and Social Security Bureau"

POLICY_TITLE = "《关于加速推进西青区人力资源服务产业园建设的若干政策措施（试行）》"
NOT_COVERED = (
    "抱歉，这个问题在" + POLICY_TITLE + "中没有找到明确规定，"
    "我不便给出答复。政策由" + AUTHORITY + "负责解释，具体情况请向其咨询，也可以转人工。"
)
NOT_COVERED_EN = (
    "Sorry, I could not find this in the Xiqing HR park policy, so I would rather not guess. "
    "The policy is interpreted by " + AUTHORITY_EN + "; please ask them, or ask for a person."
)
# Not sure which entry is meant, with suggestions: the policy may well cover it, so the reply does
# not say it found nothing (the chat channels use the same words: dialogs/texts.py).
NOT_SURE = "抱歉，我不太确定您问的是哪一项。您是不是想问："
NOT_SURE_EN = "I am not sure which part you mean. Did you mean:"
# After the note that the awards are for HR service institutions (article 16), for an asker who
# may be one after all: the articles the question was nearest to.
IF_AN_INSTITUTION = "如贵单位属于人力资源服务机构，可以查看："
IF_AN_INSTITUTION_EN = "If your firm is an HR service institution, see:"
NOT_SURE_TAIL = "如果都不是，可以换个说法再问；本政策由" + AUTHORITY + "负责解释。"
NOT_SURE_TAIL_EN = "If none fits, try other words; the policy is interpreted by the district HR bureau."
# A question on how one application stands ("申请进度怎么查", "Has the district paid ... yet?"): the
# policy says nothing of it and the assistant cannot look it up; the bureau can.
STATUS = ("申请的办理进度、审批结果和资金拨付情况，政策文件中没有写，本助手也查询不到。"
          "请向本政策的解释单位" + AUTHORITY + "查询。")
STATUS_EN = ("How an application stands (its progress, approval or payment) is not in the policy, and this "
             "assistant cannot look it up. Please ask " + AUTHORITY_EN + ", which interprets the policy.")
# before the articles the question was nearest to, after STATUS
STATUS_RULES = "政策中相关的规定："
STATUS_RULES_EN = "What the policy says on it:"
EMPTY = "请直接输入您想咨询的问题，例如：“房租补贴怎么算？”“营收1.3亿能拿多少奖励？”"
EMPTY_EN = "Please type your question, for example: \"How is the rent subsidy calculated?\""


# Two awards asked about together ("营收奖励和人才奖励能一起拿吗"): article 17's rule, then both answers.
COMBINED = (
    "{first}和{second}：本政策没有禁止同时享受不同条款的奖励，符合各自条件的，可以分别申请。"
    "要注意第十七条：除房租类、活动类等补贴外，机构一年兑现的奖补总额须与其对西青区的年度综合贡献相匹配；"
    "“相匹配”怎么核算，政策没有写明细则，以" + AUTHORITY + "的解释为准。（「第十七条」）"
)
COMBINED_EN = (
    "{first} and {second}: the policy does not bar receiving awards under different articles; each can be "
    "applied for when its own conditions are met. Note Article 17: apart from rent and event subsidies, the "
    "yearly total paid to an institution must match its overall annual contribution to the district. How that "
    "is measured is not specified; " + AUTHORITY_EN + " interprets the details. (Article 17)"
)


COUNTED_TOGETHER = "这个问题涉及{first}和{second}，下面分别说明。"
COUNTED_TOGETHER_EN = "This question involves {first} and {second}; each is set out below."


def _named(entry, lang: str) -> str:
    """An entry's title with its article, as the line before two answers names it."""
    if lang == "en":
        return f"{entry.title_en} (Article {entry.article})"
    return f"{entry.title}（{entry.citation.strip('「」')}）"


def joint_text(first, second, lang: str = "zh") -> str:
    """Two entries answered together: the line naming both, then each answer. The line for an award
    and article 18's rule on counting it just names them; for two awards it is article 17's rule on
    having them together."""
    from knowledge.model import counted_together

    if counted_together(first, second):
        template = COUNTED_TOGETHER_EN if lang == "en" else COUNTED_TOGETHER
    else:
        template = COMBINED_EN if lang == "en" else COMBINED
    line = template.format(first=_named(first, lang), second=_named(second, lang))
    return "\n\n".join([line] + [e.answer_en if lang == "en" else e.answer for e in (first, second)])


def joint_clauses(first, second) -> list[int]:
    """The articles of two entries answered together, with article 17's for two awards (its rule on
    combining them)."""
    from knowledge.model import counted_together

    extra = () if counted_together(first, second) else (17,)
    return list(dict.fromkeys(list(first.clauses) + list(second.clauses) + list(extra)))


# Awards and help for the institutions themselves (not the builder's, the operator's, or the
# vouchers and meetings that serve the district's other businesses).
INSTITUTION_ENTRIES = frozenset({"a04", "a05", "a06", "a07", "a10", "a11", "a12", "a13", "a14", "a15",
                                 "t-pay-first", "t-relocation"})
SCOPE_NOTE = ("提示：本政策的奖励和补贴面向在园区登记注册并实际入驻的人力资源服务机构；"
              "不是人力资源服务机构的企业不适用，其他政策请向" + AUTHORITY + "咨询。（「第十六条」）")
SCOPE_NOTE_EN = ("Note: this policy's awards are for HR service institutions registered and located in the "
                 "park; a business that is not an HR service institution is not covered. For other policies, "
                 "ask " + AUTHORITY_EN + ". (Article 16)")


def scope_note(entry_id: str, question: str, lang: str = "zh", answered: bool = False) -> str | None:
    """For an institution's award asked about by a business of another trade ("我们是做制造业的，有营收
    奖励吗"): who the awards are for (article 16); else None. Also when article 16 itself is the
    likeliest entry but not given as the answer ("我们是开连锁超市的，能拿房租补贴吗" found not covered):
    the note is the answer such a business needs, where "no answer found" would leave it guessing."""
    from knowledge.matcher import names_other_industry

    if entry_id == "a16" and answered:  # article 16's own answer says it
        return None
    if entry_id not in INSTITUTION_ENTRIES | {"a16"} or not names_other_industry(question):
        return None
    return SCOPE_NOTE_EN if lang == "en" else SCOPE_NOTE


# Below this score a match is too weak even to suggest ("您是不是想问").
MIN_SUGGESTION_SCORE = 0.15


def suggestions(result: MatchResult):
    """The matches worth offering as "您是不是想问" when the answer is not confident."""
    return [m for m in result.matches if m.score >= MIN_SUGGESTION_SCORE][:3]


def suggestion_titles(result: MatchResult, lang: str = "zh") -> list[str]:
    seen, titles = set(), []
    for match in suggestions(result):
        title = match.entry.title if lang == "zh" else match.entry.title_en
        label = f"{title}（{match.entry.citation.strip('「」')}）" if lang == "zh" else title
        if label not in seen:
            seen.add(label)
            titles.append(label)
    return titles[:3]


def validity_note(today: dt.date | None = None, lang: str = "zh") -> str:
    """How long the policy still runs (or that it has ended), as of today."""
    from rules.parameters import value  # the dates live with the other numbers of the policy

    today = today or dt.date.today()
    start, end = value("validity.start"), value("validity.end")
    if today < start:
        return "本政策尚未实施。" if lang == "zh" else "The policy is not yet in force."
    if today > end:
        return (f"本政策已于{end.year}年{end.month}月{end.day}日到期。" if lang == "zh"
                else f"The policy expired on {end.isoformat()}.")
    days = (end - today).days
    if lang == "zh":
        return f"截至{today.year}年{today.month}月{today.day}日，距有效期结束还有{days}天。"
    return f"As of {today.isoformat()}, {days} days remain before the policy expires."


def term_line(entry_id: str, today: dt.date, lang: str = "zh") -> str | None:
    """For an answer about an award outside the policy's term, the line it opens with; else None."""
    if entry_id not in AWARD_ENTRIES:
        return None
    from rules import validity_headline

    return validity_headline(today, "en" if lang == "en" else "zh")


def outside_policy_text(question: str, lang: str = "zh") -> str:
    """For a question naming an article the policy does not have ("第25条说了什么") or another
    document's ("《人力资源市场暂行条例》第十八条"): what the policy holds, and where to ask."""
    from knowledge.normalize import articles_beyond_policy, clean, other_documents_cited

    cleaned = clean(question)
    documents, missing = other_documents_cited(cleaned), articles_beyond_policy(cleaned)
    if documents:
        if lang == "en":
            return (f"You are asking about another document ({', '.join(documents)}). I answer only on the Xiqing "
                    f"HR park policy, so I cannot say what that document provides; please read it, or ask "
                    f"{AUTHORITY_EN}.")
        names = "、".join(f"《{name}》" for name in documents)
        return (f"您问的是{names}的条文。本助手只解答{POLICY_TITLE}，不解答其他文件的内容，"
                f"请查阅该文件原文，或咨询{AUTHORITY}。")
    if lang == "en":
        return (f"The policy has 19 articles (1 to 19); there is no {missing[0].capitalize()}. Ask about any of them, "
                "or about a subsidy, for example \"What does Article 5 say?\"")
    return (f"本政策共十九条（第一条至第十九条），没有{missing[0]}。可以直接问想了解的条款或补贴，"
            "例如“第五条说的是什么”“房租补贴怎么算”。")


def missing_articles_line(question: str, lang: str = "zh") -> str | None:
    """For an answered question that also names an article the policy does not have ("第十一条和第二十五
    条说的是什么"): the line saying that article does not exist; else None."""
    from knowledge.normalize import articles_beyond_policy, clean, may_name_an_article

    if not may_name_an_article(question):
        return None

    missing = list(dict.fromkeys(articles_beyond_policy(clean(question))))
    if not missing:
        return None
    if lang == "en":
        return f"The policy has 19 articles (1 to 19); there is no {' or '.join(m.capitalize() for m in missing)}."
    return f"本政策共十九条（第一条至第十九条），没有{'、'.join(missing)}。"


def render_answer(result: MatchResult, lang: str = "zh", today: dt.date | None = None) -> str:
    """The reply text for a match result, in Chinese or English."""
    # A factory asking about an award: whatever the reply, who the awards are for comes first.
    answered = bool(result.confident or result.reason == "not_stated")
    note = scope_note(result.top.entry.id, result.query, lang, answered) if result.top else None
    if answered and result.top:
        entry = result.top.entry
        if result.also:  # two entries answered together: the line naming both, then each answer
            text = joint_text(entry, result.also[0].entry, lang)
        else:
            text = entry.answer if lang == "zh" else entry.answer_en
            if entry.id in VALIDITY_ENTRIES:
                text += "\n" + validity_note(today, lang)
        if note:  # first: a reader who stops after a line must not take the award for theirs
            text = note + "\n\n" + text
        missing = missing_articles_line(result.query, lang)
        if missing:  # "第十一条和第二十五条": the answer is article 11's; article 25 is not passed over
            text = missing + "\n\n" + text
        line = term_line(entry.id, today or dt.date.today(), lang)
        return f"{line}\n\n{text}" if line else text
    if not result.matches and result.reason == "empty":
        return EMPTY if lang == "zh" else EMPTY_EN
    if result.reason == "not_in_policy":
        return outside_policy_text(result.query, lang)
    if result.reason == "status":  # "申请进度怎么查": where to ask, then the rules it was nearest to
        titles = suggestion_titles(result, lang)
        lines = [STATUS if lang == "zh" else STATUS_EN]
        if titles:
            lines.append(STATUS_RULES if lang == "zh" else STATUS_RULES_EN)
            lines.extend(f"{i}. {t}" for i, t in enumerate(titles, 1))
        return "\n".join(lines)
    if result.clarify:  # two close entries: ask which one is meant
        from knowledge.clarify import clarifying_question

        question, labels = clarifying_question([m.entry.id for m in result.clarify], lang)
        lines = [question]
        for i, match in enumerate(result.clarify, 1):
            entry = match.entry
            label = labels.get(entry.id) or (entry.title if lang == "zh" else entry.title_en)
            lines.append(f"{i}. {label}（{entry.citation.strip('「」')}）" if lang == "zh" else f"{i}. {label}")
        return "\n".join(lines)
    titles = suggestion_titles(result, lang)
    if not titles:  # entries of a question the policy does not cover get almost no probability
        # the note says all the "not covered" line would, and why: it replaces it
        return note or (NOT_COVERED if lang == "zh" else NOT_COVERED_EN)
    # A business of another trade asking for an award: after the note, the award for an asker who
    # is an HR service institution after all, whether the matcher held it back or was unsure of it;
    # otherwise the entries it may have meant.
    if note:
        lines = [note, "", IF_AN_INSTITUTION if lang == "zh" else IF_AN_INSTITUTION_EN]
    else:
        lines = [NOT_SURE if lang == "zh" else NOT_SURE_EN]
    lines.extend(f"{i}. {t}" for i, t in enumerate(titles, 1))
    if not note:
        lines.append(NOT_SURE_TAIL if lang == "zh" else NOT_SURE_TAIL_EN)
    return "\n".join(lines)
