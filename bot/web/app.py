"""The web channel's HTTP side (Starlette): the page, the JSON API, /healthz.

    app = create_app(settings, store, relay=None, routes=())   # an ASGI app; bot/serve.py runs it

Routes (see the README for curl examples):

    GET  /                      the chat page (bot/web/static/index.html)
    GET  /static/...            its CSS and JS
    POST /api/session           the cookie session (created when missing): csrf, lang, handoff,
                                transcript, welcome replies, last_event (poll events after it)
    POST /api/message           {"text"}    -> {"replies": [reply], "lang"}   (Origin + X-CSRF-Token)
    POST /api/press             {"action"}  -> {"replies": [reply], "lang"}   (Origin + X-CSRF-Token)
    POST /api/forget            delete the session and its log rows      (Origin + X-CSRF-Token)
    GET  /api/events?after=N    help-desk replies after event id N
    GET  /api/document/<name>   the session's last estimate document
    GET  /healthz               {"ok", "policy", "store_writable"}

A message goes: route -> ``dialogs.respond``/``press`` on the session's stored state -> the
events recorded (question log, feedback, 转人工 through ``relay``) -> state and log saved -> the
replies as JSON. Nothing is rendered into HTML here: the page shows every text with textContent.
``relay`` is the help desk (bot/serve.py builds it over the Telegram bot); this module imports
no other channel.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
import time
import weakref
from pathlib import Path
from typing import Any, Awaitable, Protocol, Sequence
from urllib.parse import quote, urlsplit

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import dialogs
from bot.config import Settings
from dialogs.document import DocumentUnavailable, EstimateDocument
from bot.store import Store, question_row
from bot.web.limits import RateLimit
from bot.web.sessions import Session, WebSessions, dump

logger = logging.getLogger("policybot.web")

STATIC_DIR = Path(__file__).resolve().parent / "static"
COOKIE = "policybot_session"
MAX_BODY = 16 * 1024            # bytes of a request body; more is refused (413)
MAX_TEXT = 1000                 # characters of a message, as on Telegram
MAX_ACTION = 60                 # bytes of a button action (dialogs.reply.MAX_ACTION_BYTES)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
RECIPE = "application/x-policybot-estimate+json"   # a kept estimate document: made when downloaded

# The channel's own lines (errors of the HTTP layer), Chinese first then English, so that an API
# caller and the page both have something readable whatever the session's language.
ERRORS = {
    "bad_json": "请求格式不对：需要 JSON 对象。 The request body must be a JSON object.",
    "no_text": "消息是空的，请输入您的问题。 The message is empty: please type a question.",
    "too_long": f"消息太长了，请用一两句话提问（{MAX_TEXT}字以内）。 "
                f"The message is too long: please ask in under {MAX_TEXT} characters.",
    "bad_text": "消息中有无法识别的字符。 The message contains characters that are not valid text.",
    "bad_action": "无法识别的按钮。 Unknown button action.",
    "bad_lang": "语言只能是 zh 或 en。 lang must be \"zh\" or \"en\".",
    "bad_reply_to": "reply_to 不是有效的条目编号。 reply_to must be an entry id such as \"a05\".",
    "too_big": f"请求太大了（最多{MAX_BODY // 1024}KB）。 The request is too large (at most {MAX_BODY // 1024} KB).",
    "origin": "请求来源不符，已拒绝。请从本站页面操作。 Refused: the request does not come from this site's page "
              "(Origin or Referer must match the host).",
    "csrf": "页面已过期，请刷新页面后再试。 The page is out of date (missing or wrong X-CSRF-Token): "
            "please reload it.",
    "no_session": "会话不存在或已清除，请刷新页面。 No session (it may have been deleted): reload the page, "
                  "or POST /api/session first with cookies enabled.",
    "slow_down": "操作太频繁了，请稍等{seconds}秒再试。 Too many requests: please wait {seconds} s and try again.",
    "bad_after": "after 必须是非负整数。 after must be a non-negative integer.",
    "no_document": "没有这个文件，请先完成资格自测。 No such document: finish the eligibility check first.",
    "no_document_now": "暂时无法生成测算文档，请稍后再试。 The estimate document cannot be made just now; please try again shortly.",
    "not_found": "没有这个地址。 Not found.",
    "method": "不支持这种请求方式。 Method not allowed.",
    "internal": "抱歉，服务器处理出错，请再试一次。 Sorry, something went wrong on the server; please try again.",
    "no_page": "页面文件缺失（bot/web/static/index.html）。 The page file is missing.",
}


class Relay(Protocol):
    """The help desk as the web sees it (bot/serve.py implements it over the Telegram bot)."""

    available: bool

    def hand_off(self, *, session_id: str, user_id: int, event: dict, lang: str) -> Awaitable[str]:
        """Post the question to the help-desk chat; returns what to tell the user."""

    def forget(self, user_id: int) -> Awaitable[None]:
        """Withdraw the session's hand-off posts from the help-desk chat (as /forget does)."""


class ApiError(Exception):
    def __init__(self, status: int, key: str, headers: dict | None = None, **fields: Any):
        super().__init__(key)
        self.status, self.key, self.headers, self.fields = status, key, headers, fields


def error_response(status: int, key: str, headers: dict | None = None, **fields: Any) -> JSONResponse:
    return JSONResponse({"error": ERRORS[key].format(**fields)}, status_code=status, headers=headers)


def reply_json(reply: dialogs.Reply, document_url: str | None = None, drop: frozenset[str] = frozenset()) -> dict:
    """One engine reply as the API's JSON (fields the engine does not have yet are null)."""
    buttons = [{"label": b.label, "action": b.action, "row": i}
               for i, row in enumerate(r for r in reply.buttons if any(b.action not in drop for b in r))
               for b in row if b.action not in drop]
    progress = getattr(reply, "progress", None)
    document = None
    if reply.document and document_url:
        document = {"filename": reply.document.filename, "url": document_url}
    return {"text": reply.text, "kind": reply.kind, "buttons": buttons, "clauses": list(reply.clauses),
            "entry": reply.entry, "progress": list(progress) if progress else None,
            "estimate": json.loads(dump(reply.estimate)), "document": document,
            # The answer type a pending interview question wants (the page puts the focus by it).
            "expects": reply.expects}


def _host_of(value: str) -> str:
    """host[:port] without the default ports, lower case."""
    value = value.lower()
    for default in (":80", ":443"):
        if value.endswith(default):
            return value[: -len(default)]
    return value


def same_origin(request: Request) -> bool:
    """The request was sent by a page of this host (Origin, else Referer, names the Host)."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return False
    try:
        netloc = urlsplit(source).netloc
    except ValueError:
        return False
    host = request.headers.get("host", "")
    return bool(netloc) and bool(host) and _host_of(netloc) == _host_of(host)


class SecurityHeaders:
    """Adds the Content-Security-Policy and friends to every response; no-store on the API, and
    Server-Timing (the time spent in the app, so a benchmark can tell it from the network's)."""

    def __init__(self, app: ASGIApp, frame_ancestors: str):
        self.app = app
        csp = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               f"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {frame_ancestors}")
        self.headers = [(b"content-security-policy", csp.encode()), (b"x-content-type-options", b"nosniff"),
                        (b"referrer-policy", b"same-origin")]
        # For browsers that predate frame-ancestors (old in-app browsers).
        legacy = {"'none'": b"DENY", "'self'": b"SAMEORIGIN"}.get(frame_ancestors.strip())
        if legacy:
            self.headers.append((b"x-frame-options", legacy))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = scope.get("path", "").removeprefix(scope.get("root_path", "")).startswith("/api/")
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + self.headers
                if api:
                    elapsed = (time.perf_counter() - started) * 1000
                    headers += [(b"cache-control", b"no-store"), (b"server-timing", f"app;dur={elapsed:.1f}".encode())]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class WebChannel:
    """The routes, sharing the store, the sessions and the limits."""

    def __init__(self, settings: Settings, store: Store, relay: Relay | None = None):
        self.settings = settings
        self.store = store
        self.sessions = WebSessions(store)
        self.relay = relay
        self.per_session = RateLimit(settings.web_session_rate)
        self.per_address = RateLimit(settings.web_address_rate)
        # New sessions cost more than messages: a tenth of the address budget.
        self.new_sessions = RateLimit(max(1, settings.web_address_rate // 10))
        self.locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self.policy = policy_version()

    @property
    def handoff(self) -> bool:
        """Whether 联系人工 can reach a person: a help desk is configured and the bot runs."""
        return bool(self.relay is not None and self.relay.available)

    # -- request plumbing ---------------------------------------------------------------------
    def root(self, request: Request) -> str:
        return request.scope.get("root_path", "").rstrip("/")

    @staticmethod
    def address(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    def limit(self, limiter: RateLimit, key: str) -> None:
        wait = limiter.hit(key)
        if wait:
            seconds = max(1, int(wait + 0.999))
            raise ApiError(429, "slow_down", headers={"Retry-After": str(seconds)}, seconds=seconds)

    @staticmethod
    async def body(request: Request) -> dict:
        """The JSON object of the body (empty body: {}); 413 beyond MAX_BODY, read no further."""
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
            raise ApiError(413, "too_big")
        chunks, size = [], 0
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_BODY:
                    raise ApiError(413, "too_big")
                chunks.append(chunk)
        except ClientDisconnect:
            raise ApiError(400, "bad_json") from None
        raw = b"".join(chunks)
        if not raw.strip():
            return {}
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):      # RecursionError: [[[[... nested past Python's limit
            raise ApiError(400, "bad_json") from None
        if not isinstance(data, dict):
            raise ApiError(400, "bad_json")
        return data

    def session(self, request: Request, checks_only: bool = False) -> Session:
        session = self.sessions.get(request.cookies.get(COOKIE), checks_only)
        if session is None:
            raise ApiError(403, "no_session")
        return session

    def guarded_session(self, request: Request) -> Session:
        """For state-changing calls: same origin, a known session, its CSRF token, its rate. The
        session's state is not read here (its callers read it again under the session's lock)."""
        if not same_origin(request):
            raise ApiError(403, "origin")
        self.limit(self.per_address, self.address(request))
        session = self.session(request, checks_only=True)
        token = request.headers.get("x-csrf-token", "")
        if not secrets.compare_digest(token.encode(), session.csrf.encode()):
            raise ApiError(403, "csrf")
        self.limit(self.per_session, session.id)
        return session

    def lock(self, session_id: str) -> asyncio.Lock:
        lock = self.locks.get(session_id)
        if lock is None:
            lock = self.locks[session_id] = asyncio.Lock()
        return lock

    def set_cookie(self, request: Request, response: Response, session: Session) -> None:
        response.set_cookie(COOKIE, session.id, max_age=self.settings.retention_days * 86400,
                            path=(self.root(request) or "") + "/", httponly=True, samesite="lax",
                            secure=request.url.scheme == "https")

    # -- the engine step ----------------------------------------------------------------------
    async def converse(self, request: Request, session: Session, step, said: str | None) -> list[dict]:
        """Run one engine step on the session's state, record what it reports, store state and
        log (before answering), and return the replies as JSON."""
        state, replies = step(session.state)
        lang = "en" if state.get("lang") == "en" else "zh"
        questions: list[list] = []
        replies = await self.record_events(session, replies, lang, questions)
        document = None
        for reply in replies:
            if reply.document:  # kept as its recipe; the file is made when it is downloaded
                document = (reply.document.filename, json.dumps(reply.document.recipe).encode(), RECIPE)
        shown = [self.reply_json(request, reply) for reply in replies]
        items = [("user", said, None)] if said else []
        items += [("bot", reply["text"], reply) for reply in shown]
        self.sessions.save(session, state, document, items, questions)
        return shown

    def reply_json(self, request: Request, reply: dialogs.Reply) -> dict:
        url = f"{self.root(request)}/api/document/{quote(reply.document[0])}" if reply.document else None
        return reply_json(reply, url)

    async def record_events(self, session: Session, replies: list, lang: str, questions: list) -> list:
        """The question log and feedback (with the session's web id), and 转人工 through the relay:
        the engine's line is replaced by what actually happened. Question-log rows are added to
        ``questions``, written with the state in one transaction (one commit per reply)."""
        import dataclasses

        user_id = session.user_id
        result = []
        for reply in replies:
            for event in reply.events:
                kind = event.get("type")
                if kind == "asked":
                    questions.append(question_row(
                        chat_id=user_id, user_id=user_id, question=str(event.get("query", ""))[:2000],
                        top=event.get("top"), score=event.get("score"), confident=bool(event.get("confident")),
                        lang=event.get("lang") or lang, source="web"))
                elif kind == "feedback":
                    self.store.add_feedback(chat_id=user_id, user_id=user_id, entry=event.get("entry"),
                                            value=int(event.get("value", 0)))
                elif kind == "handoff" and self.handoff:
                    told = await self.relay.hand_off(session_id=session.id, user_id=user_id, event=event, lang=lang)
                    reply = dataclasses.replace(reply, text=told)
            result.append(reply)
        return result

    # -- routes -------------------------------------------------------------------------------
    async def page(self, request: Request) -> Response:
        """The chat page."""
        index = STATIC_DIR / "index.html"
        if not index.is_file():
            return error_response(404, "no_page")
        return FileResponse(index, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"})

    async def api_session(self, request: Request) -> Response:
        """The cookie session, created when missing: its CSRF token, language and conversation."""
        if not same_origin(request):
            raise ApiError(403, "origin")
        address = self.address(request)
        self.limit(self.per_address, address)
        data = await self.body(request)
        lang = data.get("lang")
        if lang is not None and lang not in ("zh", "en"):
            raise ApiError(400, "bad_lang")
        session = self.sessions.get(request.cookies.get(COOKIE))
        welcome: list[dict] = []
        if session is None:
            self.limit(self.new_sessions, address)
            if lang is None:
                accept = request.headers.get("accept-language", "").strip().lower()
                lang = "en" if accept.startswith("en") else "zh"
            session = self.sessions.create(lang)
            async with self.lock(session.id):
                welcome = await self.converse(request, session, lambda s: dialogs.respond(s, "/start", handoff=self.handoff),
                                              None)
            transcript = []             # the welcome is in ``replies``; later loads find it here
        else:
            transcript = self.sessions.transcript(session)
        response = JSONResponse({"csrf": session.csrf, "lang": session.lang, "handoff": self.handoff,
                                 "transcript": transcript, "replies": welcome,
                                 "last_event": self.store.web_last_id(session.id)})
        self.set_cookie(request, response, session)
        return response

    async def api_message(self, request: Request) -> Response:
        """Something the user typed: {"text", "reply_to"?} -> the engine's replies."""
        session = self.guarded_session(request)
        data = await self.body(request)
        text = data.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "no_text")
        text = text.strip()
        if len(text) > MAX_TEXT:
            raise ApiError(400, "too_long")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:      # a lone surrogate (\ud800) in the JSON: not text anyone typed
            raise ApiError(400, "bad_text") from None
        reply_to = data.get("reply_to")
        if reply_to is not None and not (isinstance(reply_to, str) and 0 < len(reply_to) <= 40
                                         and reply_to.isascii() and reply_to.replace("-", "").isalnum()):
            raise ApiError(400, "bad_reply_to")
        kwargs = {"handoff": self.handoff, "reply_to": reply_to}
        async with self.lock(session.id):
            session = self.session(request)          # fresh: another request may have just saved it
            replies = await self.converse(request, session, lambda s: dialogs.respond(s, text, **kwargs), text)
        return JSONResponse({"replies": replies, "lang": session.lang})

    async def api_press(self, request: Request) -> Response:
        """A pressed button: {"action"} -> the engine's replies."""
        session = self.guarded_session(request)
        data = await self.body(request)
        action = data.get("action")
        if (not isinstance(action, str) or not action or not action.isascii() or not action.isprintable()
                or len(action) > MAX_ACTION):
            raise ApiError(400, "bad_action")
        kwargs = {"handoff": self.handoff}
        async with self.lock(session.id):
            session = self.session(request)
            # The transcript shows the pressed button's label as what the user "said".
            label = self.sessions.button_label(session, action)
            replies = await self.converse(request, session, lambda s: dialogs.press(s, action, **kwargs), label)
        return JSONResponse({"replies": replies, "lang": session.lang})

    async def api_forget(self, request: Request) -> Response:
        """清除我的记录: delete the session's state, conversation and log rows (as /forget)."""
        session = self.guarded_session(request)
        async with self.lock(session.id):
            if self.relay is not None and self.relay.available:
                try:
                    await self.relay.forget(session.user_id)
                except Exception:   # withdrawing posts is a courtesy; deleting our rows is the promise
                    logger.exception("could not withdraw the hand-off posts of a web session")
            counts = self.store.forget_web_session(session.id, session.user_id)
        logger.info("a web session asked to be forgotten: %s", counts)
        response = JSONResponse({"ok": True})
        response.delete_cookie(COOKIE, path=(self.root(request) or "") + "/", httponly=True, samesite="lax",
                               secure=request.url.scheme == "https")
        return response

    async def api_events(self, request: Request) -> Response:
        """Help-desk replies to this session after event id ``after`` (the page polls this)."""
        raw = request.query_params.get("after", "0")
        if not raw.isdigit() or len(raw) > 18:
            raise ApiError(400, "bad_after")
        session = self.session(request)
        return JSONResponse({"events": self.sessions.staff_replies(session, int(raw))})

    async def api_document(self, request: Request) -> Response:
        """The session's last estimate document, as a download."""
        session = self.session(request)
        name = request.path_params["name"]
        if session.document is None or session.document[0] != name:
            raise ApiError(404, "no_document")
        filename, content, media_type = session.document
        if media_type == RECIPE:
            try:
                recipe = json.loads(content)
                content = await EstimateDocument(filename, recipe).build_off_loop()
            except DocumentUnavailable:  # the worker's trouble, already logged in one line
                raise ApiError(500, "no_document_now") from None
            except Exception:
                logger.exception("could not make the estimate document")
                raise ApiError(500, "no_document_now") from None
            media_type = DOCX
        ascii_name = "".join(ch if ch.isascii() and ch.isalnum() or ch in "._-" else "_" for ch in filename)
        disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
        return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})

    async def healthz(self, request: Request) -> Response:
        """For a load balancer or a watchdog: the policy version and whether the store takes writes."""
        writable = await asyncio.to_thread(self.store.writable)
        return JSONResponse({"ok": True, "policy": self.policy, "store_writable": writable})


def policy_version() -> dict:
    """The policy the answers come from: its date, term, and a hash of the text and entries."""
    from knowledge.base import POLICY_FILE, all_entries

    digest = hashlib.sha256(POLICY_FILE.read_bytes())
    entries = all_entries()
    for entry in entries:
        digest.update(f"{entry.id}\0{entry.answer}\0{entry.answer_en}".encode())
    return {"title": "关于加速推进西青区人力资源服务产业园建设的若干政策措施（试行）", "issued": "2023-11-20",
            "valid_until": "2026-12-31", "entries": len(entries), "sha256": digest.hexdigest()[:16]}


def create_app(settings: Settings, store: Store, relay: Relay | None = None,
               routes: Sequence[BaseRoute] = ()) -> ASGIApp:
    """The web channel's ASGI app; ``routes`` adds routes of the process (the Telegram webhook)."""
    channel = WebChannel(settings, store, relay)

    def api(handler):
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except ApiError as exc:
                return error_response(exc.status, exc.key, exc.headers, **exc.fields)
        endpoint.__doc__ = handler.__doc__
        return endpoint

    async def not_found(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 405:
            return error_response(405, "method")
        return error_response(exc.status_code if exc.status_code in (400, 404) else 404, "not_found")

    async def internal(request: Request, exc: Exception) -> Response:
        logger.exception("error while serving %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, "internal")

    app = Starlette(
        routes=[
            Route("/", channel.page, methods=["GET", "HEAD"]),
            Route("/api/session", api(channel.api_session), methods=["POST"]),
            Route("/api/message", api(channel.api_message), methods=["POST"]),
            Route("/api/press", api(channel.api_press), methods=["POST"]),
            Route("/api/forget", api(channel.api_forget), methods=["POST"]),
            Route("/api/events", api(channel.api_events), methods=["GET"]),
            Route("/api/document/{name}", api(channel.api_document), methods=["GET"]),
            Route("/healthz", channel.healthz, methods=["GET", "HEAD"]),
            *routes,
            Mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static"),
        ],
        exception_handlers={HTTPException: not_found, Exception: internal},
    )
    app.state.channel = channel
    return SecurityHeaders(app, settings.web_frame_ancestors)
