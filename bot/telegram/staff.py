"""Staff commands, for the Telegram user ids in POLICYBOT_ADMINS only.

    /stats       questions per day, share answered confidently, top articles, feedback, hand-offs
    /unanswered  recent questions the bot was not sure about, with buttons to assign an entry
    /export      the question log as CSV, user and chat ids replaced by a keyed hash
    /reload      re-read the knowledge files

Anyone else gets one line saying these are for staff, and nothing about the data.
"""
from __future__ import annotations

import asyncio
import csv
import hashlib
import hmac
import io
import logging
import secrets
from datetime import datetime, timedelta, timezone

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.store import Store
from knowledge import all_entries, get_entry, match_question
from knowledge import matcher
from knowledge.answers import suggestions
from knowledge.base import load_entries, reload_entries

logger = logging.getLogger("policybot.staff")

COMMANDS = ["stats", "unanswered", "export", "reload"]
MENU = [("stats", "统计：提问量、回答率、热门条款、反馈"), ("unanswered", "没答好的问题，指定正确条款"),
        ("export", "导出提问记录（CSV，用户已匿名）"), ("reload", "重新加载知识库文件")]
TEACH = "tch:"        # tch:<log id>:<entry id>   assign the question to an entry
MORE = "tchm:"        # tchm:<log id>             show every entry as a button
DISMISS = "tchx:"     # tchx:<log id>             not about the policy: stop offering it
UNANSWERED_SHOWN = 5
STAFF_ONLY = {"zh": "这个命令仅供工作人员使用。", "en": "This command is for staff only."}
PRIVATE_ONLY = "为免数据外泄，请在与我的私聊或工作人员群里使用这个命令。"


def lang_of(update: Update) -> str:
    user = update.effective_user
    return "en" if user and (user.language_code or "").lower().startswith("en") else "zh"


def pseudonym(key: bytes, value) -> str:
    """A keyed hash of an id: the same id always gives the same text, and without the key the id
    cannot be found by trying every possible one."""
    if value is None:
        return ""
    return hmac.new(key, str(value).encode(), hashlib.sha256).hexdigest()[:16]


BEIJING = timedelta(hours=8)     # staff read times in China's time zone


def beijing(iso_time: str) -> str:
    """A stored UTC time as Beijing time, to the minute."""
    try:
        return (datetime.fromisoformat(iso_time) + BEIJING).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso_time


def short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


class Staff:
    def __init__(self, settings: Settings, store: Store):
        self.settings = settings
        self.store = store

    def is_admin(self, update: Update) -> bool:
        user = update.effective_user
        return user is not None and user.id in self.settings.admins

    async def refuse(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query:
            await update.callback_query.answer(STAFF_ONLY[lang_of(update)], show_alert=True)
            return
        await context.bot.send_message(update.effective_chat.id, STAFF_ONLY[lang_of(update)])

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not self.is_admin(update):
            await self.refuse(update, context)
            return
        chat = update.effective_chat
        if chat.type != "private" and chat.id != self.settings.helpdesk_chat:
            await context.bot.send_message(chat.id, PRIVATE_ONLY)   # other members would see the data
            return
        command = (update.effective_message.text or "").split()[0].lstrip("/").split("@")[0].lower()
        await getattr(self, f"cmd_{command}")(update, context)

    # -- /stats -----------------------------------------------------------------------------
    async def cmd_stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        today = (datetime.now(timezone.utc) + BEIJING).date()
        since = today - timedelta(days=6)
        figures = self.store.stats(since.isoformat())
        per_day = {day: (n, sure) for day, n, sure in figures["per_day"]}
        lines = ["📊 统计（北京时间）", "", "近7天每天的提问（其中有把握回答的）："]
        for i in range(7):
            day = (since + timedelta(days=i)).isoformat()
            n, sure = per_day.get(day, (0, 0))
            lines.append(f"  {day[5:]}  {n}（{sure or 0}）")
        total, confident = figures["total"], figures["confident"]
        share = f"{confident * 100 // total}%" if total else "—"
        kept = f"（{figures['first'][:10]}起，保留{self.settings.retention_days}天）" if figures["first"] else ""
        lines += ["", f"全部提问：{total}{kept}，有把握回答：{confident}，占{share}"]
        if figures["top"]:
            lines.append("问得最多的条款：")
            for entry_id, n in figures["top"]:
                try:
                    entry = get_entry(entry_id)
                    label = f"{entry.title}{entry.citation}"
                except KeyError:
                    label = entry_id
                lines.append(f"  {label}：{n}次")
        lines.append(f"反馈：👍 {figures['up']}　👎 {figures['down']}")
        lines.append(f"转人工：待回复 {figures['open']}，已回复 {figures['answered']}")
        await context.bot.send_message(update.effective_chat.id, "\n".join(lines))

    # -- /unanswered and teaching -----------------------------------------------------------
    @staticmethod
    def entry_label(entry) -> str:
        return f"{entry.title}{entry.citation}"

    def teach_rows(self, log_id: int, question: str) -> list[list[InlineKeyboardButton]]:
        result = match_question(question)
        rows = [[InlineKeyboardButton(self.entry_label(m.entry), callback_data=f"{TEACH}{log_id}:{m.entry.id}")]
                for m in suggestions(result)]
        rows.append([InlineKeyboardButton("其他条款…", callback_data=f"{MORE}{log_id}"),
                     InlineKeyboardButton("与政策无关，忽略", callback_data=f"{DISMISS}{log_id}")])
        return rows

    async def cmd_unanswered(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id = update.effective_chat.id
        rows = self.store.unanswered(UNANSWERED_SHOWN)
        if not rows:
            await context.bot.send_message(chat_id, "最近没有回答不上来的问题。")
            return
        await context.bot.send_message(
            chat_id, f"最近{len(rows)}个没有把握回答的问题。点按钮指定正确的条款，"
                     "这个问题会立即成为该条的示例问题，以后同样的问题就能答上。")
        for row in rows:
            await context.bot.send_message(
                chat_id, f"❓ {row['question']}\n（{beijing(row['time'])}）",
                reply_markup=InlineKeyboardMarkup(self.teach_rows(row["id"], row["question"])))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """tch:/tchm:/tchx: buttons under /unanswered (checked again: buttons can be forwarded)."""
        query = update.callback_query
        if not self.is_admin(update):
            await self.refuse(update, context)
            return
        data = query.data or ""
        head, _, rest = data.partition(":")
        log_id_text, _, entry_id = rest.partition(":")
        row = self.store.question(int(log_id_text)) if log_id_text.isdigit() else None
        await query.answer()
        if row is None:
            await self.edit(query, "这条提问记录已不存在（可能已被用户删除或过期清理）。")
            return
        question = row["question"]
        if head + ":" == MORE:
            entries = sorted(all_entries(), key=lambda e: (e.kind != "article", e.clauses, e.id))
            buttons = [InlineKeyboardButton(short(self.entry_label(e), 30), callback_data=f"{TEACH}{row['id']}:{e.id}")
                       for e in entries]
            rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
            await self.edit(query, f"❓ {question}\n请选择正确的条款：", InlineKeyboardMarkup(rows))
        elif head + ":" == DISMISS:
            self.store.dismiss(question)
            await self.edit(query, f"❓ {question}\n🚫 已忽略，不再列出。")
        elif head + ":" == TEACH:
            try:
                entry = get_entry(entry_id)
            except KeyError:
                await self.edit(query, "没有这个条款，请重新发送 /unanswered。")
                return
            self.store.add_taught(entry.id, question, update.effective_user.id)
            # Rebuilding the index takes a moment: off the event loop, ready before we confirm.
            await asyncio.to_thread(lambda: (matcher.teach(entry.id, question), matcher.get_index()))
            # The question is the user's text: the log names the log row, not its words.
            logger.info("staff %s taught question log #%s to %s", update.effective_user.id, row["id"], entry.id)
            await self.edit(query, f"❓ {question}\n✅ 已归入 {self.entry_label(entry)}，已作为该条的示例问题生效。")

    @staticmethod
    async def edit(query, text: str, markup=None) -> None:
        try:
            await query.edit_message_text(text, reply_markup=markup)
        except TelegramError as exc:
            logger.debug("could not edit the /unanswered message: %s", exc)

    # -- /export ----------------------------------------------------------------------------
    def export_key(self) -> bytes:
        if self.settings.export_key:
            return self.settings.export_key.encode()
        key = self.store.meta("export_key")
        if not key:
            key = secrets.token_hex(32)
            self.store.set_meta("export_key", key)
        return key.encode()

    def export_csv(self) -> bytes:
        key = self.export_key()
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["id", "time_utc", "user", "chat", "question", "top_match", "score", "confident",
                         "lang", "source"])
        for row in self.store.questions():
            writer.writerow([row["id"], row["time"], pseudonym(key, row["user_id"]), pseudonym(key, row["chat_id"]),
                             row["question"], row["top_match"] or "", "" if row["score"] is None else row["score"],
                             row["confident"], row["lang"] or "", row.get("source") or "chat"])
        # With a BOM so that Excel reads the Chinese correctly.
        return out.getvalue().encode("utf-8-sig")

    async def cmd_export(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        data = self.export_csv()
        count = len(self.store.questions())
        name = f"question_log_{datetime.now(timezone.utc):%Y%m%d}.csv"
        await context.bot.send_document(
            update.effective_chat.id, InputFile(data, filename=name),
            caption=f"提问记录 {count} 条；用户和会话编号已替换为带密钥的哈希值。")

    # -- /reload ----------------------------------------------------------------------------
    async def cmd_reload(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        entries, problems = await asyncio.to_thread(load_entries)
        chat_id = update.effective_chat.id
        if problems:
            shown = "\n".join(f"· {p}" for p in problems[:10])
            await context.bot.send_message(
                chat_id, f"知识库文件有{len(problems)}处问题，没有重新加载，仍使用原来的内容：\n{shown}")
            return
        reload_entries()
        await asyncio.to_thread(matcher.get_index)
        taught = sum(len(v) for v in self.store.taught().values())
        questions = sum(len(e.questions) for e in entries)
        await context.bot.send_message(
            chat_id, f"已重新加载知识库：{len(entries)}个条目，{questions}个示例问题，另有工作人员教的{taught}个。")
