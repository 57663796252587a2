"""What the bot keeps about a user, deleting it on request, and the daily purge of old logs.

    /privacy   what is stored and for how long
    /forget    asks for confirmation (buttons fgt:yes / fgt:no), then deletes the user's
               conversation state and answers, questions, feedback and hand-offs
    purge job  once a day, logs and idle state older than POLICYBOT_RETENTION_DAYS, and empty state rows
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes, ConversationHandler

from bot.config import Settings
from bot.store import Store

logger = logging.getLogger("policybot.privacy")

FORGET_YES, FORGET_NO = "fgt:yes", "fgt:no"
PURGE_EVERY = timedelta(days=1)
PURGE_FIRST = 30        # seconds after start: a bot restarted daily still purges

TEXTS = {
    "zh": {
        "privacy": (
            "本助手保存的内容：\n"
            "· 对话进度：资格自测中您填写的答案、语言设置，用于继续未完成的测算；\n"
            "· 提问记录：您问的问题、匹配到的条款、时间和语言，用于改进回答；\n"
            "· 您点的👍/👎反馈；\n"
            "· 转人工记录：您的问题、显示名和工作人员是否已回复（问题和显示名会发到区人社局工作人员的群里）。\n"
            "以上记录保存{days}天，到期每天自动删除。工作人员导出的提问记录中，用户编号已替换为无法还原的哈希值。\n"
            "工作人员把某个问题设为条款的示例问题后，问题文字会保留在知识库中，但不再与您关联。\n"
            "发送 /forget 可以立即删除您的全部记录（转人工时发到工作人员群里的消息，48小时内的会一并撤回）。"),
        "confirm": "确定要删除您的全部记录吗？包括对话进度和测算答案、提问记录、反馈和转人工记录。删除后无法恢复。",
        "yes": "确认删除", "no": "取消",
        "done": "已删除您的全部记录（共{n}条）。之后再提问会重新开始记录。",
        "kept": "已取消，没有删除任何内容。",
        "private_only": "为保护您的隐私，请在与我的私聊中发送 /forget。",
    },
    "en": {
        "privacy": (
            "What this assistant stores:\n"
            "· Conversation progress: your answers in the eligibility check and your language, to resume it;\n"
            "· Question log: what you asked, the article matched, the time and language, to improve answers;\n"
            "· Your 👍/👎 feedback;\n"
            "· Hand-offs to a person: your question, display name and whether staff replied (the question and name "
            "are posted to the district HR bureau's staff chat).\n"
            "These records are kept for {days} days and deleted automatically after that. Exports for staff "
            "replace user ids with a hash that cannot be reversed.\n"
            "When staff make a question an example question of an article, its text stays in the knowledge base, "
            "no longer linked to you.\n"
            "Send /forget to delete all your records now (hand-off posts in the staff chat are withdrawn too "
            "if they are less than 48 hours old)."),
        "confirm": "Delete all your records? This includes your conversation progress and check answers, questions, "
                   "feedback and hand-offs. It cannot be undone.",
        "yes": "Delete", "no": "Cancel",
        "done": "All your records have been deleted ({n} in all). New questions will be recorded afresh.",
        "kept": "Cancelled; nothing was deleted.",
        "private_only": "To protect your privacy, please send /forget in a private chat with me.",
    },
}


def lang_of(context: ContextTypes.DEFAULT_TYPE, update: Update) -> str:
    lang = context.user_data.get("lang") if context.user_data is not None else None
    if lang in TEXTS:
        return lang
    user = update.effective_user
    return "en" if user and (user.language_code or "").lower().startswith("en") else "zh"


class Privacy:
    def __init__(self, settings: Settings, store: Store):
        self.settings = settings
        self.store = store

    async def on_privacy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        texts = TEXTS[lang_of(context, update)]
        await context.bot.send_message(update.effective_chat.id,
                                       texts["privacy"].format(days=self.settings.retention_days))

    async def on_forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        texts = TEXTS[lang_of(context, update)]
        if update.effective_chat.type != "private":
            # In a group anyone could press the button; the confirmation belongs in a private chat.
            await context.bot.send_message(update.effective_chat.id, texts["private_only"])
            return
        await context.bot.send_message(
            update.effective_chat.id, texts["confirm"],
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton(texts["yes"], callback_data=FORGET_YES),
                                                InlineKeyboardButton(texts["no"], callback_data=FORGET_NO)]]))

    async def on_forget_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE):
        """The confirmation. Runs inside the interview ConversationHandler so that returning END
        also ends (and unpersists) a pending interview in this chat."""
        query = update.callback_query
        texts = TEXTS[lang_of(context, update)]
        user = update.effective_user
        try:
            await query.answer()
        except TelegramError:
            pass
        if query.data != FORGET_YES or user is None:
            await self.settle(query, texts["kept"])
            return None
        # Memory first, so that nothing writes the user's data back after the rows are gone.
        context.application.drop_user_data(user.id)
        context.application.drop_chat_data(user.id)   # the private chat's id is the user's id
        # The hand-off posts in the help-desk chat carry the name and question: take them down
        # too (Telegram lets a bot delete its own group messages for 48 hours; older ones stay).
        for chat_id, message_id in self.store.handoff_posts(user.id):
            try:
                await context.bot.delete_message(chat_id, message_id)
            except TelegramError as exc:
                logger.info("could not delete hand-off post %s in %s: %s", message_id, chat_id, exc)
        counts = self.store.forget_user(user.id, private_chat_id=user.id)
        logger.info("user %s asked to be forgotten: %s", user.id, counts)
        rows = sum(counts.get(t, 0) for t in ("question_log", "feedback", "handoffs", "user_data"))
        await self.settle(query, texts["done"].format(n=rows))
        # Again after the awaits above: a persistence run in between may have saved an empty
        # record for this user; this drop (with no await before the handler ends) removes it.
        context.application.drop_user_data(user.id)
        context.application.drop_chat_data(user.id)
        return ConversationHandler.END

    @staticmethod
    async def settle(query, text: str) -> None:
        try:
            await query.edit_message_text(text, reply_markup=None)
        except TelegramError:
            await query.get_bot().send_message(query.message.chat.id, text)

    # -- retention ------------------------------------------------------------------------------
    def cutoff(self, now: datetime | None = None) -> str:
        """Records older than this ISO time are past the retention period."""
        now = now or datetime.now(timezone.utc)
        return (now - timedelta(days=self.settings.retention_days)).isoformat(timespec="seconds")

    async def purge_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        before = self.cutoff()
        for user_id in self.store.stale_users(before):
            context.application.drop_user_data(user_id)    # or the next save would bring it back
        for chat_id in self.store.stale_chats(before):
            context.application.drop_chat_data(chat_id)
        counts = self.store.purge(before)
        logger.info("daily purge of records older than %s days: %s", self.settings.retention_days, counts)
