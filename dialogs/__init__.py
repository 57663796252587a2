"""The channel-independent conversation engine.

A channel (terminal, Telegram) keeps one plain-JSON ``state`` per user and calls:

    from dialogs import new_state, respond, press, Reply, Button, is_answer_action

    state = new_state(lang="zh")          # dict; lang "zh" or "en": the user's app language
    state, replies = respond(state, text, now=None, idle_days=7, *, handoff=False, reply_to=None)
    state, replies = press(state, action, now=None, idle_days=7, *, handoff=False)

``handoff=True`` says the channel has a help desk: only then do replies carry the 联系人工 /
"Contact staff" button (action ``human``) and does a request for a person emit the "handoff"
event; without it, a request for a person gets the honest referral to 区人社局. ``reply_to`` is
the knowledge entry id of the bot answer the user's message replies to: the message is then read
as a follow-up about that entry ("那第三年呢？" under the rent answer).

Reply language: an explicit /lang zh|en (or a ``lang:zh|en`` button) is kept as
``state["lang_choice"]`` and wins until /lang auto; otherwise each ``respond`` replies in the
language of its text (Chinese characters → zh, English words and no Chinese → en, neither, e.g.
"3" or "120万" → the conversation's language so far). ``new_state(lang)`` is the language of
replies before any text. /start is Chinese with one English line unless English was chosen.
``state["lang"]`` holds the language of the latest reply; ``press`` replies in it.

``now`` is a timezone-aware or naive UTC ``datetime`` (default: the clock, on the date of the
``POLICYBOT_AS_OF`` setting YYYY-MM-DD when that is set; see dialogs/dates.py); it dates the
estimate (rules ``as_of``) and whether the policy is in force (outside its term, answers about an
award and estimates open with a line saying so), and a pending interview untouched for more than ``idle_days`` (state
``updated_at``) is offered to resume (继续) or restart (重新开始) instead of being dropped. Neither call raises on any input: bad text gives an "error" reply, and the
state passed in is never mutated (a new state is returned).

``respond`` understands questions (answered from ``knowledge``), interview answers, control words
(上一步, 跳过/不知道/"I don't know", 查看/修改, 重新开始, 取消, 为什么问这个) and the commands /start /help
/check (or 资格自测) /clause N /list /cancel /lang [zh|en|auto] (alone: shows the choice). A figure
in free text goes into a field only when its words name that field; each one taken is said back
("我记下了：…，如有误请说“修改”"); a correction ("不对，房租应该是一百二十万") changes the field it
names ("已修改：实缴房租 → 120万元") and the pending question is asked again; several amounts for
one field are asked about (buttons), never picked. Each ``Reply`` is what the channel shows:

    Reply.text      str, plain text (no markup)
    Reply.buttons   list of rows, each a list of Button(label, action); action is ASCII ≤ 60 bytes
    Reply.document  EstimateDocument or None: the estimate as a Word file ("….docx", python-docx),
                    made when asked for: ``.filename``, ``.recipe`` (plain JSON to keep), ``.build()``
                    -> bytes; it also unpacks as ``filename, data = reply.document``
    Reply.estimate  dict or None: on the "estimate" reply, the rules.estimate result (RULES.md shape,
                    plus institution_*/personal_* subtotals, cap_cut_*, capped_clauses)
    Reply.entry     the knowledge entry id an "answer" reply answers, else None
    Reply.progress  (step, total) of an interview question, else None. The step counts the
                    questions asked so far; the total changes only when answers change which
                    questions apply, and the question's text then says the new total
    Reply.kind      "answer" | "not_confident" | "question" | "estimate" | "stopped" | "review"
                    | "info" | "error"
    Reply.clauses   list[int]: articles cited
    Reply.events    list[dict] for the channel to act on or record, e.g.
                    {"type": "feedback", "entry": "a05", "value": 1},          (value 1 or -1)
                    {"type": "handoff", "question": "..."},                    (转人工)
                    {"type": "asked", "query": ..., "top": "a05", "score": 0.93, "confident": True},
                    {"type": "interview", "event": "started" | "finished" | "cancelled" | "stopped"}
                    {"type": "stale"}   a press that was not served (an old or unknown button):
                                        leave the pressed message as it was
    Reply.actions() every button action, row by row (for channels that number buttons)
    Button.is_answer  True only for buttons that answer the pending question (actions ``ans:…``,
                    also ``is_answer_action(action)``): a channel may echo those as chosen
                    ("✅ 已选 …"); controls (为什么问这个, 上一步, 查看/修改 …) and links are not answers
    Reply.expects   None, or the answer type the pending interview question wants ("yesno",
                    "choice", "money", "integer", "money_list"): a channel that numbers buttons
                    should read a bare number as an answer when this is "money"/"integer"/"money_list".

Button actions (all produced by the engine; a channel passes them back unchanged):

    check                  start the eligibility interview       help, list     help / article list
    ask:<entry id>         answer that knowledge entry           text:<entry id>  its verbatim text
    part:<1-5>             the articles of that part of the policy
    fb:+:<entry id>        helpful                                fb:-:<entry id>  not helpful
    human                  hand-off to a person (emits "handoff" when the channel has a help desk)
    ans:<key>:<value>      answer the pending question (yes/no/choice value; for an amount, the
                           yuan of one of the amounts a message named, or 0 for 没有)
    ctl:back | ctl:skip | ctl:why | ctl:review | ctl:restart | ctl:cancel | ctl:finish
    ctl:resume             return to the pending question (after review or an idle offer)
    ctl:cancel_yes | ctl:cancel_no                               confirm / withdraw a cancel
    edit:<key>             change one answer from the review list
    lang:zh | lang:en | lang:auto                                 (auto: follow the user's text)

An unknown or stale action gives a polite "error"/"info" reply and leaves the state usable.

``state`` is JSON-serialisable and carries ``"version"`` (STATE_VERSION) and ``"lang"``; a state from an older or unknown version
is migrated or restarted with an apology, never crashes. Its interview answers use exactly the
applicant-profile vocabulary of ../shared/RULES.md: ``profile_of(state)`` returns the profile the
estimate is computed from.
"""
from dialogs.engine import STATE_VERSION, new_state, press, profile_of, respond
from dialogs.reply import Button, Reply, is_answer_action

__all__ = ["STATE_VERSION", "Button", "Reply", "is_answer_action", "new_state", "press", "profile_of", "respond"]
