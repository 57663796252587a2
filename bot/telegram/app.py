"""The Telegram channel (python-telegram-bot 22) over the dialog engine.

    app = build_application(settings)      # persistence, handlers, error handler, limits
    run_bot(settings) -> exit status       # polling, or a webhook (through bot/serve.py) when POLICYBOT_WEBHOOK_URL is set

Every text, command and button press goes to ``dialogs.respond``/``dialogs.press`` with the
user's state for that chat, kept in ``context.user_data`` so that it is persisted; this module
only turns replies into Telegram messages and records what the engine reports (questions asked,
feedback, hand-offs). The help desk lives beside it: bot/telegram/helpdesk.py (forwarded questions, inline
mode, 转人工 and its relay), bot/telegram/staff.py (staff commands), bot/telegram/privacy.py (/privacy, /forget, the
daily purge); their handlers are registered here, before the engine's. bot/telegram/sent.py remembers
what each sent message was for (its article, in a group its member, the latest interview step). The engine is the single source of truth for where an interview stands: the persistent
ConversationHandler "interview" mirrors it after every step, so no handler can leave a user stuck.
"""
from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import logging
import re
import sys
import warnings
from typing import Callable

from telegram import (BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, Message,
                      ReplyParameters, Update)
from telegram.constants import ChatType, MessageEntityType
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (Application, ApplicationBuilder, ApplicationHandlerStop, CallbackQueryHandler, CommandHandler, ContextTypes,
                          ConversationHandler, InlineQueryHandler, MessageHandler, TypeHandler, filters)
from telegram.warnings import PTBUserWarning

import dialogs
from dialogs.document import DocumentUnavailable, EstimateDocument
from bot.telegram import staff as staff_commands
from bot.config import Settings, redact
from bot.telegram.helpdesk import FORWARD_ACTION, HelpDesk, is_handoff_request
from bot.telegram.persistence import SQLitePersistence
from bot.telegram.privacy import FORGET_NO, FORGET_YES, PURGE_EVERY, PURGE_FIRST, Privacy
from bot.telegram.staff import Staff
from bot.lock import StoreUnusable, open_own_store
from bot.store import Store
from bot.telegram.ops import Operations, api_address, not_a_bot_api, quiet_library_tracebacks
from bot.telegram.limits import FloodGuard, PerUserUpdateProcessor, SendRateLimiter
from bot.telegram.outbox import Durable, InboxQueue, Ledger, StoreBusy
from bot.telegram.render import DOC_ACTION, compose, split_message
from bot.telegram.sent import INTERVIEW_ACTIONS, entry_in_buttons, message_note
from knowledge import matcher

logger = logging.getLogger("policybot.telegram")

INTERVIEW = "interview"          # the one ConversationHandler state: an interview is pending
MAX_QUESTION_CHARS = 1000        # longer texts are refused politely rather than matched
POOL_SIZE = 16                   # HTTP connections to the Bot API for sending
WARM_UP_QUESTION = "房租补贴第二年怎么算"       # loads the matcher's index and jieba before the first user

# The command menu (only commands the bot serves). Staff see theirs too, in their own chats.
COMMANDS = {
    "zh": [("start", "开始 · 主菜单"), ("help", "使用说明"), ("check", "资格自测与补贴测算"),
           ("clause", "查看条款原文，如 /clause 5"), ("list", "条款目录"), ("cancel", "取消当前测算"),
           ("lang", "切换语言 中文/English"), ("privacy", "保存了哪些信息、保存多久"),
           ("forget", "删除我的全部记录")],
    "en": [("start", "Start · main menu"), ("help", "How to use this bot"),
           ("check", "Eligibility check and award estimate"), ("clause", "Show an article, e.g. /clause 5"),
           ("list", "List of articles"), ("cancel", "Cancel the current check"),
           ("lang", "Switch language 中文/English"), ("privacy", "What is stored and for how long"),
           ("forget", "Delete all my records")],
}

# The channel's own words; everything else the user reads comes from the engine.
TEXTS = {
    "zh": {
        "unsupported": "我只能读文字消息，请直接用文字提问（例如：房租补贴怎么算）。",
        "edited": "修改过的消息我不会重新处理，请把问题重新发一遍。",
        "too_long": f"消息太长了，请用一两句话提问（{MAX_QUESTION_CHARS}字以内）。",
        "flood": "消息发得太快了，请稍等十秒再发。",
        "error": "抱歉，处理这条消息时出了问题，请再试一次。",
        "save": "📄 保存测算结果",
        "no_document": "没有可保存的测算结果，请先发送 /check 完成测算。",
        "document_caption": "测算结果，仅供参考，以区人社局审核为准。",
        "chosen": "已选：",
        "withdrawn": "已撤回您对这条回答的评价。",
        "out_of_date": "这条消息已过期，请在最新的消息里操作。",
        "not_yours": "这是其他成员的测算，只有发起人本人可以作答。如需自测，请私聊我发送 /check。",
        "private_check": "资格自测要填写营业收入、纳税等经营数据，不宜在群里进行。请点下面的按钮，在与我的私聊中开始测算。",
        "private_button": "🔒 私聊开始测算",
        "busy": "抱歉，数据库正忙，这条消息没能保存，请稍后再发一次；之前的记录都在。",
    },
    "en": {
        "unsupported": "I can only read text. Please type your question (e.g. how is the rent subsidy computed).",
        "edited": "I don't re-read edited messages; please send your question again.",
        "too_long": f"That message is too long. Please ask in a sentence or two (under {MAX_QUESTION_CHARS} characters).",
        "flood": "You're sending messages too fast. Please wait ten seconds.",
        "error": "Sorry, something went wrong with that message. Please try again.",
        "save": "📄 Save the estimate",
        "no_document": "There is no estimate to save yet. Send /check to do one.",
        "document_caption": "Estimate for reference only; the district HR bureau decides.",
        "chosen": "Chosen: ",
        "withdrawn": "Your feedback on this answer is withdrawn.",
        "out_of_date": "This message is out of date; please use the latest one.",
        "not_yours": "This check belongs to another member; only they can answer it. To do your own, message me privately and send /check.",
        "private_check": "The eligibility check asks for your revenue and tax figures, which are better not shared in a group. Press the button below to do it in a private chat with me.",
        "private_button": "🔒 Check in a private chat",
        "busy": "Sorry, we could not save that just now (the database is busy). Please send it again shortly; nothing you told us before is lost.",
    },
}


def lang_of_user(update: Update) -> str:
    user = update.effective_user
    code = (user.language_code or "") if user else ""
    return "en" if code.lower().startswith("en") else "zh"


# --- group chats: answer only what is addressed to the bot -----------------------------------

class AddressedToBot(filters.MessageFilter):
    """Private chats; in groups: a mention of the bot, a reply to it, or a command for it."""

    def filter(self, message: Message) -> bool:
        if message.chat.type == ChatType.PRIVATE:
            return True
        bot = message.get_bot()
        reply = message.reply_to_message
        if reply and reply.from_user and reply.from_user.id == bot.id:
            return True
        username = (bot.username or "").lower()
        for entity, text in message.parse_entities().items() | message.parse_caption_entities().items():
            if entity.type == MessageEntityType.MENTION and text[1:].lower() == username:
                return True
            if entity.type == MessageEntityType.TEXT_MENTION and entity.user and entity.user.id == bot.id:
                return True
            if entity.type == MessageEntityType.BOT_COMMAND and entity.offset == 0:
                _, _, target = text.partition("@")
                if not target or target.lower() == username:
                    return True
        return False


ADDRESSED = AddressedToBot()
NEW_MESSAGE = filters.UpdateType.MESSAGE & ADDRESSED
TEXT_MESSAGE = NEW_MESSAGE & filters.TEXT & ~filters.COMMAND
COMMAND_MESSAGE = NEW_MESSAGE & filters.COMMAND


def clean_text(message: Message) -> str:
    """The message text without the bot's @mention and with /cmd@bot turned into /cmd."""
    text = message.text or ""
    username = message.get_bot().username or ""
    if username:
        text = re.sub(rf"@{re.escape(username)}\b", "", text, flags=re.IGNORECASE)
    return text.strip()


# --- the channel ------------------------------------------------------------------------------

class TelegramChannel:
    """The handlers, sharing the store and the limits."""

    def __init__(self, settings: Settings, store: Store, durable: Durable | None = None):
        self.settings = settings
        self.store = store
        self.durable = durable or Durable(Ledger(store))
        self.flood = FloodGuard(settings.flood_limit, settings.flood_window)
        self.helpdesk = HelpDesk(settings, store)
        self.ops = Operations(settings)

    # state ------------------------------------------------------------------------------------
    @staticmethod
    def chat_state(update: Update, context: ContextTypes.DEFAULT_TYPE) -> dict:
        """This user's record for this chat in user_data: the engine state and what the channel
        remembers about it (the estimate document). Created on first use."""
        chats = context.user_data.setdefault("chats", {})
        chat_id = update.effective_chat.id if update.effective_chat else update.effective_user.id
        record = chats.get(str(chat_id))
        if record is None:
            # The app language is only the default for replies to no text (the greeting, a first
            # button press): the engine answers each message in the language it is written in.
            record = chats[str(chat_id)] = {"dialog": dialogs.new_state(lang=lang_of_user(update))}
        return record

    @staticmethod
    def lang(record: dict) -> str:
        return "en" if record.get("dialog", {}).get("lang") == "en" else "zh"

    # the core step ----------------------------------------------------------------------------
    async def converse(self, update: Update, context: ContextTypes.DEFAULT_TYPE,
                       step: Callable[[dict], tuple[dict, list]]) -> str | None:
        """Run one engine step on this chat's state, store it, send the replies; return the
        conversation state mirroring the engine (INTERVIEW, END, or None = unchanged)."""
        before = json.loads(json.dumps(context.user_data, default=str))
        record = self.chat_state(update, context)
        record["dialog"], replies = step(record["dialog"])
        context.user_data["lang"] = self.lang(record)
        questions = self.question_rows(update, replies, self.lang(record))
        replies = await self.hand_off(update, context, replies, self.lang(record))
        for reply in replies:
            if reply.document:  # its recipe (plain JSON): the file is made when the user asks for it
                record["document"] = {"filename": reply.document.filename, "recipe": reply.document.recipe}
        # Feedback first: taking a 👍 back changes the reply that says so.
        replies = self.record_events(update, replies, self.lang(record))
        # The new state, the replies and the question log in one transaction, then sent from the
        # outbox: a kill at any point neither loses an answer nor repeats a reply.
        try:
            committed = await self.durable.commit(update, context.user_data,
                                                  self.outgoing(update, record, replies), questions)
        except StoreBusy:
            committed = False
            await self.store_busy(update, context)
        if not committed:
            context.user_data.clear()
            context.user_data.update(before)
            return None
        await self.durable.deliver(context.bot, update.effective_chat.id)
        return self.interview_state(replies)

    async def store_busy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The store stayed locked: say so honestly (sent directly: the outbox is in the store)."""
        logger.warning("the store stayed locked: update %s not saved, the user was told", update.update_id)
        lang = lang_of_user(update) if not context.user_data else context.user_data.get("lang", "zh")
        try:
            await context.bot.send_message(update.effective_chat.id, TEXTS[lang if lang in TEXTS else "zh"]["busy"])
        except TelegramError as exc:
            logger.warning("could not tell chat %s the store is busy: %s", update.effective_chat.id, exc)

    async def hand_off(self, update: Update, context: ContextTypes.DEFAULT_TYPE, replies: list,
                       lang: str) -> list:
        """转人工: pass the question to the help-desk chat; the engine's line is replaced by what
        actually happened (passed on, or how to reach the bureau)."""
        result = []
        for reply in replies:
            event = next((e for e in reply.events if e.get("type") == "handoff"), None)
            if event is not None:
                told = await self.helpdesk.hand_off(update, context, event, lang)
                reply = dataclasses.replace(reply, text=told)
            result.append(reply)
        return result

    @staticmethod
    def interview_state(replies: list) -> str | None:
        """INTERVIEW when the replies ask an interview question or start one, END when they end
        it, None (no change) otherwise."""
        state = None
        for reply in replies:
            if reply.kind == "question":
                state = INTERVIEW
            for event in reply.events:
                if event.get("type") == "interview":
                    state = INTERVIEW if event.get("event") == "started" else ConversationHandler.END
        return state

    @staticmethod
    def question_rows(update: Update, replies: list, lang: str | None = None) -> list[dict]:
        """The questions asked (the question log), written with the state and the replies."""
        chat_id = update.effective_chat.id if update.effective_chat else 0
        user_id = update.effective_user.id if update.effective_user else None
        return [dict(chat_id=chat_id, user_id=user_id, question=str(event.get("query", ""))[:2000],
                     top=event.get("top"), score=event.get("score"),
                     confident=bool(event.get("confident")), lang=event.get("lang") or lang)
                for reply in replies for event in reply.events if event.get("type") == "asked"]

    def record_events(self, update: Update, replies: list, lang: str | None = None) -> list:
        """Store the feedback the engine reports (one per user per answer message); a reply saying
        feedback was taken back replaces the thanks. Returns the replies to send."""
        chat_id = update.effective_chat.id if update.effective_chat else 0
        user_id = update.effective_user.id if update.effective_user else None
        for reply in replies:
            for event in reply.events:
                kind = event.get("type")
                if kind == "feedback":
                    query = update.callback_query
                    answer = query.message.message_id if query and query.message else None
                    outcome = self.store.set_feedback(chat_id=chat_id, user_id=user_id, entry=event.get("entry"),
                                                      value=int(event.get("value", 0)), message_id=answer)
                    if outcome == "withdrawn":
                        i = replies.index(reply)
                        replies[i] = dataclasses.replace(reply, text=TEXTS["en" if lang == "en" else "zh"]["withdrawn"],
                                                         buttons=[], events=[])
        return replies

    def outgoing(self, update: Update, record: dict, replies: list) -> list[dict]:
        """The replies as outbox rows: Telegram messages of at most 4096 units, buttons on the last."""
        chat_id = update.effective_chat.id
        in_group = update.effective_chat.type != ChatType.PRIVATE
        # In a group, answer as a reply to the user's message so others see whom it is for.
        reply_to = update.effective_message.message_id if in_group and update.message else None
        user_id = update.effective_user.id if update.effective_user else None
        # The interview's buttons work on its latest step only; once it ended, on none.
        ended = any(e.get("type") == "interview" and e.get("event") != "started" for r in replies for e in r.events)
        composed = compose(replies, TEXTS[self.lang(record)]["save"])
        messages = []
        for number, (text, rows, group) in enumerate(composed):
            note = message_note(group, rows, user_id, in_group, ended and number == len(composed) - 1)
            chunks = split_message(text)
            for i, chunk in enumerate(chunks):
                last = i == len(chunks) - 1
                messages.append({"chat_id": chat_id, "text": chunk, "buttons": rows if last and rows else None,
                                 "reply": {"message_id": reply_to} if reply_to else None,
                                 "note": note if last else dict(note, step=False)})
        return messages

    async def send_once(self, update: Update, context: ContextTypes.DEFAULT_TYPE, messages: list[dict]) -> None:
        """Messages that change no state, through the outbox too (a re-delivered update does not
        repeat them); a locked store: sent directly."""
        try:
            if not await self.durable.commit(update, None, messages):
                return
        except StoreBusy:
            await self.durable.send_now(context.bot, messages)
            return
        await self.durable.deliver(context.bot, update.effective_chat.id)

    async def replied_entry(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
        """The entry of the bot answer this message replies to, if it replies to one."""
        reply = update.message.reply_to_message if update.message else None
        if reply is None or reply.from_user is None or reply.from_user.id != context.bot.id:
            return None
        note = await self.durable.note_of(update.effective_chat.id, reply.message_id)
        return (note or {}).get("entry") or entry_in_buttons(reply.reply_markup)

    async def others_interview(self, update: Update, context: ContextTypes.DEFAULT_TYPE, action: str) -> bool:
        """In a group: a button of an interview (or estimate) another member started."""
        if update.effective_chat.type == ChatType.PRIVATE or not (
                action.startswith(INTERVIEW_ACTIONS) or action == DOC_ACTION):
            return False
        message = update.callback_query.message
        note = await self.durable.note_of(update.effective_chat.id, message.message_id) \
            if isinstance(message, Message) else None
        owner = (note or {}).get("owner")
        if owner is None and isinstance(message, Message) and message.reply_to_message:
            # Not remembered (older than what is kept): a bot message in a group replies to its user.
            asker = message.reply_to_message.from_user
            owner = asker.id if asker and not asker.is_bot else None
        return owner is not None and update.effective_user is not None and owner != update.effective_user.id

    async def out_of_date(self, update: Update, context: ContextTypes.DEFAULT_TYPE, action: str) -> bool:
        """An interview button under an older message than the interview's latest step. Only a
        message the bot recorded counts: a copy Telegram took just before a kill (and that was
        sent again after the restart), or one no longer kept, is left to the engine, which serves
        a press that still answers the pending question and calls any other stale."""
        message = update.callback_query.message
        if not (action.startswith(INTERVIEW_ACTIONS) and isinstance(message, Message) and update.effective_user):
            return False
        chat_id = update.effective_chat.id
        if await self.durable.note_of(chat_id, message.message_id) is None:
            return False
        latest = await self.durable.latest_step(chat_id, update.effective_user.id)
        return isinstance(latest, int) and message.message_id < latest

    async def offer_private_check(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """In a group: the interview asks for business figures, so offer it in a private chat (a
        deep link that starts it there)."""
        texts = TEXTS[self.lang(self.chat_state(update, context))]
        link = f"https://t.me/{context.bot.username}?start=check"
        reply_to = update.message.message_id if update.message else None
        await context.bot.send_message(
            update.effective_chat.id, texts["private_check"],
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton(texts["private_button"], url=link)]]),
            reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None)

    async def say(self, update: Update, context: ContextTypes.DEFAULT_TYPE, key: str) -> None:
        """Send one of the channel's own lines in the user's language."""
        record = self.chat_state(update, context)
        await self.send_once(update, context, [{"chat_id": update.effective_chat.id,
                                                "text": TEXTS[self.lang(record)][key]}])

    # handlers ---------------------------------------------------------------------------------
    async def guard(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Before any handler: flood control per user and over-long texts (stops the update)."""
        user = update.effective_user
        if user is None or update.effective_chat is None:
            return
        message = update.message
        if message is not None and not ADDRESSED.check_update(update):
            return  # group chatter not meant for us: not counted, not answered
        verdict = self.flood.check(user.id)
        if verdict != "ok":
            if verdict == "warn":
                logger.info("flood control: user %s told to slow down", user.id)
                await self.say(update, context, "flood")
            if update.callback_query:
                await update.callback_query.answer()
            raise ApplicationHandlerStop
        if (message is not None and message.text and len(message.text) > MAX_QUESTION_CHARS
                and message.chat.id != self.settings.helpdesk_chat):  # staff replies may be long
            await self.say(update, context, "too_long")
            raise ApplicationHandlerStop

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
        """Answer a typed question (or start the interview by words, or ask for a person: 转人工);
        stores the dialog state."""
        text = clean_text(update.message)
        handoff, reply_to = bool(self.settings.helpdesk_chat), await self.replied_entry(update, context)
        if handoff and is_handoff_request(text):  # without a help desk the engine gives the referral
            return await self.converse(update, context, lambda s: dialogs.press(s, "human", handoff=handoff))
        return await self.converse(update, context,
                                   lambda s: dialogs.respond(s, text, handoff=handoff, reply_to=reply_to))

    async def on_answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
        """Pass a typed answer to the pending interview question; stores it, asks the next one
        (转人工 words ask for a person instead, and the question stays pending). The engine knows
        the interview is pending, so this is the same step as any typed text."""
        return await self.on_text(update, context)

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
        """Serve a command (/start /help /check /clause N /list /cancel /lang ...) through the
        engine, which keeps a pending interview pending; stores the dialog state."""
        text = clean_text(update.message)
        command, _, rest = text.partition(" ")
        command = command.split('@')[0].lower()
        private = update.effective_chat.type == ChatType.PRIVATE
        if command == "/check" and not private:
            await self.offer_private_check(update, context)
            return None
        if command == "/start" and rest.strip() == "check" and private:  # the group's deep link
            command, rest = "/check", ""
        text = f"{command} {rest}".strip()
        handoff = bool(self.settings.helpdesk_chat)
        return await self.converse(update, context, lambda s: dialogs.respond(s, text, handoff=handoff))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
        """A pressed button: the engine's action, or the channel's own (send the estimate file)."""
        query = update.callback_query
        action = query.data or ""
        alert = None
        try:
            if update.effective_chat is None:  # a button under an inline-mode message
                return None
            if await self.others_interview(update, context, action):
                # Told privately (an alert only the presser sees); the owner's message stays.
                alert = TEXTS[lang_of_user(update)]["not_yours"]
                return None
            if action == DOC_ACTION:
                await self.send_document(update, context)
                return None
            if action == "check" and update.effective_chat.type != ChatType.PRIVATE:
                await self.offer_private_check(update, context)
                return None
            if await self.out_of_date(update, context, action):
                await self.say(update, context, "out_of_date")   # and the old message is left as it was
                return None
            handoff, served = bool(self.settings.helpdesk_chat), []

            def step(dialog: dict) -> tuple[dict, list]:
                dialog, replies = dialogs.press(dialog, action, handoff=handoff)
                # The engine marks a press it did not serve (an old or unknown button).
                served.append(not any(e.get("type") == "stale" for r in replies for e in r.events))
                return dialog, replies

            state = await self.converse(update, context, step)
        finally:
            # Answered after the reply went out (the spinner stops either way), so the reply
            # does not wait for this round trip.
            try:
                await query.answer(alert, show_alert=bool(alert))
            except TelegramError as exc:  # e.g. the query expired: nothing the user would notice
                logger.debug("could not answer the callback query: %s", exc)
        if all(served):  # a press not served leaves its message as it was
            await self.settle_pressed_message(query, action, self.lang(self.chat_state(update, context)))
        return state

    async def settle_pressed_message(self, query, action: str, lang: str) -> None:
        """Once an interview question is answered by one of its answer buttons, show the choice on
        it and drop its buttons (control buttons such as 为什么问这个 are not answers: the message
        stays); after feedback, tick the standing 👍/👎."""
        message = query.message
        if not isinstance(message, Message) or not message.reply_markup:
            return
        rows = message.reply_markup.inline_keyboard
        data = [str(b.callback_data) for row in rows for b in row]
        is_question = DOC_ACTION not in data and any(d.startswith("ans:") or d in ("ctl:back", "ctl:skip")
                                                     for d in data)
        try:
            if is_question and action.startswith("ans:") and message.text:
                label = next((b.text for row in rows for b in row if b.callback_data == action), "")
                await message.edit_text(f"{message.text}\n\n✅ {TEXTS[lang]['chosen']}{label}" if label
                                        else message.text, reply_markup=None)
            elif action.startswith("fb:") and message.chat.type == ChatType.PRIVATE and query.from_user:
                # The standing 👍/👎 is ticked; pressing it again takes it back, the other changes it.
                # (In a group each member has their own: the shared message is left as it is.)
                value = self.store.feedback_value(message.chat.id, message.message_id, query.from_user.id)
                chosen = {1: "fb:+:", -1: "fb:-:"}.get(value)
                marked = [[InlineKeyboardButton(
                    ("✅ " if chosen and str(b.callback_data).startswith(chosen) else "") + b.text.removeprefix("✅ "),
                    callback_data=b.callback_data) if str(b.callback_data).startswith("fb:") else b
                    for b in row] for row in rows]
                await message.edit_reply_markup(InlineKeyboardMarkup(marked))
        except TelegramError as exc:  # e.g. message too old to edit: the answer itself was sent
            logger.debug("could not update the pressed message: %s", exc)

    async def send_document(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Send the last estimate as a file the applicant can keep."""
        record = self.chat_state(update, context)
        document = record.get("document")
        if not document:
            await self.say(update, context, "no_document")
            return
        if isinstance(document, dict):
            filename = document["filename"]
            try:
                data = await EstimateDocument(filename, document["recipe"]).build_off_loop()
            except DocumentUnavailable:  # the worker's trouble, already logged in one line
                await self.say(update, context, "error")
                return
            except Exception:
                logger.exception("could not make the estimate document")
                await self.say(update, context, "error")
                return
        else:  # a record kept by an earlier version: [name, base64 .docx] or [name, text]
            filename, stored = document
            data = base64.b64decode(stored) if filename.endswith(".docx") else str(stored).encode("utf-8")
        await self.send_once(update, context, [{
            "chat_id": update.effective_chat.id, "text": TEXTS[self.lang(record)]["document_caption"],
            "document": (filename, data)}])

    async def on_unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice, files...: one polite line; nothing stored."""
        await self.say(update, context, "unsupported")

    async def on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An edited message: one polite line asking to send it again."""
        message = update.edited_message
        if message and ADDRESSED.filter(message):
            await self.say(update, context, "edited")

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the update's type and ids and the error (never the user's text; one traceback per
        distinct error), tell the user in one line; the bot keeps running. Errors fetching
        updates (no update) are one line each for the operator (bot/telegram/ops.py)."""
        if update is None and isinstance(context.error, TelegramError):
            self.ops.polling_error(context.error, context.application)
            return
        self.ops.handler_error(update, context.error)
        if isinstance(update, Update) and update.effective_chat:
            lang = context.user_data.get("lang", "zh") if context.user_data is not None else "zh"
            try:
                await context.bot.send_message(update.effective_chat.id, TEXTS[lang if lang in TEXTS else "zh"]["error"])
            except TelegramError:
                pass

    async def start_up(self, application: Application) -> None:
        """post_init, before the first update is fetched: warm the matcher, then register the
        command menu."""
        await asyncio.to_thread(warm_up)
        await self.register_commands(application)

    async def register_commands(self, application: Application) -> None:
        """Register the command menu (Chinese by default, English for English clients); a server
        that refuses is logged, never fatal."""
        try:
            await application.bot.set_my_commands([BotCommand(c, d) for c, d in COMMANDS["zh"]])
            await application.bot.set_my_commands([BotCommand(c, d) for c, d in COMMANDS["en"]],
                                                  language_code="en")
        except TelegramError as exc:
            logger.warning("could not register the bot commands (continuing without): %s", exc)
            return
        # Staff see their commands in their private chat with the bot (a user who never started
        # the bot cannot be given a menu: that is not worth a warning each start).
        staff_menu = [BotCommand(c, d) for c, d in COMMANDS["zh"] + staff_commands.MENU]
        for admin in sorted(self.settings.admins):
            try:
                await application.bot.set_my_commands(staff_menu, scope=BotCommandScopeChat(admin))
            except TelegramError as exc:
                logger.info("no staff command menu for %s: %s", admin, exc)


def warm_up() -> None:
    """Answer one question: loads the matcher's index and jieba's dictionary, which otherwise the
    first user after a start waits for (0.8 s against 0.03 s for later questions)."""
    try:
        dialogs.respond(dialogs.new_state(), WARM_UP_QUESTION)
    except Exception:  # never fatal: the first question would only be slower
        logger.warning("could not warm the matcher", exc_info=True)


def build_application(settings: Settings, store: Store | None = None, ops: Operations | None = None) -> Application:
    """The Application: SQLite persistence, the handlers, the error handler and the limits."""
    store = store or Store.open(settings.db_path)
    # Examples staff taught through /unanswered, merged into the matcher (and only these: a
    # previous Application in this process may have taught others).
    matcher.set_taught(store.taught())
    # SQLite off the event loop; every update and reply exactly once (bot/telegram/outbox.py).
    ledger = Ledger(store)
    durable = Durable(ledger)
    channel = TelegramChannel(settings, store, durable)
    channel.ops = ops or channel.ops
    desk, staff, privacy = channel.helpdesk, Staff(settings, store), Privacy(settings, store)
    processor = PerUserUpdateProcessor(hooks=durable)
    inbox = InboxQueue()
    inbox.durable = durable

    async def post_init(application: Application) -> None:
        await durable.recover(application)      # before polling: unsent replies, unhandled updates
        await channel.start_up(application)     # the matcher warmed, the command menu registered

    async def post_shutdown(application: Application) -> None:
        ledger.close()

    builder = (ApplicationBuilder()
               .token(settings.token)
               .update_queue(inbox)
               .persistence(SQLitePersistence(store, ledger=ledger))
               .concurrent_updates(processor)
               .rate_limiter(SendRateLimiter(settings.send_rate))
               # httpcore checks every pooled connection on every request: a few busy connections
               # are much cheaper than PTB's default 256 when many users chat at once.
               .connection_pool_size(POOL_SIZE).pool_timeout(10)
               .post_init(post_init).post_shutdown(post_shutdown))
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url.rstrip("/"))
    application = builder.build()
    durable.application = application

    # First of all: skip an update handled before a restart; load the user's state from SQLite.
    application.add_handler(TypeHandler(Update, durable.load), group=-3)
    application.add_handler(TypeHandler(Update, channel.guard), group=-1)
    # The help desk first: in one group the first matching handler wins.
    application.add_handler(MessageHandler(desk.staff_reply_filter(), desk.on_staff_reply))
    application.add_handler(CommandHandler(staff_commands.COMMANDS, staff.on_command, filters=NEW_MESSAGE))
    application.add_handler(CallbackQueryHandler(
        staff.on_button, pattern=rf"^({staff_commands.TEACH}|{staff_commands.MORE}|{staff_commands.DISMISS})"))
    application.add_handler(CommandHandler("privacy", privacy.on_privacy, filters=NEW_MESSAGE))
    application.add_handler(CommandHandler("forget", privacy.on_forget, filters=NEW_MESSAGE))
    application.add_handler(MessageHandler(
        NEW_MESSAGE & filters.FORWARDED & filters.ChatType.PRIVATE & (filters.TEXT | filters.CAPTION),
        desk.on_forwarded))
    application.add_handler(CallbackQueryHandler(desk.on_forward_button, pattern=rf"^{FORWARD_ACTION}"))
    application.add_handler(InlineQueryHandler(desk.on_inline_query))
    forget_button = CallbackQueryHandler(privacy.on_forget_button, pattern=rf"^({FORGET_YES}|{FORGET_NO})$")
    with warnings.catch_warnings():
        # per_message=False is intended: an interview spans many messages and buttons.
        warnings.simplefilter("ignore", PTBUserWarning)
        interview = ConversationHandler(
            name="interview",
            persistent=True,
            entry_points=[
                forget_button,
                CommandHandler("check", channel.on_command, filters=NEW_MESSAGE),
                CommandHandler("start", channel.on_command, filters=NEW_MESSAGE & filters.Regex(r"^/start\s+check$")),
                MessageHandler(TEXT_MESSAGE, channel.on_text),
                CallbackQueryHandler(channel.on_button),
            ],
            states={INTERVIEW: [
                forget_button,
                MessageHandler(TEXT_MESSAGE, channel.on_answer),
                CallbackQueryHandler(channel.on_button),
                CommandHandler(["check", "cancel"], channel.on_command, filters=NEW_MESSAGE),
            ]},
            fallbacks=[],
        )
    application.add_handler(interview)
    # Other commands leave the interview where it is (the engine answers and keeps it pending).
    application.add_handler(MessageHandler(COMMAND_MESSAGE, channel.on_command))
    application.add_handler(MessageHandler(filters.UpdateType.EDITED, channel.on_edited))
    application.add_handler(MessageHandler(NEW_MESSAGE & ~filters.StatusUpdate.ALL, channel.on_unsupported))
    application.add_error_handler(channel.on_error)
    if application.job_queue is not None:
        application.job_queue.run_repeating(privacy.purge_job, interval=PURGE_EVERY, first=PURGE_FIRST,
                                            name="purge")
    else:  # python-telegram-bot without its job-queue extra
        logger.warning("no job queue (pip install 'python-telegram-bot[job-queue]'): old logs are not purged")
    return application


# --- running ----------------------------------------------------------------------------------

class RedactingFormatter(logging.Formatter):
    """Log lines without the bot token (httpx and tracebacks may carry it inside URLs)."""

    def __init__(self, fmt: str, secret: str | None):
        super().__init__(fmt)
        self.secret = secret

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secret)


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", settings.token))
    # A refused token is reported by run_bot in one line; PTB would add a traceback.
    handler.addFilter(lambda record: not (record.exc_info and isinstance(record.exc_info[1], InvalidToken)))
    # PTB's own tracebacks of Bot API failures: reported by run_bot/Operations in one line each.
    handler.addFilter(quiet_library_tracebacks)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # httpx logs every request URL, and the URL holds the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # APScheduler (the daily purge) reports every job it adds and runs at INFO.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def run_bot(settings: Settings) -> int:
    """Run until SIGINT/SIGTERM (in-flight updates finish, state is flushed); exit status."""
    problem = settings.token_problem() or (settings.problems[0] if settings.problems else None)
    if problem:
        print(f"policybot: {problem}", file=sys.stderr)
        return 2
    if settings.webhook_url:
        # Webhook mode: the update route is part of the one HTTP server (bot/serve.py), on the
        # webhook's listen address and port.
        from bot.serve import run_serve

        return run_serve(settings, listen=settings.webhook_listen, port=settings.webhook_port)
    configure_logging(settings)
    try:
        instance_lock, store = open_own_store(settings.db_path)  # noqa: F841 (held for the process's life)
    except StoreUnusable as exc:
        print(f"policybot: {exc}", file=sys.stderr)
        return 2
    ops = Operations(settings)
    application = build_application(settings, store, ops)
    try:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    except TelegramError as exc:
        if answer := not_a_bot_api(exc):
            # An HTML page (a wrong path, a web server) is not a verdict on the token.
            name = "TELEGRAM_API_BASE_URL" if settings.api_base_url else "the Telegram Bot API"
            print(f"policybot: {name} {api_address(settings)} does not answer like the Telegram Bot API "
                  f"({answer}); check the address", file=sys.stderr)
            return 2
        if isinstance(exc, InvalidToken):
            print("policybot: Telegram refused TELEGRAM_BOT_TOKEN; check it with @BotFather", file=sys.stderr)
            return 2
        if isinstance(exc, NetworkError):
            print(f"policybot: cannot reach the Bot API at {api_address(settings)}: "
                  f"{redact(str(exc), settings.token)}", file=sys.stderr)
            return 1
        print(f"policybot: the Bot API at {api_address(settings)} refused to start the bot: "
              f"{redact(str(exc), settings.token)}", file=sys.stderr)
        return 1
    if ops.exit_line:
        print(f"policybot: {ops.exit_line}", file=sys.stderr)
        return 2
    return 0


async def start_embedded(application: Application, poll_timeout: int = 1) -> None:
    """Start polling inside an already running event loop (tests, benchmarks), as run_polling
    would: initialize, post_init, poll, process."""
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.updater.start_polling(poll_interval=0, timeout=poll_timeout,
                                            allowed_updates=Update.ALL_TYPES)
    await application.start()


async def stop_embedded(application: Application) -> None:
    """Stop as run_polling does on SIGTERM: finish in-flight updates, flush state, close."""
    if application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
    if application.post_shutdown:
        await application.post_shutdown(application)
