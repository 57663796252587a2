"""A fake Telegram Bot API HTTP server on 127.0.0.1 for end-to-end tests.

It runs in its own thread and event loop, so the bot under test may live in the test's loop or
in another process. The bot is pointed at ``server.base_url`` (PTB's ``base_url``) with
``server.token``. Answers use the official Bot API object shapes.

    server = FakeBotApi().start()
    server.send_text(chat_id=1001, text="/start")                  # inject an update
    msg = await server.next_message(1001)                           # wait for the bot's reply
    server.press(msg, msg.buttons[0][0]["callback_data"])           # press one of its buttons
    server.stop()

Recorded: ``server.calls`` (method, params, time), and every message the bot sent, per chat, with
the time the user's update was injected, so latencies can be measured from the user's side.
"""
from __future__ import annotations

import asyncio
import email.parser
import email.policy
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

# Parameters PTB sends JSON-encoded inside form fields.
JSON_PARAMS = {
    "reply_markup", "entities", "caption_entities", "commands", "allowed_updates", "results",
    "reply_parameters", "link_preview_options", "scope", "button",
}


class ApiError(Exception):
    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code, self.description = code, description


@dataclass
class Sent:
    """A message the bot sent (or edited), as a test sees it."""

    method: str
    chat_id: int
    message_id: int
    text: str
    reply_markup: dict | None
    document: dict | None = None        # {"filename", "content" (bytes), "caption"}
    time: float = 0.0
    latency: float | None = None         # seconds since the user update this answers was injected
    params: dict = field(default_factory=dict)

    @property
    def buttons(self) -> list[list[dict]]:
        return (self.reply_markup or {}).get("inline_keyboard", [])

    def button(self, label_part: str) -> dict:
        """The first button whose label contains ``label_part``."""
        for row in self.buttons:
            for button in row:
                if label_part in button["text"]:
                    return button
        raise LookupError(f"no button with {label_part!r} in {self.button_labels()}")

    def button_labels(self) -> list[str]:
        return [b["text"] for row in self.buttons for b in row]


class FakeBotApi:
    def __init__(self, token: str = "123456:TEST", username: str = "xiqing_policy_bot",
                 fail_methods: dict[str, dict] | None = None, language_code: str = "zh-hans"):
        self.token = token
        # The app language reported for users not given their own (most users in China run
        # Telegram in English: there is no official Simplified Chinese interface).
        self.language_code = language_code
        self.bot_user = {"id": int(token.split(":")[0]), "is_bot": True, "first_name": "西青政策助手",
                         "username": username, "can_join_groups": True,
                         "can_read_all_group_messages": False, "supports_inline_queries": True}
        # method -> error answer, e.g. {"setMyCommands": {"error_code": 400, "description": "..."}}
        self.fail_methods = dict(fail_methods or {})
        # method -> error answered once, e.g. Telegram's 429 with parameters.retry_after
        self.fail_next: dict[str, dict] = {}
        # Faults below the Bot API: methods whose connection is closed without an answer, and
        # a server that is not the Bot API at all (every request gets an HTML 404 page).
        self.drop_methods: set[str] = set()
        self.html_404 = False
        self.calls: list[tuple[str, dict, float]] = []
        self.errors: list[tuple[str, str]] = []
        # Faults: ``intercept(method, params)`` returning True drops that request unanswered (a
        # test kills the bot there); while ``down`` every request is dropped (the bot is dead).
        self.intercept = None
        self.down = False
        self.webhook: dict | None = None                  # the last setWebhook parameters         # (method, description) refused like Telegram would
        self.sent: dict[int, list[Sent]] = {}
        self.chats: dict[int, dict] = {}
        self.users: dict[int, dict] = {}
        self._lock = threading.Lock()
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._watchers: set[tuple[asyncio.AbstractEventLoop, asyncio.Event, int | None]] = set()
        self._last_injected: dict[int, float] = {}   # chat id -> perf_counter of the last user update
        self._loop: asyncio.AbstractEventLoop | None = None
        self._new_update: asyncio.Event | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- life cycle -------------------------------------------------------------------------
    def start(self) -> "FakeBotApi":
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            self._new_update = asyncio.Event()
            self._server = loop.run_until_complete(
                asyncio.start_server(self._serve_connection, "127.0.0.1", 0))
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            self._server.close()
            tasks = asyncio.all_tasks(loop)
            for task in tasks:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-bot-api", daemon=True)
        self._thread.start()
        ready.wait(5)
        return self

    def stop(self) -> None:
        if self._loop and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(5)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # -- injecting updates --------------------------------------------------------------------
    def user(self, user_id: int, language_code: str | None = None) -> dict:
        """The user's Bot API User object; ``language_code`` (else the server's default) is fixed
        when the user is first seen, unless given again."""
        user = self.users.setdefault(user_id, {
            "id": user_id, "is_bot": False, "first_name": f"用户{user_id}",
            "language_code": language_code or self.language_code})
        if language_code:
            user["language_code"] = language_code
        return user

    def chat(self, chat_id: int, chat_type: str = "private") -> dict:
        if chat_type == "private":
            chat = {"id": chat_id, "type": "private", "first_name": f"用户{chat_id}"}
        else:
            chat = {"id": chat_id, "type": chat_type, "title": f"群{chat_id}"}
        return self.chats.setdefault(chat_id, chat)

    def push_update(self, update: dict, chat_id: int | None = None) -> dict:
        """Queue a raw update (its update_id is assigned here) for the bot's next getUpdates."""
        with self._lock:
            update["update_id"] = next(self._update_ids)
            self._updates.append(update)
            if chat_id is not None:
                self._last_injected[chat_id] = time.perf_counter()
        if self._loop:
            self._loop.call_soon_threadsafe(self._new_update.set)
        return update

    def _message(self, chat_id: int, user_id: int | None, chat_type: str, **fields: Any) -> dict:
        user_id = chat_id if user_id is None else user_id
        message = {"message_id": next(self._message_ids), "date": int(time.time()),
                   "chat": self.chat(chat_id, chat_type), "from": self.user(user_id)}
        message.update({k: v for k, v in fields.items() if v is not None})
        return message

    def send_text(self, chat_id: int, text: str, user_id: int | None = None, chat_type: str = "private",
                  entities: list[dict] | None = None, reply_to: Sent | dict | None = None,
                  forward_origin: dict | None = None) -> dict:
        """A user's text message; commands get their bot_command entity like real clients add."""
        if entities is None and text.startswith("/"):
            entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if isinstance(reply_to, Sent):
            reply_to = self.bot_message(reply_to)
        message = self._message(chat_id, user_id, chat_type, text=text, entities=entities,
                                reply_to_message=reply_to, forward_origin=forward_origin)
        return self.push_update({"message": message}, chat_id)

    def send_mention(self, chat_id: int, text: str, user_id: int, chat_type: str = "supergroup") -> dict:
        """A group message that @mentions the bot at its start (``text`` follows the mention)."""
        mention = "@" + self.bot_user["username"]
        full = f"{mention} {text}"
        return self.send_text(chat_id, full, user_id=user_id, chat_type=chat_type,
                              entities=[{"type": "mention", "offset": 0, "length": len(mention)}])

    def send_sticker(self, chat_id: int, user_id: int | None = None) -> dict:
        sticker = {"file_id": "CAACAgIAAxkBAAEBsticker", "file_unique_id": "AgADsticker", "type": "regular",
                   "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "👍"}
        return self.push_update({"message": self._message(chat_id, user_id, "private", sticker=sticker)}, chat_id)

    def send_photo(self, chat_id: int, user_id: int | None = None, caption: str | None = None,
                   chat_type: str = "private", reply_to: "Sent | None" = None) -> dict:
        photo = [{"file_id": "AgACAgIAAxkBAAEBphoto", "file_unique_id": "AQADphoto", "width": 90,
                  "height": 90, "file_size": 1234}]
        message = self._message(chat_id, user_id, chat_type, photo=photo, caption=caption,
                                reply_to_message=self.bot_message(reply_to) if reply_to else None)
        return self.push_update({"message": message}, chat_id)

    def send_voice(self, chat_id: int, user_id: int | None = None) -> dict:
        voice = {"file_id": "AwACAgIAAxkBAAEBvoice", "file_unique_id": "AgADvoice", "duration": 3}
        return self.push_update({"message": self._message(chat_id, user_id, "private", voice=voice)}, chat_id)

    def forward(self, chat_id: int, text: str, origin_name: str = "王女士", user_id: int | None = None) -> dict:
        """The user forwards someone else's text message to the bot (a hidden-user origin)."""
        origin = {"type": "hidden_user", "date": int(time.time()) - 60, "sender_user_name": origin_name}
        return self.send_text(chat_id, text, user_id=user_id, forward_origin=origin)

    def inline_query(self, user_id: int, query: str) -> dict:
        """The user typed ``@bot <query>`` in some chat."""
        inline = {"id": str(next(self._callback_ids)), "from": self.user(user_id), "query": query,
                  "offset": "", "chat_type": "private"}
        return self.push_update({"inline_query": inline}, user_id)

    def inline_answers(self, inline: dict) -> list[dict] | None:
        """The results the bot answered an injected inline query with (None before it answered)."""
        for params in self.methods("answerInlineQuery"):
            if str(params.get("inline_query_id")) == inline["inline_query"]["id"]:
                return params.get("results", [])
        return None

    def edit_text(self, chat_id: int, original: dict, text: str) -> dict:
        """The user edited one of their earlier messages."""
        edited = dict(original["message"], text=text, edit_date=int(time.time()))
        return self.push_update({"edited_message": edited}, chat_id)

    def bot_message(self, sent: Sent) -> dict:
        """The Bot API Message object for something the bot sent."""
        message = {"message_id": sent.message_id, "date": int(time.time()), "chat": self.chat(sent.chat_id),
                   "from": self.bot_user, "text": sent.text}
        if sent.reply_markup:
            message["reply_markup"] = sent.reply_markup
        return message

    def press(self, sent: Sent, data: str | dict, user_id: int | None = None) -> dict:
        """The user pressed an inline button (its dict, or its callback_data) under ``sent``."""
        if isinstance(data, dict):
            data = data["callback_data"]
        user_id = sent.chat_id if user_id is None else user_id
        query = {"id": str(next(self._callback_ids)), "from": self.user(user_id),
                 "chat_instance": f"ci{sent.chat_id}", "data": data, "message": self.bot_message(sent)}
        return self.push_update({"callback_query": query}, sent.chat_id)

    # -- observing the bot --------------------------------------------------------------------
    def messages(self, chat_id: int) -> list[Sent]:
        with self._lock:
            return list(self.sent.get(chat_id, []))

    def methods(self, name: str) -> list[dict]:
        with self._lock:
            return [params for method, params, _ in self.calls if method == name]

    async def wait_for(self, predicate, timeout: float = 10.0, what: str = "condition", chat: int | None = None):
        """Check ``predicate()`` after each API call (only calls about ``chat``, when given) until
        it returns something truthy; usable from any event loop."""
        deadline = time.monotonic() + timeout
        watcher = (asyncio.get_running_loop(), asyncio.Event(), chat)
        with self._lock:
            self._watchers.add(watcher)
        try:
            while True:
                watcher[1].clear()
                result = predicate()
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
                try:  # woken by the next recorded call; re-check now and then regardless
                    await asyncio.wait_for(watcher[1].wait(), min(remaining, 0.05))
                except asyncio.TimeoutError:
                    pass
        finally:
            with self._lock:
                self._watchers.discard(watcher)

    async def next_message(self, chat_id: int, after: int | None = None, timeout: float = 10.0) -> Sent:
        """The first message to ``chat_id`` beyond its first ``after`` messages (default: beyond
        those sent so far; pass ``after`` counted before injecting, to be exact)."""
        start = len(self.messages(chat_id)) if after is None else after
        found = await self.wait_for(lambda: self.messages(chat_id)[start:start + 1], timeout,
                                    f"a message to chat {chat_id}", chat=chat_id)
        return found[0]

    async def replies_to(self, chat_id: int, action, settle: float = 0.15, timeout: float = 10.0,
                         edits: bool = False, until=None) -> list[Sent]:
        """Do ``action()`` (inject something), then return the messages the bot sent to ``chat_id``
        (and, with ``edits``, its edits of earlier ones) until it has been quiet for ``settle`` s
        (and, with ``until``, one of them satisfied ``until(message)``)."""
        before = len(self.messages(chat_id))
        action()
        until = until or (lambda message: True)
        await self.wait_for(lambda: any(until(m) for m in self.messages(chat_id)[before:]), timeout,
                            f"a reply in chat {chat_id}", chat=chat_id)
        count = len(self.messages(chat_id))
        while True:
            await asyncio.sleep(settle)
            now = len(self.messages(chat_id))
            if now == count:
                return [m for m in self.messages(chat_id)[before:] if edits or not m.method.startswith("edit")]
            count = now

    # -- HTTP ---------------------------------------------------------------------------------
    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    break
                method, path, _ = request_line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while True:
                    line = await reader.readline()
                    if line in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = b""
                if "content-length" in headers:
                    body = await reader.readexactly(int(headers["content-length"]))
                elif headers.get("transfer-encoding", "").lower() == "chunked":
                    while True:
                        size = int((await reader.readline()).strip(), 16)
                        chunk = await reader.readexactly(size + 2)
                        if size == 0:
                            break
                        body += chunk[:-2]
                if self.html_404:
                    page = b"<html><head><title>404 Not Found</title></head><body>Not Found</body></html>"
                    writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n"
                                 b"Content-Length: %d\r\n\r\n%s" % (len(page), page))
                    await writer.drain()
                    continue
                if path.rsplit("/", 1)[-1].split("?")[0] in self.drop_methods:
                    with self._lock:
                        self.calls.append(("dropped:" + path.rsplit("/", 1)[-1], {}, time.perf_counter()))
                    break
                handled = await self._handle(path, headers.get("content-type", ""), body)
                if handled is None:   # dropped: the connection closes unanswered
                    break
                status, answer = handled
                payload = json.dumps(answer, ensure_ascii=False).encode()
                writer.write(
                    f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
                    "Connection: keep-alive\r\n\r\n".encode() + payload)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    @staticmethod
    def _decode_params(content_type: str, body: bytes) -> tuple[dict, dict]:
        """(params, files) from a form-encoded, multipart or JSON body."""
        params: dict[str, Any] = {}
        files: dict[str, dict] = {}
        if content_type.startswith("multipart/form-data"):
            parsed = email.parser.BytesParser(policy=email.policy.default).parsebytes(
                b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
            for part in parsed.iter_parts():
                name = part.get_param("name", header="content-disposition")
                filename = part.get_filename()
                content = part.get_payload(decode=True) or b""
                if filename is not None:
                    files[name] = {"filename": filename, "content": content}
                else:
                    params[name] = content.decode()
        elif content_type.startswith("application/json"):
            params = json.loads(body or b"{}")
            return params, files
        else:
            params = dict(parse_qsl(body.decode(), keep_blank_values=True))
        for key, value in list(params.items()):
            if key in JSON_PARAMS and isinstance(value, str):
                params[key] = json.loads(value)
            elif key in ("chat_id", "message_id", "offset", "limit", "timeout", "user_id", "from_chat_id") \
                    and isinstance(value, str) and value.lstrip("-").isdigit():
                params[key] = int(value)
        return params, files

    async def _handle(self, path: str, content_type: str, body: bytes) -> tuple[int, dict]:
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        name = path[len(prefix):].split("?")[0]
        params, files = self._decode_params(content_type, body)
        if self.down or (self.intercept is not None and self.intercept(name, params)):
            return None
        now = time.perf_counter()
        with self._lock:
            self.calls.append((name, params, now))
        try:
            return await self._dispatch(name, params, files, now)
        finally:
            self._wake_watchers(params.get("chat_id"))

    def _wake_watchers(self, chat_id) -> None:
        with self._lock:
            watchers = [w for w in self._watchers if w[2] is None or w[2] == chat_id]
        for loop, event, _ in watchers:
            if not loop.is_closed():
                loop.call_soon_threadsafe(event.set)

    async def _dispatch(self, name: str, params: dict, files: dict, now: float) -> tuple[int, dict]:
        if name in self.fail_methods:
            error = self.fail_methods[name]
            return error.get("error_code", 400), {"ok": False, **error}
        with self._lock:
            error = self.fail_next.pop(name, None)
        if error:
            with self._lock:
                self.errors.append((name, error.get("description", "")))
            return error.get("error_code", 400), {"ok": False, **error}
        handler = getattr(self, f"_api_{name}", None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        try:
            result = handler(params, files, now)
            if asyncio.iscoroutine(result):
                result = await result
        except ApiError as error:
            with self._lock:
                self.errors.append((name, error.description))
            return error.code, {"ok": False, "error_code": error.code, "description": error.description}
        return 200, {"ok": True, "result": result}

    # -- Bot API methods ----------------------------------------------------------------------
    def _api_getMe(self, params, files, now):
        return self.bot_user

    def _api_deleteWebhook(self, params, files, now):
        self.webhook = None
        return True

    def _api_setWebhook(self, params, files, now):
        self.webhook = params
        return True

    def _api_getWebhookInfo(self, params, files, now):
        return {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    def _api_setMyCommands(self, params, files, now):
        return True

    def _api_sendChatAction(self, params, files, now):
        return True

    def _api_answerCallbackQuery(self, params, files, now):
        return True

    def _api_answerInlineQuery(self, params, files, now):
        return True

    async def _api_getUpdates(self, params, files, now):
        offset = int(params.get("offset", 0) or 0)
        limit = int(params.get("limit", 100) or 100)
        deadline = time.monotonic() + float(params.get("timeout", 0) or 0)
        while True:
            with self._lock:
                if offset:
                    # Like Telegram: an offset confirms (forgets) every earlier update.
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                pending = self._updates[:limit]
                if pending or time.monotonic() >= deadline:
                    return pending
                self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), max(0.0, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                pass

    def _record(self, method: str, params: dict, now: float, text: str, document=None) -> dict:
        chat_id = int(params["chat_id"])
        if "message_id" in params and method.startswith("edit"):
            message_id = int(params["message_id"])
        else:
            message_id = next(self._message_ids)
        with self._lock:
            injected = self._last_injected.get(chat_id)
            sent = Sent(method=method, chat_id=chat_id, message_id=message_id, text=text,
                        reply_markup=params.get("reply_markup"), document=document, time=now,
                        latency=None if injected is None else now - injected, params=params)
            self.sent.setdefault(chat_id, []).append(sent)
        message = {"message_id": message_id, "date": int(time.time()), "from": self.bot_user,
                   "chat": self.chats.get(chat_id) or self.chat(chat_id)}
        if text:
            message["text"] = text
        if sent.reply_markup:
            message["reply_markup"] = sent.reply_markup
        return message

    def _api_sendMessage(self, params, files, now):
        text = params.get("text", "")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return self._record("sendMessage", params, now, text)

    def _api_editMessageText(self, params, files, now):
        return self._record("editMessageText", params, now, params.get("text", ""))

    def _api_editMessageReplyMarkup(self, params, files, now):
        return self._record("editMessageReplyMarkup", params, now, "")

    def _api_deleteMessage(self, params, files, now):
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        with self._lock:
            kept = [m for m in self.sent.get(chat_id, []) if m.message_id != message_id]
            if len(kept) == len(self.sent.get(chat_id, [])):
                raise ApiError(400, "Bad Request: message to delete not found")
            self.sent[chat_id] = kept
        return True

    def _api_copyMessage(self, params, files, now):
        message = self._record("copyMessage", params, now, f"(copy of message {params.get('message_id')})")
        return {"message_id": message["message_id"]}

    def _api_sendDocument(self, params, files, now):
        document = files.get("document") or {"filename": None, "content": b""}
        document = dict(document, caption=params.get("caption"))
        message = self._record("sendDocument", params, now, "", document)
        message["document"] = {"file_id": f"BQACAgIAAxkBdoc{message['message_id']}",
                               "file_unique_id": f"doc{message['message_id']}",
                               "file_name": document["filename"], "file_size": len(document["content"])}
        return message
