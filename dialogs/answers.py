"""Answers to free questions from the knowledge base: the entry's answer with its buttons, the
article list and text, feedback and hand-off, and the amount the rules compute for figures a
question names ("我们营收1.3亿能拿多少")."""
from __future__ import annotations

import logging
import re

from dialogs import interview as iv
from dialogs import dates, parsing, summary
from dialogs.reply import STALE, Button, Reply
from dialogs.texts import b, t
from knowledge.answers import suggestions

log = logging.getLogger(__name__)

ENTRY_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,40}")
# Set by the engine for the length of one call: whether the channel has a help desk (never stored).
HANDOFF_KEY = "_handoff"


def handoff_on(st) -> bool:
    return bool(st.get(HANDOFF_KEY))


def human_row(st) -> list[list[Button]]:
    """The 联系人工 button's row, only when the channel has a help desk to hand off to."""
    return [[Button(b("human", st["lang"]), "human")]] if handoff_on(st) else []


def get(entry_id):
    try:
        from knowledge import get_entry
        return get_entry(entry_id)
    except Exception:
        return None


def answer_buttons(st, entry, verbatim=False) -> list[list[Button]]:
    """查看原文 (not under the original text itself), related entries, feedback, 联系人工."""
    lang = st["lang"]
    rows = [[] if verbatim else [Button(b("text", lang), f"text:{entry.id}")]]
    for rid in list(getattr(entry, "related", []) or [])[:2]:
        rel = get(rid)
        if rel is not None:
            rows[0].append(Button(title(rel, lang), f"ask:{rel.id}"))
    feedback = [Button(b("up", lang), f"fb:+:{entry.id}"), Button(b("down", lang), f"fb:-:{entry.id}")]
    if handoff_on(st):
        feedback.append(Button(b("human", lang), "human"))
    return [row for row in rows if row] + [feedback]


def title(entry, lang) -> str:
    """The entry's name on a button: the short English title written for buttons (whole words)."""
    if lang == "en":
        return getattr(entry, "en_button", "") or entry.title_en
    return entry.title[:40]


def entry_reply(st, entry_id, verbatim=False) -> list[Reply]:
    lang = st["lang"]
    entry = get(entry_id)
    if entry is None:
        return [Reply(t("stale", lang), kind="info", events=[dict(STALE)])]
    st["last_entry"] = entry.id
    if verbatim:
        text = entry.text
    else:
        text = entry.answer_en if lang == "en" and getattr(entry, "answer_en", "") else entry.answer
        from knowledge.answers import VALIDITY_ENTRIES, term_line, validity_note
        if entry.id in VALIDITY_ENTRIES:
            text += "\n" + validity_note(dates.today(), lang=lang)
        line = term_line(entry.id, dates.today(), lang)  # outside the policy's term, said first
        if line:
            text = f"{line}\n\n{text}"
    return [Reply(text, kind="answer", clauses=list(entry.clauses), buttons=answer_buttons(st, entry, verbatim),
                  events=[{"type": "opened", "entry": entry.id, "verbatim": verbatim}], entry=entry.id)]


def combined_reply(st, first, second) -> Reply:
    """Two entries answered together (two awards, with article 17's rule on combining them; an award
    and article 18's rule on counting it): the line naming both, then each answer."""
    from knowledge.answers import joint_clauses, joint_text, term_line

    lang = st["lang"]
    st["last_entry"] = first.id
    text = joint_text(first, second, lang)
    line = term_line(first.id, dates.today(), lang)
    if line:
        text = f"{line}\n\n{text}"
    rows = answer_buttons(st, first)
    # 查看原文 of both articles instead of the first's related entries
    rows[0] = [Button(f"{b('text', lang)}·{title(e, lang)}", f"text:{e.id}") for e in (first, second)]
    clauses = joint_clauses(first, second)
    return Reply(text, kind="answer", clauses=clauses, buttons=rows, entry=first.id)


def clause_reply(st, n) -> list[Reply]:
    lang = st["lang"]
    try:
        from knowledge import article_entry
        entry = article_entry(n)
    except Exception:
        return [Reply(t("clause_usage", lang), kind="error")]
    st["last_entry"] = entry.id
    heading = summary.article_name(n, lang) if n else ("Preamble" if lang == "en" else "序言")
    name = entry.title_en if lang == "en" else entry.title
    return [Reply(f"{heading} {name}\n\n{entry.text}", kind="answer", clauses=list(entry.clauses),
                  buttons=answer_buttons(st, entry, verbatim=True), entry=entry.id)]


def list_reply(st, only: str | None = None) -> list[Reply]:
    """The articles, chapter by chapter, a button each; ``only`` one chapter ("三")."""
    lang = st["lang"]
    try:
        from knowledge import all_entries
        entries = [e for e in all_entries() if getattr(e, "kind", "") == "article" and only in (None, e.chapter)]
    except Exception:
        return [Reply(t("knowledge_down", lang), kind="error")]
    # One line per chapter in the text, one button per article (two to a row) under it.
    lines, rows, chapter = [t("chapter_list" if only is None else "part_list", lang)], [], None
    for e in sorted(entries, key=lambda e: e.clauses[0] if e.clauses else 0):
        n = e.clauses[0] if e.clauses else 0
        if e.chapter != chapter:
            chapter = e.chapter
            heading = CHAPTERS_EN.get(chapter, chapter) if lang == "en" else CHAPTERS.get(chapter, chapter)
            lines.append(("\n" if len(lines) > 1 else "") + heading)
            rows.append([])
        label = f"{summary.article_name(n, lang)} {title(e, lang)}" if n else title(e, lang)
        lines.append(f"  {label}")
        if len(rows[-1]) == 2:
            rows.append([])
        rows[-1].append(Button(label if lang == "en" else label[:40], f"text:{e.id}"))
    return [Reply("\n".join(lines), kind="info", buttons=rows)]


def part_reply(st, n: int) -> list[Reply]:
    """A part of the policy asked about as a whole ("第三部分讲什么"): its heading and its articles, a
    button each; a part it does not have ("第六部分"), said so, with the catalogue's button."""
    lang = st["lang"]
    chapters = [c for c in CHAPTERS if c != "序"]
    if not 1 <= n <= len(chapters):
        return [Reply(t("no_such_part", lang, part=part_term(n), n=n), kind="not_confident",
                      buttons=[[Button(b("catalogue", lang), "list")]])]
    return list_reply(st, only=chapters[n - 1])


def part_term(n: int) -> str:
    """The words a Chinese question names a part with: 3 → "第三部分" (from article_term: "第三条")."""
    from knowledge.normalize import article_term

    return article_term(n)[:-1] + "部分" if n <= 19 else f"第{n}部分"


def section_reply(st, n: int) -> list[Reply]:
    """"Section N" (1–5) names article N or part N: asked which, a button for each."""
    lang = st["lang"]
    from knowledge import all_entries
    from knowledge.normalize import article_term

    article = next((e for e in all_entries() if e.kind == "article" and e.clauses[0] == n), None)
    part_name = part_term(n)
    # The part's button says "Part 3" as the question does, then the heading without its numeral.
    heading = list(CHAPTERS_EN.values() if lang == "en" else CHAPTERS.values())[n]
    heading = heading.split(". ", 1)[1] if lang == "en" else heading.split("、", 1)[1]
    row = [Button(f"{summary.article_name(n, lang)} {title(article, lang)}"[:40], f"ask:{article.id}")] if article else []
    row.append(Button((f"Part {n}: {heading}" if lang == "en" else f"{part_name} {heading}")[:40], f"part:{n}"))
    return [Reply(t("section_which", lang, article=article_term(n), part=part_name, n=n), kind="clarify", buttons=[row])]


# The policy's five chapters, as headed in its text.
CHAPTERS = {"序": "序言", "一": "一、支持产业园区高标准建设", "二": "二、推动优质企业高水平集聚",
            "三": "三、鼓励入驻机构全周期发展", "四": "四、强化公共服务全方位保障", "五": "五、附则"}
CHAPTERS_EN = {"序": "Preamble", "一": "I. Building the park", "二": "II. Gathering high-quality firms",
               "三": "III. Growing the institutions", "四": "IV. Public services", "五": "V. Supplementary provisions"}


def handoff_reply(st) -> list[Reply]:
    """With a help desk: the hand-off event (the channel posts it). Without: the honest referral."""
    if not handoff_on(st):
        return [Reply(t("no_helpdesk", st["lang"]), kind="info")]
    return [Reply(t("handoff", st["lang"]), kind="info",
                  events=[{"type": "handoff", "question": st.get("last_query") or "",
                           "entry": st.get("last_entry")}])]


def feedback_reply(st, entry_id, value) -> list[Reply]:
    lang = st["lang"]
    if get(entry_id) is None:       # a made-up or outdated button: nothing to record
        return [Reply(t("stale", lang), kind="info")]
    buttons = [] if value > 0 else human_row(st)
    key = "thanks_up" if value > 0 else ("thanks_down_staff" if handoff_on(st) else "thanks_down")
    return [Reply(t(key, lang), kind="info", buttons=buttons,
                  events=[{"type": "feedback", "entry": entry_id, "value": value}])]


def ask(st, text, offer_check: bool, context: str | None = None) -> list[Reply]:
    """A question to the knowledge base, with the computed figure when it carries one; with
    ``offer_check``, figures it names are kept for the interview and the interview is offered.
    ``context``: the entry a follow-up is about ("那第三年呢？" after the rent answer)."""
    lang = st["lang"]
    st["last_query"] = text
    from knowledge.normalize import part_asked_about, section_asked_about

    part = part_asked_about(text)
    if part is not None:  # "第三部分讲什么": the part's articles, not the entry nearest its words
        return part_reply(st, part)
    section = section_asked_about(text)
    if section is not None:  # "What does section 3 say?": article 3, or part three?
        return section_reply(st, section)
    try:
        from knowledge import match_question
        result = match_question(text)
        entry = get(context) if context else None
        if entry is not None and not (result.confident and result.matches
                                      and result.matches[0].entry.id != entry.id):
            # read with the entry's own name in front, as the user meant it
            name = entry.title_en if lang == "en" else entry.title
            with_context = match_question(f"{name} {text}")
            if with_context.confident:
                result = with_context
    except Exception:
        log.exception("matcher failed")
        return [Reply(t("knowledge_down", lang), kind="error", buttons=human_row(st))]
    top = result.matches[0] if result.matches else None
    event = {"type": "asked", "query": text, "top": top.entry.id if top else None,
             "score": round(float(top.score), 4) if top else None, "confident": bool(result.confident)}
    facts = valid_facts(parsing.extract_facts(text))
    # A factory asking about an award: whatever the reply, who the awards are for comes first.
    from knowledge.answers import missing_articles_line, scope_note
    answered = bool(result.confident or result.reason == "not_stated")
    note = scope_note(top.entry.id, text, lang, answered) if top else None
    # After that note, an amount worked out from the asker's figures ("营收奖励：10万元"), or the
    # offer of the eligibility check, would say the opposite.
    # "从老厂区搬来的": a move from a place the words do not place; article 18's origin is not guessed
    unplaced = "origin" not in facts and parsing.moved_from(text) == "unknown"
    computed = "" if note else computed_amounts(facts, lang, unplaced_move=unplaced)
    if answered and top:
        # not_stated: "怎么申请", "电话多少": the entry saying the policy states none of it
        reply = (combined_reply(st, top.entry, result.also[0].entry) if result.also
                 else entry_reply(st, top.entry.id)[0])
        reply.events = [event]
        if note:
            reply.text = note + "\n\n" + reply.text
            reply.clauses = list(dict.fromkeys(list(reply.clauses) + [16]))
        missing = missing_articles_line(text, lang)
        if missing:  # "第十一条和第二十五条": article 11's answer, and article 25 is not passed over
            reply.text = after_term_line(reply.text, missing, top.entry.id, lang)
        if computed:
            reply.text = term_first(reply.text + "\n\n" + computed, lang)
        replies = [reply]
    elif getattr(result, "clarify", ()):
        # Two entries are close: ask which one is meant rather than guess (a button per entry).
        from knowledge.clarify import clarifying_question
        question, labels = clarifying_question([m.entry.id for m in result.clarify], lang)
        row = [Button(labels.get(m.entry.id) or title(m.entry, lang), f"ask:{m.entry.id}") for m in result.clarify]
        replies = [Reply(question + ("\n\n" + term_first(computed, lang) if computed else ""), kind="clarify", buttons=[row],
                         events=[event])]
    else:
        if result.reason == "not_in_policy":  # "第25条说了什么", "《人力资源市场暂行条例》第十八条"
            from knowledge.answers import outside_policy_text
            replies = [Reply(outside_policy_text(text, lang), kind="not_confident", events=[event], buttons=human_row(st))]
        elif result.reason == "status":  # "申请进度怎么查": not in the policy; the bureau knows
            rows = [[Button(title(m.entry, lang), f"ask:{m.entry.id}")] for m in suggestions(result)]
            text_shown = t("status", lang) + ("\n" + t("status_rules", lang) if rows else "")
            replies = [Reply(text_shown, kind="not_confident", buttons=rows + human_row(st), events=[event])]
        elif computed:
            replies = [Reply(term_first(computed, lang), kind="answer", events=[event], buttons=human_row(st))]
        elif suggestions(result):  # the model gives entries of a question not covered almost nothing
            rows = [[Button(title(m.entry, lang), f"ask:{m.entry.id}")] for m in suggestions(result)]
            rows += human_row(st)
            # "面包房 房租补贴": after the note, the entries are for an asker who is an HR service
            # institution after all ("您是不是想问" after "the awards are not for you" would contradict it)
            if note:
                text_shown = t("if_an_institution", lang)
            else:
                tail = "not_confident_tail_staff" if handoff_on(st) else "not_confident_tail"
                text_shown = t("not_confident", lang) + "\n" + t(tail, lang)
            replies = [Reply(text_shown, kind="not_confident", buttons=rows, events=[event])]
        else:
            row = [Button(b("check", lang), "check")] + [x for r in human_row(st) for x in r]
            replies = [Reply(t("no_match", lang), kind="not_confident", events=[event], buttons=[row])]
        if note:  # the note says all a "not covered" reply would, and why: it replaces it
            if replies[0].text == t("no_match", lang):
                # (and the eligibility check it offers: the check is for HR service institutions)
                replies[0].text, replies[0].buttons = note, human_row(st)
            else:
                replies[0].text = note + "\n\n" + replies[0].text
            replies[0].clauses = [16]
    # Unless the writer speaks of their own institution, a role named ("What can the operator get?",
    # "运营单位能拿多少") is the rule's subject, and a year alone ("第二年按多少比例补") the rule's year:
    # noting either as the asker's would be guessing a fact. (Amounts worked out above still use them.)
    if not parsing.speaks_of_self(text):
        facts = {k: v for k, v in facts.items() if k != "role"}
        if set(facts) <= {"park_year"}:
            facts = {}
    if parsing.is_hypothetical(text):
        facts = {}  # "如果营收3亿能拿多少": worked out above, not noted as the asker's revenue
    if (not note and "rent_paid" not in facts and parsing.mentions_rate(text)
            and (re.search(r"房租|租金|\brent", text, re.I) or (top and top.entry.id == "a05"))):
        # "500平米，每平米每月60元": the subsidy is on the rent actually paid; a rate is not converted
        replies.append(Reply(t("rate_not_used", lang), kind="info"))
    if facts and offer_check and not note:
        st["noted_facts"] = {**st.get("noted_facts", {}), **facts}
        said = t("noted", lang, facts=describe(facts, lang)) + ("\n" + t("origin_unplaced_noted", lang) if unplaced else "")
        replies.append(Reply(said + "\n" + t("offer_check", lang),
                             kind="info", buttons=[[Button(b("check", lang), "check")]]))
    return replies


def after_term_line(text: str, line: str, entry_id: str, lang: str) -> str:
    """The text with a line put first, or right after the line on the policy's term that opens it."""
    from knowledge.answers import term_line

    term = term_line(entry_id, dates.today(), lang)
    head = f"{term}\n\n" if term and text.startswith(term) else ""
    return f"{head}{line}\n\n{text[len(head):]}"


def term_first(text: str, lang: str) -> str:
    """Figures are about an award: outside the policy's term the text opens with the line saying so."""
    from rules import validity_headline

    line = validity_headline(dates.today(), lang)
    return f"{line}\n\n{text}" if line and not text.startswith(line) else text


def describe(values: dict, lang) -> str:
    qs = iv.by_key()
    if lang == "en":
        return "; ".join(f"{qs[k].name(lang)}: {iv.display(qs[k], v, lang)}" for k, v in values.items() if k in qs)
    return "；".join(f"{qs[k].name(lang)} {iv.display(qs[k], v, lang)}" for k, v in values.items() if k in qs)


FIGURE_CLAUSES = {"revenue": (11,), "revenue_prev": (11,), "rent_paid": (5,), "tenants_revenue": (3,),
                  "facility_fees": (14,), "events": (13,), "operating_years": (2,), "park_level": (1, 2),
                  "competition_city_award": (4, 10), "ipo_city_subsidy": (12,), "manager_contributions": (6,)}


def valid_facts(facts: dict) -> dict:
    qs = iv.by_key()
    return {k: v for k, v in facts.items() if k in qs and iv.valid_value(qs[k], v)}


# The awards whose figures article 18 counts differently for an institution moved within Xiqing.
ARTICLE_18_CLAUSES = (4, 6, 11)


def computed_amounts(facts: dict, lang: str, unplaced_move: bool = False) -> str | None:
    """The amounts rules.estimate gives for the figures a free question names. After a move from a
    place not known to be inside or outside Xiqing (``unplaced_move``), a revenue award counted on
    the whole year says so."""
    clauses = {c for k in facts for c in FIGURE_CLAUSES.get(k, ())}
    if not clauses:
        return None
    try:
        from rules import estimate, format_rmb, format_wan
        from rules.profile import PROFILE_KEYS
    except Exception:
        return None
    en = lang == "en"
    shown = format_rmb if en else format_wan
    role = facts.get("role") or ("operator" if {"tenants_revenue", "operating_years"} & facts.keys() else
                                 "institution")
    prof = {k: v for k, v in facts.items()
            if k in PROFILE_KEYS and role in PROFILE_KEYS[k].get("roles", ()) and k != "role"}
    prof["role"] = role
    if "ranking" in prof and prof["ranking"] == "none":
        prof["ranking"] = None
    lines_out = []
    try:
        if "rent_paid" in prof and "park_year" not in prof and 5 in clauses:
            years = []
            for year in (1, 2, 3):
                res = estimate({**prof, "park_year": year}, as_of=dates.today(), lang=lang)
                years += [f"Year {year}: {shown(ln['max'])}" if en else f"第{year}年：{shown(ln['max'])}"
                          for ln in res["lines"] if ln["clause"] == 5]
            if years:
                lines_out.append(t("rent_years", lang) + (" " + "; ".join(years) if en else "；".join(years)))
            clauses.discard(5)
        result = estimate(prof, as_of=dates.today(), lang=lang)
    except Exception:
        log.exception("estimate failed for %r", prof)
        return None
    if not result.get("eligible", True):
        return "\n".join([t("computed", lang)] + [f"· {r}" for r in result.get("reasons", [])])
    for ln in result["lines"]:
        if ln["clause"] in clauses and ln["kind"] != "service":
            amount = ("up to " if en else "最高") if ln["kind"] == "up_to" else ""
            lines_out.append(f"· {ln['item']}: {amount}{shown(ln['max'])}. {ln['basis']}" if en else
                             f"· {ln['item']}：{amount}{shown(ln['max'])}。{ln['basis']}")
    if not lines_out:
        return None
    if unplaced_move and "origin" not in prof and any(
            ln["clause"] in clauses and ln["clause"] in ARTICLE_18_CLAUSES and ln["kind"] != "service"
            for ln in result["lines"]):
        lines_out.append(t("computed_if_relocated", lang))
    return "\n".join([t("computed", lang)] + lines_out)
