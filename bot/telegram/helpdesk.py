"""The help desk on Telegram: forwarded questions, inline answers, and 转人工 with its relay.

    desk = HelpDesk(settings, store)
    desk.ready_answer(entry, lang)               # the answer, its citation and the article's text
    await desk.on_forwarded(update, context)     # a forwarded message: staff note + ready answer
    await desk.on_inline_query(update, context)  # @bot 房租补贴: the best answers as inline results
    await desk.hand_off(update, context, event, lang) -> str   # what to tell the user
    await desk.post_handoff(bot, event, lang, user_id=..., name=..., where=..., web_session=None)
                                                 # the same for another channel (bot/serve.py: the web)
    await desk.on_staff_reply(update, context)   # a reply in the help-desk chat goes to the user
                                                 # (to the web session's log for a web hand-off)

The relay maps the help-desk chat message that announced a hand-off to the user who asked
(``handoffs`` table), so replies reach the user after a restart and only that user.
"""
from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta, timezone

from telegram import (InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResultArticle,
                      InputTextMessageContent, Message, MessageOriginChannel, MessageOriginChat,
                      MessageOriginHiddenUser, MessageOriginUser, ReplyParameters, Update)
from telegram.constants import InlineQueryLimit, MessageLimit
from telegram.error import TelegramError
from telegram.ext import ContextTypes, filters

from bot.config import Settings
from bot.store import Store
from dialogs import parsing
from knowledge import get_entry, match_question
from knowledge.answers import (AUTHORITY, NOT_COVERED, NOT_COVERED_EN, VALIDITY_ENTRIES, suggestions, term_line,
                               validity_note)
from knowledge.base import Entry, article_name

logger = logging.getLogger("policybot.helpdesk")

REPEAT_WINDOW = timedelta(hours=24)
FORWARD_ACTION = "fwd:"          # fwd:<entry id>: the ready-to-send answer of that entry
INLINE_RESULTS = 5

# Words that ask for a person, typed instead of pressing 转人工, matched against the message
# without spaces and punctuation. Whole short messages only: "人工智能企业有补贴吗" is a
# question, not a request for a person.
HANDOFF_WORDS = re.compile(
    r"^(?:我要|我想|请|帮我)?(?:转|找|联系|接)?(?:人工|客服|人工客服|真人|工作人员)(?:服务|客服)?(?:吧|呢|啊)?$"
    r"|^(?:talkto|speakto|contact)?(?:a)?(?:human|person|agent|realperson|humanagent)(?:please)?$",
    re.IGNORECASE)

TEXTS = {
    "zh": {
        "passed_on": "已将您的问题转给区人社局的工作人员（人工客服）。工作人员回复后，我会把答复发到这里，请留意消息。",
        "no_desk": (f"目前没有开通在线人工转接。本政策由{AUTHORITY}负责解释，具体问题请直接向区人社局咨询；"
                    "政策文件中没有写明联系电话和地址。"),
        "desk_down": (f"抱歉，暂时无法转交给工作人员。本政策由{AUTHORITY}负责解释，具体问题可以直接向区人社局咨询；"
                      "政策文件中没有写明联系电话和地址。"),
        "staff_reply": "💬 人工客服回复：\n\n",
        "staff_reply_file": "💬 人工客服回复如下：",
        "already": "您的这个问题已经转给工作人员了，请耐心等待回复，回复会发到这里。",
        "in_private": "工作人员的回复会通过私聊发给您；如果您还没有私聊过我，请先私聊我发送 /start。",
    },
    "en": {
        "passed_on": "Your question has been passed on to the staff of the district HR bureau. When they reply, "
                     "I will send the answer here.",
        "no_desk": ("A person is not available through this bot. The policy is interpreted by the Xiqing District "
                    "Human Resources and Social Security Bureau (区人社局); please ask the bureau directly. "
                    "The policy document gives no phone number or address."),
        "desk_down": ("Sorry, I could not pass your question on just now. The policy is interpreted by the Xiqing "
                      "District Human Resources and Social Security Bureau (区人社局); please ask the bureau "
                      "directly. The policy document gives no phone number or address."),
        "staff_reply": "💬 Reply from the help desk:\n\n",
        "staff_reply_file": "💬 Reply from the help desk:",
        "already": "This question has already been passed on to the staff; their reply will come here.",
        "in_private": "The reply will come in a private chat with me; if you have not chatted with me "
                      "privately yet, please send me /start there first.",
    },
}


def is_handoff_request(text: str) -> bool:
    bare = re.sub(r"[\s。！？!?.,，、~～]+", "", text or "")
    return bool(bare) and len(bare) <= 12 and bool(HANDOFF_WORDS.match(bare))


def text_lang(text: str) -> str:
    """The language the chat would answer the text in (dialogs.parsing.text_lang), else Chinese."""
    return parsing.text_lang(text) or "zh"


def answer_text(entry: Entry, lang: str = "zh") -> str:
    """The entry's answer (it ends with its citation), with today's days left for the term, and
    for an award outside the term the line saying so first, as the chat's answers have it."""
    from dialogs.dates import today  # (POLICYBOT_AS_OF, as every channel reads the date)

    day = today()
    text = entry.answer if lang == "zh" else entry.answer_en
    if entry.id in VALIDITY_ENTRIES:
        text += "\n" + validity_note(day, lang=lang)
    line = term_line(entry.id, day, lang)
    return f"{line}\n\n{text}" if line else text


def first_line(text: str, limit: int = 60) -> str:
    line = re.split(r"(?<=[。；！？!?;])|\n", text.strip(), maxsplit=1)[0].strip()
    return line if len(line) <= limit else line[:limit - 1] + "…"


def confidence_label(score: float, confident: bool) -> str:
    return f"置信度 {score:.2f}（{'有把握' if confident else '把握不大，请核对'}）"


def origin_name(message: Message) -> str:
    """Who wrote the forwarded message, as far as Telegram tells."""
    origin = message.forward_origin
    if isinstance(origin, MessageOriginUser):
        return origin.sender_user.full_name
    if isinstance(origin, MessageOriginHiddenUser):
        return origin.sender_user_name
    if isinstance(origin, MessageOriginChat):
        return origin.sender_chat.title or "群组"
    if isinstance(origin, MessageOriginChannel):
        return origin.chat.title or "频道"
    return "未知"


def display_name(update: Update) -> str:
    user = update.effective_user
    if user is None:
        return "（未知用户）"
    name = user.full_name or str(user.id)
    return f"{name}（@{user.username}）" if user.username else name


class HelpDesk:
    def __init__(self, settings: Settings, store: Store):
        self.settings = settings
        self.store = store

    # -- forwarded questions ----------------------------------------------------------------
    @staticmethod
    def ready_answer(entry: Entry, lang: str = "zh") -> str:
        """A message staff can copy or forward as it is: answer, citation, the article's text."""
        source = "、".join(article_name(n) for n in entry.clauses)
        if lang == "zh":
            return f"{answer_text(entry, 'zh')}\n\n【政策原文 · {source}】\n{entry.text}"
        return f"{answer_text(entry, 'en')}\n\nPolicy text ({entry.citation}, Chinese original):\n{entry.text}"

    async def on_forwarded(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A forwarded message is a question someone else asked: a note for the staff member
        (match, confidence), then the ready-to-send answer in a message of its own."""
        message = update.effective_message
        question = (message.text or message.caption or "").strip()
        chat_id = update.effective_chat.id
        if not question:
            await context.bot.send_message(chat_id, "转发的消息里没有文字，我只能回答文字提问。")
            return
        question = question[:1000]
        lang = text_lang(question)
        result = match_question(question)
        self.store.log_question(chat_id=chat_id, user_id=update.effective_user.id if update.effective_user else None,
                                question=question, top=result.top.entry.id if result.top else None,
                                score=result.top.score if result.top else None, confident=result.confident,
                                lang=lang, source="forwarded")
        quoted = question if len(question) <= 200 else question[:199] + "…"
        note = [f"📨 转发的问题（来自{origin_name(message)}）：{quoted}"]
        rows: list[list[InlineKeyboardButton]] = []
        if result.confident and result.top:
            entry = result.top.entry
            note.append(f"匹配：{entry.title}{entry.citation}，{confidence_label(result.top.score, True)}")
            note.append("下一条消息可以直接复制或转发给提问人。")
            ready = self.ready_answer(entry, lang)
        else:
            offered = suggestions(result)
            if offered:
                best = "、".join(f"{m.entry.title}{m.entry.citation} {m.score:.2f}" for m in offered)
                note.append(f"没有把握回答，置信度低（最接近：{best}）。")
                note.append("下一条是如实的答复；如果确实是其中某一条，点按钮生成该条的答复。")
                rows = [[InlineKeyboardButton(f"{m.entry.title}{m.entry.citation}",
                                              callback_data=f"{FORWARD_ACTION}{m.entry.id}")] for m in offered]
            else:
                note.append("政策中没有找到相关内容，置信度低。下一条是如实的答复。")
            ready = NOT_COVERED if lang == "zh" else NOT_COVERED_EN
        await context.bot.send_message(chat_id, "\n".join(note),
                                       reply_parameters=ReplyParameters(message.message_id,
                                                                        allow_sending_without_reply=True))
        await self.send_ready(context, chat_id, ready, rows)

    async def send_ready(self, context, chat_id: int, text: str, rows=None) -> None:
        from bot.telegram.render import split_message

        chunks = split_message(text, MessageLimit.MAX_TEXT_LENGTH)
        for i, chunk in enumerate(chunks):
            markup = InlineKeyboardMarkup(rows) if rows and i == len(chunks) - 1 else None
            await context.bot.send_message(chat_id, chunk, reply_markup=markup)

    async def on_forward_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Staff picked the entry a low-confidence forwarded question is about."""
        query = update.callback_query
        entry_id = (query.data or "")[len(FORWARD_ACTION):]
        await query.answer()
        try:
            entry = get_entry(entry_id)
        except KeyError:
            await context.bot.send_message(update.effective_chat.id, "这个按钮已经失效了。")
            return
        await self.send_ready(context, update.effective_chat.id, self.ready_answer(entry, "zh"))

    # -- inline mode ----------------------------------------------------------------------------
    async def on_inline_query(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``@bot 房租补贴`` in any chat: the best answers (title, first line); choosing one inserts
        the answer with its citation."""
        inline = update.inline_query
        text = (inline.query or "").strip()[:256]
        results = []
        if text:
            lang = text_lang(text)
            result = match_question(text)
            matches = [result.top] if result.confident and result.top else []
            matches += [m for m in suggestions(result) if m not in matches]
            for match in matches[:INLINE_RESULTS]:
                entry = match.entry
                answer = answer_text(entry, lang)[:MessageLimit.MAX_TEXT_LENGTH]
                title = entry.title if lang == "zh" else entry.title_en
                results.append(InlineQueryResultArticle(
                    id=entry.id, title=f"{title}{entry.citation}" if lang == "zh" else title,
                    # (the answer's own first line: after the term every answer opens with the same one)
                    description=first_line(entry.answer if lang == "zh" else entry.answer_en),
                    input_message_content=InputTextMessageContent(answer)))
            if not results:
                honest = NOT_COVERED if lang == "zh" else NOT_COVERED_EN
                results.append(InlineQueryResultArticle(
                    id="not-covered", title="政策中没有找到明确答案" if lang == "zh" else "Not covered by the policy",
                    description=first_line(honest), input_message_content=InputTextMessageContent(honest)))
        try:
            await inline.answer(results[:InlineQueryLimit.RESULTS], cache_time=60)
        except TelegramError as exc:  # the query expired while we matched: nothing to show anyway
            logger.debug("could not answer the inline query: %s", exc)

    # -- hand-off to a person -------------------------------------------------------------------
    def best_guess(self, question: str, entry_id: str | None) -> str:
        """The bot's best guess for the staff: the entry the user last saw, else the top match."""
        if entry_id:
            try:
                entry = get_entry(entry_id)
                return f"{entry.title}{entry.citation}（用户刚看过的回答）"
            except KeyError:
                pass
        if not question:
            return "无"
        result = match_question(question)
        if not result.top:
            return "政策中没有找到相关内容"
        return f"{result.top.entry.title}{result.top.entry.citation}，{confidence_label(result.top.score, result.confident)}"

    async def hand_off(self, update: Update, context: ContextTypes.DEFAULT_TYPE, event: dict, lang: str) -> str:
        """Pass the user's question to the help-desk chat; returns what to tell the user."""
        texts = TEXTS["en" if lang == "en" else "zh"]
        if self.settings.helpdesk_chat is None or update.effective_user is None:
            return texts["no_desk"]
        user_id = update.effective_user.id
        where = "私聊" if update.effective_chat and update.effective_chat.id == user_id else "群聊"
        return await self.post_handoff(context.bot, event, lang, user_id=user_id, name=display_name(update),
                                       where=where)

    async def post_handoff(self, bot, event: dict, lang: str, *, user_id: int, name: str, where: str,
                           web_session: str | None = None) -> str:
        """Post a hand-off to the help-desk chat (for a Telegram user, or a web session when
        ``web_session`` is given: staff replies then go to that session); what to tell the user."""
        texts = TEXTS["en" if lang == "en" else "zh"]
        desk = self.settings.helpdesk_chat
        if desk is None:
            return texts["no_desk"]
        question = str(event.get("question") or "").strip()[:1500]
        guess = self.best_guess(question, event.get("entry"))
        since = (datetime.now(timezone.utc) - REPEAT_WINDOW).isoformat(timespec="seconds")
        if self.store.recent_open_handoff(user_id, question, since):
            return texts["already"]     # pressing 转人工 again does not post the question again
        # Replies go to the user's private chat (its id is the user id): never back into a group.
        handoff_id = self.store.add_handoff(chat_id=user_id, user_id=user_id, user_name=name,
                                            question=question, guess=guess, lang=lang, web_session=web_session)
        announcement = (f"🙋 转人工 #{handoff_id}\n用户：{name}（{where}，id {user_id}）\n"
                        f"问题：{question or '（用户还没有提问）'}\n机器人的最佳猜测：{guess}\n\n"
                        "回复本条消息，机器人会把您的回复转给该用户。")
        try:
            sent = await bot.send_message(desk, announcement)
        except TelegramError as exc:
            logger.warning("could not post hand-off #%s to the help-desk chat: %s", handoff_id, exc)
            self.store.delete_handoff(handoff_id)
            return texts["desk_down"]
        self.store.set_handoff_message(handoff_id, desk, sent.message_id)
        logger.info("hand-off #%s posted to the help-desk chat", handoff_id)
        return texts["passed_on"] if where != "群聊" else f"{texts['passed_on']}\n{texts['in_private']}"

    def staff_reply_filter(self) -> filters.MessageFilter:
        desk = self

        class StaffReply(filters.MessageFilter):
            """A message in the help-desk chat replying to a hand-off the bot posted there."""

            def filter(self, message: Message) -> bool:
                reply = message.reply_to_message
                return (desk.settings.helpdesk_chat is not None and message.chat.id == desk.settings.helpdesk_chat
                        and reply is not None and reply.from_user is not None
                        and reply.from_user.id == message.get_bot().id
                        and desk.store.handoff_for_message(message.chat.id, reply.message_id) is not None)

        # Commands stay commands, even as replies (a staff member's /stats is not for the user).
        return filters.UpdateType.MESSAGE & ~filters.COMMAND & StaffReply()

    async def on_staff_reply(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Deliver a staff member's reply to the user of the hand-off it answers, and say so."""
        message = update.effective_message
        handoff = self.store.handoff_for_message(message.chat.id, message.reply_to_message.message_id)
        if handoff is None:
            return
        if handoff.get("web_session"):
            await self.deliver_to_web(message, handoff)
            return
        texts = TEXTS["en" if handoff.get("lang") == "en" else "zh"]
        user_chat = handoff["chat_id"]
        try:
            if message.text:
                reply = message.text[:MessageLimit.MAX_TEXT_LENGTH - 40]
                await context.bot.send_message(user_chat, texts["staff_reply"] + reply)
            else:
                await context.bot.send_message(user_chat, texts["staff_reply_file"])
                await context.bot.copy_message(user_chat, message.chat.id, message.message_id)
        except TelegramError as exc:
            logger.info("could not deliver the reply to hand-off #%s: %s", handoff["id"], exc)
            await message.reply_text(f"⚠️ 未能送达 {handoff['user_name']}（转人工 #{handoff['id']}）：{exc.message}。"
                                     "用户可能已停用机器人或删除了会话。")
            return
        self.store.mark_handoff_answered(handoff["id"])
        await message.reply_text(f"✅ 已送达 {handoff['user_name']}（转人工 #{handoff['id']}）")

    async def deliver_to_web(self, message: Message, handoff: dict) -> None:
        """A staff reply to a hand-off from the web: kept in the store, where the session's page
        picks it up (also after a restart). The page shows text only."""
        if not message.text:
            await message.reply_text(f"⚠️ {handoff['user_name']} 在网页上提问，只能收到文字回复，请用文字回复（转人工 #{handoff['id']}）。")
            return
        if not self.store.add_web_staff_reply(handoff["web_session"], message.text[:MessageLimit.MAX_TEXT_LENGTH]):
            await message.reply_text(f"⚠️ 未能送达 {handoff['user_name']}（转人工 #{handoff['id']}）：该网页会话已清除。")
            return
        self.store.mark_handoff_answered(handoff["id"])
        await message.reply_text(f"✅ 已送达 {handoff['user_name']}（转人工 #{handoff['id']}，网页）")
