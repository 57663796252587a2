"""Conversation routing: commands, the eligibility interview, and questions to the knowledge base.

The state is plain JSON (see dialogs/__init__.py). Every public function copies the state it is
given, works on the copy, and catches its own failures: a channel never sees an exception.
"""
from __future__ import annotations

import copy
import logging
import re
from datetime import datetime, timedelta, timezone

from dialogs import interview as iv
from dialogs import answers, dates, document, parsing, summary
from dialogs.reply import STALE, Button, Reply
from dialogs.texts import b, t

log = logging.getLogger(__name__)

STATE_VERSION = 1
DEFAULT_IDLE_DAYS = 7
PENDING_PHASES = ("asking", "edit", "review", "confirm_cancel", "idle_offer")

CONTROL_WORDS = {
    "back": {"上一步", "上一题", "返回上一步", "后退", "回退", "back", "/back"},
    "skip": {"跳过", "略过", "不知道", "不清楚", "不确定", "下一题", "skip", "pass", "/skip", "dontknow",
             "idontknow", "idonotknow", "idk", "notsure", "imnotsure", "noidea", "unknown"},
    "review": {"查看", "修改", "查看修改", "查看/修改", "查看答案", "修改答案", "我的回答", "review", "edit", "/review"},
    "restart": {"重新开始", "重来", "从头开始", "重新自测", "restart", "startover", "/restart"},
    "cancel": {"取消", "退出自测", "不测了", "取消自测", "结束自测", "cancel", "/cancel"},
    "why": {"为什么问这个", "为什么问", "为什么", "为啥", "为啥问这个", "why", "whyask", "/why"},
    "finish": {"直接看结果", "看结果", "出结果", "result", "finish", "/finish"},
    "resume": {"继续", "继续自测", "返回继续", "返回", "continue", "resume", "/resume"},
}
CHECK_WORDS = {"资格自测", "自测", "开始自测", "我要自测", "测一测", "/check", "check"}
# Asking for a person, in the words people use (the channel decides where the hand-off goes).
HUMAN_WORDS = {"人工", "转人工", "找人工", "人工客服", "找客服", "客服", "真人", "联系人工", "human", "talktoaperson",
               "talktoahuman", "contactstaff", "staff"}
# A greeting, thanks or "who are you" as the whole message (after parsing.bare) gets a reply in
# kind: new users open with "你好", and "谢谢" ends many chats; "the policy does not answer this"
# was the wrong reply to either.
SMALL_TALK = {
    "greeting": {"你好", "您好", "你们好", "大家好", "哈喽", "嗨", "在吗", "在不在", "有人吗", "早上好", "上午好", "中午好",
                 "下午好", "晚上好", "hi", "hello", "hey", "hithere", "hellothere", "goodmorning", "goodafternoon",
                 "goodevening"},
    "thanks": {"谢谢", "谢谢你", "谢谢您", "多谢", "感谢", "非常感谢", "太感谢", "谢啦", "好的谢谢", "好谢谢", "明白谢谢",
               "明白了谢谢", "知道了谢谢", "收到谢谢", "thanks", "thankyou", "thx", "thanksalot", "thankyouverymuch",
               "okthanks", "okthankyou", "thanksthatsall", "thanksthatsallfornow", "thatsallthanks"},
    "who": {"你是谁", "你是什么", "你是机器人", "你是机器人吗", "你是真人吗", "你是人工吗", "你是ai吗", "whoareyou", "whatareyou",
            "areyouabot", "areyouarobot", "areyouhuman", "areyouarealperson"},
}
QUESTION_RE = re.compile(r"[?？]|吗|呢$|怎么|如何|多少|什么|哪些|哪个|能不能|可不可以|可以.{0,6}吗|是否|几年|几个|"
                         r"为何|有没有|\b(how|what|which|when|can|is|are|do|does)\b", re.I)


# ---- state ---------------------------------------------------------------------------------------

def _now(now: datetime | None) -> datetime:
    return dates.resolve(now)  # now, else the POLICYBOT_AS_OF date, else the clock


def new_state(lang: str = "zh") -> dict:
    """A fresh conversation: no interview; replies without user text in Chinese unless ``lang == "en"``
    (the channel passes the user's app language). ``lang_choice`` is an explicit /lang choice."""
    return {"version": STATE_VERSION, "lang": "en" if lang == "en" else "zh", "lang_choice": None,
            "updated_at": None, "interview": None, "last_entry": None, "last_query": None, "noted_facts": {}}


def _new_interview(now: datetime) -> dict:
    return {"answers": {}, "skipped": [], "history": [], "pending": None, "phase": "asking",
            "edit_key": None, "started_at": now.isoformat()}


def _sanitize_answers(raw) -> dict:
    qs = iv.by_key()
    if not isinstance(raw, dict):
        return {}
    return {k: v for k, v in raw.items() if k in qs and iv.valid_value(qs[k], v)}


def load_state(state) -> tuple[dict, bool]:
    """(a usable state, whether an apology is due). Older or damaged states are repaired or reset."""
    if not isinstance(state, dict):
        return new_state(), state is not None
    lang = state.get("lang") if state.get("lang") in ("zh", "en") else "zh"
    if state.get("version") != STATE_VERSION:
        return new_state(lang), True
    out = new_state(lang)
    if state.get("lang_choice") in ("zh", "en"):
        out["lang_choice"] = state["lang_choice"]
    for key in ("updated_at", "last_entry", "last_query"):
        if isinstance(state.get(key), str):
            out[key] = state[key]
    out["noted_facts"] = _sanitize_answers(state.get("noted_facts"))
    raw = state.get("interview")
    if isinstance(raw, dict):
        itv = _new_interview(datetime.now(timezone.utc))
        itv["answers"] = _sanitize_answers(raw.get("answers"))
        itv["skipped"] = [k for k in raw.get("skipped", []) if isinstance(k, str) and k in iv.by_key()] \
            if isinstance(raw.get("skipped"), list) else []
        itv["history"] = [h for h in raw.get("history", []) if _valid_step(h)] \
            if isinstance(raw.get("history"), list) else []
        phase = raw.get("phase")
        itv["phase"] = phase if phase in PENDING_PHASES + ("stopped", "done") else "asking"
        for key in ("pending", "edit_key", "resume_phase"):
            if isinstance(raw.get(key), str) and raw[key] in iv.by_key() | {"asking": 1, "review": 1, "edit": 1}:
                itv[key] = raw[key]
        if isinstance(raw.get("started_at"), str):
            itv["started_at"] = raw["started_at"]
        if isinstance(raw.get("total"), int) and not isinstance(raw.get("total"), bool):
            itv["total"] = raw["total"]
        out["interview"] = itv
    elif raw is not None:
        return out, True
    return out, False


def _valid_step(step) -> bool:
    return (isinstance(step, dict) and isinstance(step.get("set", {}), dict)
            and all(isinstance(v, list) and len(v) == 2 for v in step.get("set", {}).values()))


def profile_of(state: dict) -> dict:
    """The applicant profile (RULES.md vocabulary) the interview has gathered so far."""
    st, _ = load_state(state)
    itv = st.get("interview")
    return iv.profile(itv["answers"]) if itv else {}


# ---- public entry points -------------------------------------------------------------------------

def respond(state: dict, text: str, now: datetime | None = None, idle_days: float = DEFAULT_IDLE_DAYS, *,
            handoff: bool = False, reply_to: str | None = None) -> tuple[dict, list[Reply]]:
    """Handle whatever the user typed (``reply_to``: the entry id of the bot answer it replies to).
    Never raises."""
    return _guarded(state, now, idle_days, lambda st, when: _on_text(st, text, when, reply_to), is_action=False,
                    incoming=text, handoff=handoff)


def press(state: dict, action: str, now: datetime | None = None, idle_days: float = DEFAULT_IDLE_DAYS, *,
          handoff: bool = False) -> tuple[dict, list[Reply]]:
    """Handle the action of a pressed button. Never raises."""
    return _guarded(state, now, idle_days, lambda st, when: _on_action(st, action, when), is_action=True,
                    incoming=action, handoff=handoff)


def _reply_lang(st, incoming, is_action) -> str:
    """An explicit /lang choice; else the language of the text; else the conversation's."""
    if st.get("lang_choice") in ("zh", "en"):
        return st["lang_choice"]
    if is_action:
        return st["lang"]
    return parsing.text_lang(incoming) or st["lang"]


def _guarded(state, now, idle_days, handler, is_action, incoming, handoff=False):
    when = _now(now)
    as_of = dates.CURRENT.set(when.date())  # answers built deep inside read the policy's date here
    try:
        st, apologise = load_state(_copy(state) if isinstance(state, dict) else state)
    except Exception:  # a state beyond repair: start over, politely
        log.exception("unreadable state")
        st, apologise = new_state(), True
    st["lang"] = lang = _reply_lang(st, incoming, is_action)
    backup = _copy(st)
    # Per call, not stored: whether the channel has a help desk (answers.HANDOFF_KEY).
    st[answers.HANDOFF_KEY] = bool(handoff)
    try:
        replies = [Reply(t("migrated", lang), kind="info")] if apologise else []
        offer = _idle_check(st, when, idle_days, incoming if isinstance(incoming, str) else "", is_action)
        if offer is not None and not (not is_action and _looks_like_question(parsing.clean(incoming))):
            replies += offer
        else:
            replies += handler(st, when)
    except Exception:
        # A bug must not cost the user the conversation: keep the state as it was before this input.
        log.exception("dialog engine failed on %r", incoming)
        st = backup
        replies = [Reply("抱歉，处理时出了点问题，请再试一次。" if lang == "zh"
                         else "Sorry, something went wrong; please try again.", kind="error")]
        replies += _repeat_pending(st)
    if not replies:  # e.g. 跳过 after the estimate: nothing pending, say so rather than stay silent
        replies = [_nothing_pending(st)]
    st.pop(answers.HANDOFF_KEY, None)
    st["updated_at"] = when.isoformat()
    dates.CURRENT.reset(as_of)
    return st, replies


def _copy(state: dict) -> dict:
    """A deep copy of a state: plain JSON is copied directly (copy.deepcopy costs several times as
    much, on every step); anything else, or a structure too deep for that, by copy.deepcopy."""
    try:
        return _copy_json(state)
    except RecursionError:
        return copy.deepcopy(state)


_ATOMS = frozenset({str, int, float, bool, type(None)})   # kept as they are: immutable


def _copy_json(value):
    # Atoms inside a dict or list are taken without a call: most of a state's values are atoms.
    kind = type(value)
    if kind is dict:
        return {k: v if type(v) in _ATOMS else _copy_json(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _ATOMS else _copy_json(v) for v in value]
    if kind in _ATOMS:
        return value
    return copy.deepcopy(value)


def _nothing_pending(st) -> Reply:
    lang = st["lang"]
    itv = st.get("interview")
    if itv and itv["phase"] in ("stopped", "done"):
        return Reply(t("interview_over", lang), kind="info",
                     buttons=[[Button(b("review", lang), "ctl:review"), Button(b("restart", lang), "ctl:restart")]])
    return Reply(t("no_interview", lang), kind="info", buttons=[[Button(b("check", lang), "check")]])


def _idle_check(st, when, idle_days, incoming, is_action) -> list[Reply] | None:
    itv = st.get("interview")
    if not itv or itv["phase"] not in PENDING_PHASES or itv["phase"] == "idle_offer":
        return None
    try:
        last = datetime.fromisoformat(st["updated_at"]) if st.get("updated_at") else None
    except ValueError:
        last = None
    if last is None:
        return None
    last = last if last.tzinfo else last.replace(tzinfo=timezone.utc)
    if when - last <= timedelta(days=idle_days):
        return None
    if is_action and incoming in ("ctl:resume", "ctl:restart"):
        return None
    itv["resume_phase"] = itv["phase"]
    itv["phase"] = "idle_offer"
    return [_offer(st, "idle_offer")]


def _offer(st, key) -> Reply:
    lang = st["lang"]
    n = len(st["interview"]["answers"]) if st.get("interview") else 0
    return Reply(t(key, lang, n=n), kind="info",
                 buttons=[[Button(b("resume", lang), "ctl:resume"), Button(b("restart", lang), "ctl:restart")]])


# ---- text ----------------------------------------------------------------------------------------

def _control_of(text: str) -> str | None:
    bare = parsing.bare(text)
    for name, words in CONTROL_WORDS.items():
        if bare in words:
            return name
    return None


def control_of(text: str) -> str | None:
    """The interview control a text names (back, skip, review, restart, cancel, why, finish, resume)."""
    return _control_of(text)


def _on_text(st: dict, text, when, reply_to=None) -> list[Reply]:
    lang = st["lang"]
    clean = parsing.clean(text)
    if not clean:
        return [Reply(t("empty", lang), kind="info")] + _repeat_pending(st)
    if clean.startswith("/"):
        return _command(st, clean, when)
    bare = parsing.bare(clean)  # (folded: lower case)
    if bare in CHECK_WORDS:
        return _start_check(st, when)
    if bare in HUMAN_WORDS:
        return answers.handoff_reply(st) + _repeat_pending(st)
    itv = st.get("interview")
    if itv and itv["phase"] in PENDING_PHASES and not (reply_to and _looks_like_question(clean)):
        return _interview_text(st, clean, when)
    small_talk = _small_talk(bare)
    if small_talk:
        return _small_talk_reply(st, small_talk)
    if itv and itv["phase"] in ("stopped", "done"):
        control = _control_of(clean)
        if control in ("back", "review", "restart", "cancel"):
            return _control(st, control, when)
    return _ask(st, clean, when, context=_follow_up_context(st, clean, reply_to))


def _small_talk(bare: str) -> str | None:
    """"greeting", "thanks" or "who" when that is the whole message (``parsing.bare`` of it: "你好呀",
    "Thanks!"), else None."""
    return next((kind for kind, words in SMALL_TALK.items() if bare in words), None)


def _small_talk_reply(st, kind) -> list[Reply]:
    """A greeting answered with what to ask and the menu (the welcome is /start's, and the web page's
    first words), thanks with "you're welcome", "who are you" honestly."""
    lang = st["lang"]
    if kind == "greeting":
        return [Reply(t("greeting", lang), kind="info", buttons=_home_buttons(st))]
    if kind == "thanks":
        return [Reply(t("you_are_welcome", lang), kind="info")]
    return [Reply(t("who_am_i", lang, staff=t("help_staff", lang) if answers.handoff_on(st) else ""), kind="info",
                  buttons=_home_buttons(st))]


FOLLOW_UP_RE = re.compile(r"^(那|那么|那如果|如果是|要是|还有|and|what about|how about)|呢[？?]?$", re.I)


def _follow_up_context(st, text, reply_to) -> str | None:
    """The entry a follow-up ("那第三年呢？") is about: the answer it replies to, or in a private
    chat the entry just answered when the words only make sense after it."""
    if isinstance(reply_to, str) and answers.ENTRY_ID_RE.fullmatch(reply_to):
        return reply_to
    if st.get("last_entry") and len(text) <= 20 and FOLLOW_UP_RE.search(text.strip()):
        return st["last_entry"]
    return None


def _command(st, clean, when) -> list[Reply]:
    lang = st["lang"]
    parts = clean.split()
    cmd = parts[0].lower().split("@")[0]  # Telegram adds @botname in groups
    arg = parts[1] if len(parts) > 1 else ""
    if cmd == "/start":
        # Chinese first (with one English line) unless English was chosen: most applicants read
        # Chinese whatever their app's language.
        st["lang"] = lang = st.get("lang_choice") or "zh"
        replies = [Reply(t("welcome", lang), kind="info", buttons=_home_buttons(st))]
        itv = st.get("interview")
        if itv and itv["phase"] in PENDING_PHASES:
            if itv["phase"] != "idle_offer":
                itv["resume_phase"] = itv["phase"]
                itv["phase"] = "idle_offer"
            replies.append(_offer(st, "pending_offer"))
        return replies
    if cmd == "/help":
        return [Reply(_help_text(st), kind="info", buttons=_home_buttons(st))] + _repeat_pending(st)
    if cmd == "/check":
        return _start_check(st, when)
    if cmd == "/list":
        return answers.list_reply(st) + _repeat_pending(st)
    if cmd == "/clause":
        n = parsing.parse_integer(arg)
        if n is None or not 0 <= n <= 19:
            return [Reply(t("clause_usage", lang), kind="error")] + _repeat_pending(st)
        return answers.clause_reply(st, n) + _repeat_pending(st)
    if cmd == "/lang":
        if arg.lower() in ("zh", "en", "auto"):
            return _set_lang(st, arg.lower())
        return [_lang_reply(st)] + _repeat_pending(st)
    if cmd == "/cancel":
        return _control(st, "cancel", when)
    for name, words in CONTROL_WORDS.items():
        if cmd in words:
            return _control(st, name, when)
    return [Reply(t("unknown_command", lang, help=_help_text(st)), kind="error")] + _repeat_pending(st)


def _help_text(st) -> str:
    lang = st["lang"]
    return t("help", lang, staff=t("help_staff", lang) if answers.handoff_on(st) else "")


def _set_lang(st, choice) -> list[Reply]:
    """/lang zh|en|auto or its button: the choice holds until changed; auto follows the user's text."""
    st["lang_choice"] = None if choice == "auto" else choice
    if choice != "auto":
        st["lang"] = choice
    itv = st.get("interview")
    pending = bool(itv and itv["phase"] in PENDING_PHASES)
    buttons = [] if pending else _home_buttons(st)
    return [Reply(t("lang_auto" if choice == "auto" else "lang_set", st["lang"]), kind="info",
                  buttons=buttons)] + _repeat_pending(st)


def _lang_reply(st) -> Reply:
    """/lang alone: what the replies follow now, and how to change it."""
    lang, choice = st["lang"], st.get("lang_choice")
    if choice:
        current = t("lang_fixed", lang, name=b("lang_zh" if choice == "zh" else "lang_en", lang))
    else:
        current = t("lang_follow", lang, name=b("lang_zh" if lang == "zh" else "lang_en", lang))
    rows = [[Button("中文", "lang:zh"), Button("English", "lang:en")]]
    if choice:
        rows.append([Button(b("lang_auto", lang), "lang:auto")])
    return Reply(t("lang_show", lang, current=current), kind="info", buttons=rows)


def _home_buttons(st) -> list[list[Button]]:
    """The menu: 问政策 · 资格自测与补贴测算 · 条款目录 (· 联系人工 with a help desk), and the other language."""
    lang = st["lang"]
    second = [Button(b("catalogue", lang), "list")]
    if answers.handoff_on(st):
        second.append(Button(b("human", lang), "human"))
    return [[Button(b("ask_policy", lang), "askhint"), Button(b("check_estimate", lang), "check")], second,
            [Button(b("help", lang), "help"), Button("English" if lang == "zh" else "中文",
                                                     "lang:en" if lang == "zh" else "lang:zh")]]


# ---- buttons -------------------------------------------------------------------------------------

def _on_action(st: dict, action, when) -> list[Reply]:
    lang = st["lang"]
    if not isinstance(action, str) or not action.isascii() or len(action) > 60:
        return [Reply(t("stale", lang), kind="error", events=[dict(STALE)])] + _repeat_pending(st)
    head, _, rest = action.partition(":")
    if action == "check":
        return _start_check(st, when)
    if action == "help":
        return [Reply(_help_text(st), kind="info")] + _repeat_pending(st)
    if action == "askhint":
        return [Reply(t("ask_prompt", lang), kind="info")] + _repeat_pending(st)
    if action == "list":
        return answers.list_reply(st) + _repeat_pending(st)
    if action == "human":
        return answers.handoff_reply(st) + _repeat_pending(st)
    if head == "lang" and rest in ("zh", "en", "auto"):
        return _set_lang(st, rest)
    if head == "part" and rest in ("1", "2", "3", "4", "5"):
        return answers.part_reply(st, int(rest)) + _repeat_pending(st)
    if head in ("ask", "text") and answers.ENTRY_ID_RE.fullmatch(rest):
        return answers.entry_reply(st, rest, verbatim=head == "text") + _repeat_pending(st)
    if head == "fb":
        sign, _, entry = rest.partition(":")
        if sign in ("+", "-") and answers.ENTRY_ID_RE.fullmatch(entry):
            return answers.feedback_reply(st, entry, 1 if sign == "+" else -1) + _repeat_pending(st)
    if head == "ctl" and rest in CONTROL_WORDS.keys() | {"cancel_yes", "cancel_no"}:
        return _control(st, rest, when)
    itv = st.get("interview")
    if head == "edit" and itv and rest in iv.by_key():
        return _start_edit(st, rest)
    if head == "ans" and itv:
        key, _, raw = rest.partition(":")
        target = itv.get("edit_key") if itv["phase"] == "edit" else itv.get("pending")
        if itv["phase"] in ("asking", "edit") and key == target and key in iv.by_key():
            value = iv.value_from_action(iv.by_key()[key], raw)
            if value is not None:
                return _accept(st, key, value, {}, when)
    return [Reply(t("stale", lang), kind="info", events=[dict(STALE)])] + _repeat_pending(st)


# ---- questions -----------------------------------------------------------------------------------

def _ask(st, text, when, context=None) -> list[Reply]:
    """A free question: answered, then the pending interview step again (never taken as an answer)."""
    itv = st.get("interview")
    pending = bool(itv and itv["phase"] in PENDING_PHASES)
    return answers.ask(st, text, offer_check=not pending, context=context) + _repeat_pending(st)


# ---- interview -----------------------------------------------------------------------------------

def _start_check(st, when) -> list[Reply]:
    lang = st["lang"]
    itv = st.get("interview")
    if itv and itv["phase"] in PENDING_PHASES and (itv["answers"] or itv["skipped"]):
        if itv["phase"] != "idle_offer":
            itv["resume_phase"] = itv["phase"]
        itv["phase"] = "idle_offer"
        return [_offer(st, "pending_offer")]
    st["interview"] = _new_interview(when)
    replies = [Reply(t("check_intro", lang), kind="info",
                     events=[{"type": "interview", "event": "started"}])]
    noted = st.get("noted_facts") or {}
    if noted:
        st["interview"]["answers"].update(noted)
        st["interview"]["history"].append({"key": None, "set": {k: [False, None] for k in noted}})
        st["noted_facts"] = {}
        replies.append(Reply(t("prefilled", lang, facts=_describe(noted, lang)), kind="info"))
        stop = _stop_reply(st)
        if stop:
            return replies + stop
    return replies + _advance(st, when)


def _pending_question(itv) -> iv.Question | None:
    key = itv.get("edit_key") if itv.get("phase") == "edit" else itv.get("pending")
    return iv.by_key().get(key) if key else None


def _ranking(answers, keys: list[str]) -> list[str]:
    prof = iv.profile(answers)
    if "role" not in prof:
        return []
    try:
        from rules import most_valuable_missing
        return list(most_valuable_missing(prof, as_of=dates.today(), keys=keys))
    except Exception:
        return []


def _advance(st, when, last_key=None) -> list[Reply]:
    """Ask the next question, or finish with the estimate."""
    itv = st["interview"]
    itv["phase"] = "asking"
    itv["edit_key"] = None
    # The ranking is worked out only when it decides between questions of the same group.
    q = iv.next_question(itv["answers"], itv["skipped"], lambda keys: _ranking(itv["answers"], keys), last_key)
    if q is None:
        return _finish(st, when)
    itv["pending"] = q.key
    return [_question_reply(st, q)]


def _progress(itv, pending: str) -> tuple[int, int]:
    """(step, total): the step counts the questions asked so far (answered or skipped at their own
    prompt), so facts given in passing shorten the total instead of making the step jump."""
    answers_, skipped = itv["answers"], itv["skipped"]
    keys = [q.key for q in iv.applicable(answers_ if "role" in answers_ else {**answers_, "role": "institution"})]
    asked = {h.get("key") for h in itv["history"]
             if h.get("key") and (h["key"] in h.get("set", {}) or h.get("skipped") == h["key"])}
    done = sum(1 for k in keys if k != pending and k in asked and (k in answers_ or k in skipped))
    remaining = sum(1 for k in keys if k == pending or (k not in answers_ and k not in skipped))
    return done + 1, done + remaining


def _question_reply(st, q: iv.Question, prefix: str = "") -> Reply:
    lang = st["lang"]
    itv = st["interview"]
    editing = itv["phase"] == "edit"
    progress = None
    mark = ""
    if not editing:
        progress = n, total = _progress(itv, q.key)
        mark = f"（{n}/{total}）" if lang == "zh" else f"({n}/{total}) "
        if isinstance(itv.get("total"), int) and itv["total"] != total:
            # the answers changed which questions apply: say so, once
            prefix += t("total_changed", lang, n=total) + "\n"
        itv["total"] = total
    text = f"{prefix}{mark}{q.text(lang)}"
    rows: list[list[Button]] = []
    if q.type == "yesno":
        rows.append([Button(b("yes", lang), f"ans:{q.key}:yes"), Button(b("no", lang), f"ans:{q.key}:no")])
    elif q.type == "choice":
        # English buttons: the short label written for buttons where the full one is long
        labels = [(c.get("button_en") or c["label_en"] if lang == "en" else c["label"], c["value"]) for c in q.choices]
        per_row = 1 if max(len(l) for l, _ in labels) > 8 else 2
        for i in range(0, len(labels), per_row):
            rows.append([Button(label, f"ans:{q.key}:{v}") for label, v in labels[i:i + per_row]])
    else:
        text += "\n" + t("example", lang, example=q.example_text(lang))
        if q.none_is_zero:
            rows.append([Button(b("none", lang), f"ans:{q.key}:{'0' if q.type == 'money' else 'none'}")])
    if editing:
        rows.append([Button(b("why", lang), "ctl:why"), Button(b("done_review", lang), "ctl:resume")])
    else:
        rows.append([Button(b("back", lang), "ctl:back"), Button(b("skip", lang), "ctl:skip"),
                     Button(b("why", lang), "ctl:why")])
        rows.append([Button(b("review", lang), "ctl:review"), Button(b("finish", lang), "ctl:finish"),
                     Button(b("restart", lang), "ctl:restart"), Button(b("cancel", lang), "ctl:cancel")])
    return Reply(text, buttons=rows, kind="question", clauses=q.articles(), expects=q.type, progress=progress)


def _repeat_pending(st) -> list[Reply]:
    """After an aside (a question, help), show the interview's pending step again."""
    itv = st.get("interview")
    if not itv or itv["phase"] not in PENDING_PHASES:
        return []
    if itv["phase"] == "idle_offer":
        return [_offer(st, "pending_offer")]
    if itv["phase"] == "review":
        return [_review_reply(st)]
    if itv["phase"] == "confirm_cancel":
        return [_confirm_cancel_reply(st)]
    q = _pending_question(itv)
    return [_question_reply(st, q)] if q else []


def _interview_text(st, text, when) -> list[Reply]:
    lang = st["lang"]
    itv = st["interview"]
    control = _control_of(text)
    phase = itv["phase"]
    if phase == "idle_offer":
        if control in ("resume", "restart", "cancel"):
            return _control(st, control, when)
        if parsing.bare(text) in ("1",):
            return _control(st, "resume", when)
        if parsing.bare(text) in ("2",):
            return _control(st, "restart", when)
        if _looks_like_question(text):
            return _ask(st, text, when)  # answered; the offer follows
        return [_offer(st, "pending_offer")]
    if phase == "confirm_cancel":
        yes = parsing.parse_yes_no(text)
        if control == "cancel" or yes is True:
            return _control(st, "cancel_yes", when)
        if yes is False or control == "resume":
            return _control(st, "cancel_no", when)
        return [_confirm_cancel_reply(st)]
    if control:
        return _control(st, control, when)
    if phase == "review":
        n = parsing.parse_integer(text)
        keys = _review_keys(itv)
        if n is not None and 1 <= n <= len(keys) and re.fullmatch(r"\d{1,2}", parsing.bare(text)):
            return _start_edit(st, keys[n - 1])
        if _looks_like_question(text):
            return _ask(st, text, when)
        facts = answers.valid_facts(parsing.extract_facts(text))
        if facts:  # "房租应该是120万" while reviewing: changed here, the list shown again
            lines = _record(st, None, None, facts)
            return _with_prefix(lines, _stop_reply(st) or [_review_reply(st)])
        return [_review_reply(st)]
    q = _pending_question(itv)
    if q is None:
        return _advance(st, when)
    if _looks_like_question(text) and not _short_answer(q, text):
        return _ask(st, text, when)
    facts_all = answers.valid_facts(parsing.extract_facts(text, context=q.key))
    merged = {**itv["answers"], **facts_all}
    merged.setdefault("role", "institution")  # before the role is known, keep what an institution would be asked
    qs = iv.by_key()
    # only facts about questions that apply ("第二年" names no rent year for a park operator)
    others = {k: v for k, v in facts_all.items() if k != q.key and iv.applies(qs[k], merged)}
    changes = {k for k, v in others.items() if k in itv["answers"] and itv["answers"][k] != v}
    if q.key == "origin" and "origin" not in facts_all and parsing.moved_from(text) == "unknown":
        # "从老厂区迁过来的": 迁 is not 区内迁入; where the place is decides, and the words do not say
        lines = _record(st, None, None, others) if others else []
        return _with_prefix(lines, _stop_reply(st) or [Reply(t("origin_unplaced", lang), kind="error"),
                                                        _question_reply(st, q)])
    head_value = None
    if others and q.key not in facts_all and q.type in ("yesno", "choice"):
        # "是的，我们是新注册的": the first clause may answer; "没有办过活动" names another field only
        head = re.split(r"[，,。.;；!！\s]", text.strip(), maxsplit=1)[0]
        head_value = iv.parse_answer(q, head) if head != text.strip() else None
    if others and q.key not in facts_all and (parsing.is_correction(text) or (changes and head_value is None)):
        # "不对，房租应该是一百二十万": a correction of another answer, never this question's answer
        return _accept(st, None, None, others, when)
    if q.type in ("money", "money_list"):
        amounts = list(dict.fromkeys(a for _, a in parsing.find_amounts(text)))
        if not amounts and parsing.mentions_rate(text):
            # "每平米每月60元" at the rent question: a rate, not the year's total; asked again, not converted
            return [Reply(t("rate_not_total", lang, example=q.example_text(lang)), kind="error"), _question_reply(st, q)]
        # each amount must belong to a field its words name: "200000, 150000" for the rent is asked
        named = {x for v in facts_all.values() for x in (v if isinstance(v, list) else [v])
                 if isinstance(x, int) and not isinstance(x, bool)}
        if q.type == "money" and len(amounts) > 1 and not set(amounts) <= named:
            return _which_amount(st, q, amounts)
    if q.type in ("yesno", "choice") and parsing.is_unsure(text):
        # "不确定", "not sure" ("not" is no "no"), "可能是区内迁入": not an answer; skipping is offered
        # (other facts the message names are kept)
        lines = _record(st, None, None, others) if others else []
        return _with_prefix(lines, _stop_reply(st) or [Reply(t("unsure_skip", lang), kind="info"), _question_reply(st, q)])
    if q.type in ("money", "money_list") and q.key not in facts_all and parsing.bounds_a_figure(text):
        # "接近2亿", "不到1亿": the awards step at whole amounts, so the bound is not taken for the figure
        return [Reply(t("bound_not_figure", lang, example=q.example_text(lang)), kind="error"), _question_reply(st, q)]
    if q.type in ("money", "money_list") and q.key not in facts_all and parsing.names_other_party(text):
        # "客户营收有10亿" at the revenue question: another's figure; the applicant's own is asked for
        return [Reply(t("other_party_figure", lang, field=q.name(lang)), kind="error"), _question_reply(st, q)]
    value = iv.parse_answer(q, text)
    if q.type == "choice" and q.key in facts_all and value is not None and value != facts_all[q.key]:
        # "从大连迁入园区的": the words read whole (from outside) over an option's word in them (迁入)
        value = facts_all[q.key]
    if others and q.key not in facts_all and q.type in ("yesno", "choice"):
        value = head_value
    if value is not None:
        return _accept(st, q.key, value, others, when, echo=_needs_echo(q, text))
    if q.key in facts_all and (q.key not in itv["answers"] or itv["phase"] == "edit"):
        return _accept(st, q.key, facts_all[q.key], others, when, echo=True)
    if others:
        return _accept(st, None, None, others, when)
    if len(text) >= 4 and _confident(text):
        return _ask(st, text, when)
    hints = [{"yesno": t("yesno_hint", lang), "choice": t("choice_hint", lang),
              "money": t("money_hint", lang), "money_list": t("money_hint", lang)}.get(q.type, "")]
    if len(re.findall(r"\d+(?:\.\d+)?", text)) > 1 and q.type in ("money", "integer"):
        hints.insert(0, t("one_figure", lang))
    hints.append(t("example", lang, example=q.example_text(lang)))
    if parsing.bare(text) in parsing.NONE_AMOUNT_WORDS | parsing.NO_WORDS:
        hints.append(t("skip_hint", lang))
    hint = (" " if lang == "en" else "").join(h for h in hints if h)
    return [Reply(t("not_understood", lang, hint=hint), kind="error"), _question_reply(st, q)]


def _needs_echo(q, text) -> bool:
    """A typed answer is said back before it is used, unless it is the plain word for yes or no."""
    return not (q.type == "yesno" and parsing.bare(text) in parsing.YES_WORDS | parsing.NO_WORDS)


def _which_amount(st, q, amounts) -> list[Reply]:
    """Several amounts at an amount question: ask which one is meant, never pick one."""
    lang = st["lang"]
    if len(amounts) > 4:
        return [Reply(t("one_figure", lang) + (" " if lang == "en" else "")
                      + t("example", lang, example=q.example_text(lang)), kind="error"), _question_reply(st, q)]
    shown = "、".join(iv.display(q, a, lang) for a in amounts) if lang == "zh" else \
        ", ".join(iv.display(q, a, lang) for a in amounts)
    rows = [[Button(iv.display(q, a, lang), f"ans:{q.key}:{a}") for a in amounts[i:i + 2]]
            for i in range(0, len(amounts), 2)]
    return [Reply(t("which_amount", lang, amounts=shown, name=q.name(lang)), kind="info", buttons=rows,
                  expects=q.type), _question_reply(st, q)]


def _looks_like_question(text) -> bool:
    return bool(QUESTION_RE.search(text)) and len(text) >= 3


def _short_answer(q, text) -> bool:
    """"是吗"-like replies are answers, not questions, when the whole text parses as one."""
    return len(text) <= 6 and iv.parse_answer(q, re.sub(r"[?？吗呢]", "", text)) is not None


def _confident(text) -> bool:
    try:
        from knowledge import match_question
        return bool(match_question(text).confident)
    except Exception:
        return False


def _describe(values: dict, lang) -> str:
    return answers.describe(values, lang)


def _describe_changes(values: dict, lang) -> str:
    qs = iv.by_key()
    sep = "; " if lang == "en" else "；"
    return sep.join(f"{qs[k].name(lang)} → {iv.display(qs[k], v, lang)}" for k, v in values.items() if k in qs)


def _with_prefix(lines: list[str], replies: list[Reply]) -> list[Reply]:
    """Say what was recorded or changed, in its own message before the next one (so the question
    message stays the question)."""
    return ([Reply("\n".join(lines), kind="info")] if lines else []) + replies


def _accept(st, key, value, facts, when, echo=False) -> list[Reply]:
    """Record an answer (and any further facts the same text named); say what was recorded or
    changed; then ask the pending question again (facts only) or go on."""
    itv = st["interview"]
    editing = itv["phase"] == "edit"
    lines = _record(st, key, value, facts, echo)
    stop = _stop_reply(st)
    if stop:
        return _with_prefix(lines, stop)
    if key is None:
        q = _pending_question(itv)
        if q and iv.applies(q, itv["answers"]) and (editing or q.key not in itv["answers"]):
            return _with_prefix(lines, [_question_reply(st, q)])
    return _with_prefix(lines, _advance(st, when, last_key=key))


def _record(st, key, value, facts, echo=False) -> list[str]:
    """Store an answer and facts as one step (上一步 undoes it); the lines that say what was
    noted or changed."""
    lang = st["lang"]
    itv = st["interview"]
    editing = itv["phase"] == "edit"
    given = dict(facts)
    facts = {k: v for k, v in facts.items() if k not in itv["answers"] or itv["answers"][k] != v}
    new = dict(facts)
    if key is not None:
        new[key] = value
    changed = {k: v for k, v in new.items() if k in itv["answers"] and (k != key or editing)}
    fresh = {k: v for k, v in new.items() if k not in changed and (k != key or echo)}
    if editing and key is not None and key not in changed:
        changed[key] = value
        fresh.pop(key, None)
    step = {"key": key if key is not None else _pending_key(itv),
            "set": {k: [k in itv["answers"], itv["answers"].get(k)] for k in new}}
    itv["answers"].update(new)
    itv["skipped"] = [k for k in itv["skipped"] if k not in new]
    itv["history"].append(step)
    lines = []
    if changed:
        lines.append(t("changed", lang, changes=_describe_changes(changed, lang)))
    if fresh:
        lines.append(t("noted", lang, facts=_describe(fresh, lang)))
    if not new and given:
        lines.append(t("same_as_before", lang, facts=_describe(given, lang)))
    if not new:
        itv["history"].pop()  # nothing changed: nothing for 上一步 to undo
    return lines


def _pending_key(itv) -> str | None:
    return itv.get("edit_key") if itv.get("phase") == "edit" else itv.get("pending")


def _stop_reply(st) -> list[Reply]:
    """The early, friendly stop when an article 16 condition fails."""
    lang = st["lang"]
    itv = st["interview"]
    failed = [q for q in iv.applicable(itv["answers"]) if q.stop_if and q.key in itv["answers"]
              and itv["answers"][q.key] in q.stop_if]
    if not failed:
        return []
    itv["phase"] = "stopped"
    itv["pending"] = None
    reasons = "\n".join(f"· {q.stop_reason_en if lang == 'en' else q.stop_reason}" for q in failed)
    buttons = [[Button(b("back", lang), "ctl:back"), Button(b("restart", lang), "ctl:restart")]]
    buttons += answers.human_row(st)
    return [Reply(t("stopped", lang, reasons=reasons), kind="stopped", clauses=[16], buttons=buttons,
                  events=[{"type": "interview", "event": "stopped",
                           "reasons": [q.key for q in failed]}])]


def _finish(st, when) -> list[Reply]:
    lang = st["lang"]
    itv = st["interview"]
    prof = iv.profile(itv["answers"])
    if "role" not in prof:
        # Every estimate rests on the role; "直接看结果" before it is answered asks it first.
        itv["skipped"] = [k for k in itv["skipped"] if k != "role"]
        itv["phase"], itv["pending"], itv["edit_key"] = "asking", "role", None
        return [Reply(t("need_role", lang), kind="info"), _question_reply(st, iv.by_key()["role"])]
    itv["phase"] = "done"
    itv["pending"] = None
    try:
        from rules import estimate
        result = estimate(prof, as_of=when.date(), lang=lang)
    except Exception:
        log.exception("estimate failed for %r", prof)
        return [Reply(t("knowledge_down", lang), kind="error", buttons=answers.human_row(st))]
    relocated = prof.get("origin") == "relocated"
    # The text opens with the policy's term when it is not in force, so no intro goes before it.
    text = summary.estimate_text(result, lang, relocated=relocated, profile=prof)
    clauses = sorted({ln["clause"] for ln in result["lines"]} | ({16} if not result["eligible"] else set()))
    buttons = [[Button(b("review", lang), "ctl:review"), Button(b("restart", lang), "ctl:restart")]]
    buttons += answers.human_row(st)
    return [Reply(text, kind="estimate", clauses=clauses, buttons=buttons, estimate=result,
                  document=document.EstimateDocument.of(result, lang, prof),  # made when asked for
                  events=[{"type": "interview", "event": "finished", "profile": prof,
                           "total_min": result["total_min"], "total_max": result["total_max"]}])]


def _review_keys(itv) -> list[str]:
    return [q.key for q in iv.applicable(itv["answers"]) if q.key in itv["answers"] or q.key in itv["skipped"]]


def _review_reply(st) -> Reply:
    lang = st["lang"]
    itv = st["interview"]
    keys = _review_keys(itv)
    if not keys:
        return Reply(t("review_empty", lang), kind="review",
                     buttons=[[Button(b("done_review", lang), "ctl:resume")]])
    qs = iv.by_key()
    lines = [t("review_title", lang)]
    rows, row = [], []
    for i, k in enumerate(keys, 1):
        q = qs[k]
        value = iv.display(q, itv["answers"][k], lang) if k in itv["answers"] else t("review_skipped", lang)
        lines.append(f"{i}. {q.name(lang)}: {value}" if lang == "en" else f"{i}. {q.name(lang)}：{value}")
        row.append(Button(f"{i}. {q.name(lang)}", f"edit:{k}"))
        if len(row) == 2:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    rows.append([Button(b("done_review", lang), "ctl:resume")])
    return Reply("\n".join(lines), kind="review", buttons=rows)


def _start_edit(st, key) -> list[Reply]:
    itv = st["interview"]
    if key not in _review_keys(itv):
        return [Reply(t("stale", st["lang"]), kind="info", events=[dict(STALE)])] + _repeat_pending(st)
    itv["phase"] = "edit"
    itv["edit_key"] = key
    return [_question_reply(st, iv.by_key()[key])]


def _confirm_cancel_reply(st) -> Reply:
    lang = st["lang"]
    return Reply(t("confirm_cancel", lang), kind="info",
                 buttons=[[Button(b("cancel_yes", lang), "ctl:cancel_yes"),
                           Button(b("cancel_no", lang), "ctl:cancel_no")]])


def _control(st, control, when) -> list[Reply]:
    lang = st["lang"]
    itv = st.get("interview")
    if control == "restart":
        st["interview"] = None
        st["noted_facts"] = {}
        return [Reply(t("restarted", lang), kind="info")] + _start_check(st, when)
    if itv is None:
        if control in ("cancel", "cancel_yes", "cancel_no", "back", "skip", "review", "finish", "resume", "why"):
            return [Reply(t("no_interview", lang), kind="info",
                          buttons=[[Button(b("check", lang), "check")]])]
        return []
    if control == "resume":
        phase = itv.get("resume_phase") if itv["phase"] == "idle_offer" else None
        itv.pop("resume_phase", None)
        if itv["phase"] in ("stopped", "done"):
            return _repeat_pending(st) or [Reply(t("no_interview", lang), kind="info")]
        if phase == "review":
            itv["phase"] = "review"
            return [_review_reply(st)]
        if phase == "edit" and itv.get("edit_key"):
            itv["phase"] = "edit"
            return [_question_reply(st, iv.by_key()[itv["edit_key"]])]
        return _advance(st, when)
    if control == "cancel":
        if itv["phase"] in ("stopped", "done"):
            st["interview"] = None
            return [Reply(t("cancelled", lang), kind="info", events=[{"type": "interview", "event": "cancelled"}])]
        if itv["phase"] != "confirm_cancel":
            itv["resume_phase"] = itv["phase"] if itv["phase"] != "idle_offer" else "asking"
        itv["phase"] = "confirm_cancel"
        return [_confirm_cancel_reply(st)]
    if control == "cancel_yes":
        st["interview"] = None
        return [Reply(t("cancelled", lang), kind="info", events=[{"type": "interview", "event": "cancelled"}])]
    if control == "cancel_no":
        if itv["phase"] == "confirm_cancel":
            itv["phase"] = "idle_offer"
            return [Reply(t("not_cancelled", lang), kind="info")] + _control(st, "resume", when)
        return _repeat_pending(st)
    if control == "why":
        q = _pending_question(itv)
        if q is None:
            return _repeat_pending(st)
        return [Reply(t("why", lang, why=q.why_text(lang)), kind="info", clauses=q.articles()),
                _question_reply(st, q)]
    if control == "review":
        itv.pop("resume_phase", None)
        itv["phase"] = "review"
        return [_review_reply(st)]
    if control == "skip":
        q = _pending_question(itv)
        if q is None or itv["phase"] not in ("asking", "edit"):
            return _repeat_pending(st)
        if itv["phase"] == "edit":  # skipping an edit keeps the old answer
            return _control(st, "resume", when)
        itv["skipped"].append(q.key)
        itv["history"].append({"key": q.key, "set": {}, "skipped": q.key})
        return [Reply(t("skipped", lang), kind="info")] + _advance(st, when)
    if control == "finish":
        return _finish(st, when)
    if control == "back":
        return _back(st, when)
    return _repeat_pending(st)


def _back(st, when) -> list[Reply]:
    lang = st["lang"]
    itv = st["interview"]
    if not itv["history"]:
        itv["phase"] = "asking"
        return [Reply(t("first_question", lang), kind="info")] + _advance(st, when)
    step = itv["history"].pop()
    undone = {k: itv["answers"][k] for k in step.get("set", {}) if k in itv["answers"]}
    for k, (had, old) in step.get("set", {}).items():
        if had:
            itv["answers"][k] = old
        else:
            itv["answers"].pop(k, None)
    if step.get("skipped"):
        itv["skipped"] = [k for k in itv["skipped"] if k != step["skipped"]]
    itv["phase"] = "asking"
    itv["edit_key"] = None
    key = step.get("key")
    q = iv.by_key().get(key) if key else None
    if key and step.get("skipped") == key and q:
        said = t("went_back_skipped", lang, name=q.name(lang))
    elif key in undone and q and key in itv["answers"]:   # an edit undone: the earlier answer is back
        said = t("went_back_restored", lang, name=q.name(lang), value=iv.display(q, itv["answers"][key], lang))
    elif key in undone and q:
        said = t("went_back_to", lang, name=q.name(lang), value=iv.display(q, undone[key], lang))
    elif undone:
        said = t("went_back_undone", lang, facts=_describe(undone, lang))
    else:
        said = t("went_back", lang)
    replies = [Reply(said, kind="info")]
    if q and iv.applies(q, itv["answers"]):
        if key in itv["answers"]:
            # the step was an edit: ask it again as an edit of the restored answer
            itv["phase"] = "edit"
            itv["edit_key"] = key
        else:
            itv["pending"] = key
        return replies + [_question_reply(st, q)]
    return replies + _advance(st, when)
