"""One event loop for everything the process serves, as python-telegram-bot's customwebhookbot
example does: uvicorn runs the Starlette app (the web channel, /healthz and, in webhook mode,
the Telegram webhook route) and, when TELEGRAM_BOT_TOKEN is set, the Telegram Application runs
beside it (long polling, or updates from the webhook route put on its update queue).

    run_serve(settings) -> exit status                 # policybot serve
    run_serve(settings, listen=..., port=...)          # policybot (webhook mode): the webhook's address

This is the one place that knows both channels: it gives the web channel the help desk of the
Telegram bot (``TelegramRelay``), so 联系人工 on the page reaches the same staff chat.
"""
from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import secrets
import signal
import socket
import sqlite3
import sys
from datetime import datetime, timedelta, timezone
from urllib.parse import urlparse

import uvicorn
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.config import Settings, redact
from bot.lock import StoreUnusable, open_own_store
from bot.store import Store
from bot.web.app import create_app

logger = logging.getLogger("policybot.serve")

MAX_UPDATE_BYTES = 1 << 20          # a Telegram update is far smaller; anything bigger is not one
PURGE_EVERY = timedelta(days=1)


class Server(uvicorn.Server):
    """uvicorn's server without its own signal handling: serve() stops it on SIGINT/SIGTERM and
    then stops the bot (uvicorn would re-raise the signal and end the process first)."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield


class TelegramRelay:
    """The help desk for the web channel: 联系人工 posts through the Telegram bot's HelpDesk."""

    def __init__(self, settings: Settings, store: Store, application):
        from bot.telegram.helpdesk import HelpDesk

        self.settings = settings
        self.store = store
        self.desk = HelpDesk(settings, store)
        self.application = application

    @property
    def available(self) -> bool:
        return self.settings.helpdesk_chat is not None and self.application.running

    async def hand_off(self, *, session_id: str, user_id: int, event: dict, lang: str) -> str:
        # The staff see a short pseudonym, never the session id (which is the visitor's key).
        name = f"网页访客 {(-user_id) % 1_000_000:06d}"
        return await self.desk.post_handoff(self.application.bot, event, lang, user_id=user_id, name=name,
                                            where="网页", web_session=session_id)

    async def forget(self, user_id: int) -> None:
        from telegram.error import TelegramError

        for chat_id, message_id in self.store.handoff_posts(user_id):
            try:
                await self.application.bot.delete_message(chat_id, message_id)
            except TelegramError as exc:
                logger.info("could not delete hand-off post %s in %s: %s", message_id, chat_id, exc)


def webhook_route(settings: Settings, application) -> Route:
    """POST <webhook path>: an update from Telegram, checked against POLICYBOT_WEBHOOK_SECRET."""
    from telegram import Update

    path = urlparse(settings.webhook_url).path or "/"
    # Behind a proxy serving the app under POLICYBOT_WEB_ROOT_PATH, the route is inside that prefix.
    if settings.web_root_path and path.startswith(settings.web_root_path + "/"):
        path = path[len(settings.web_root_path):]
    secret = settings.webhook_secret

    async def telegram_webhook(request: Request) -> Response:
        """An update Telegram posts: queued for the Application (403 without the right secret)."""
        given = request.headers.get("x-telegram-bot-api-secret-token", "")
        if secret and not secrets.compare_digest(given.encode(), secret.encode()):
            return Response(status_code=403)
        length = request.headers.get("content-length", "")
        if not length.isdigit() or int(length) > MAX_UPDATE_BYTES:
            return Response(status_code=413)
        try:
            update = Update.de_json(await request.json(), application.bot)
        except Exception:          # not an update: tell the sender, keep serving
            return Response(status_code=400)
        await application.update_queue.put(update)
        return Response()

    return Route(path, telegram_webhook, methods=["POST"])


def configure_logging(settings: Settings) -> None:
    if settings.token:
        from bot.telegram.app import configure_logging as telegram_logging

        telegram_logging(settings)        # redacts the token from every line
    else:
        logging.basicConfig(level=settings.log_level, stream=sys.stderr,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)   # no per-request lines (privacy)


async def purge_daily(settings: Settings, store: Store) -> None:
    """Without the Telegram bot (whose job queue does it), delete old logs once a day here."""
    await asyncio.sleep(30)
    while True:
        before = (datetime.now(timezone.utc) - timedelta(days=settings.retention_days)).isoformat(timespec="seconds")
        try:
            logger.info("daily purge of records older than %s days: %s", settings.retention_days, store.purge(before))
        except sqlite3.Error as exc:
            logger.warning("daily purge failed: %s", exc)
        await asyncio.sleep(PURGE_EVERY.total_seconds())


async def checkpoint_often(store: Store, every: float = 2.0) -> None:
    """Copy the store's write-ahead log into its file every few seconds, in a thread: replies
    never wait for those disk writes (see Store.checkpoint_in_background)."""
    store.checkpoint_in_background()
    while True:
        await asyncio.sleep(every)
        try:
            await asyncio.to_thread(store.checkpoint)
        except sqlite3.Error as exc:       # e.g. the disk is full: said, and tried again
            logger.warning("could not checkpoint the store: %s", exc)


async def serve(settings: Settings, sock: socket.socket, store: Store) -> int:
    """Run the web app (and the bot with a token) until SIGINT/SIGTERM; exit status."""
    application = relay = None
    routes = []
    if settings.token:
        from bot.telegram.app import build_application

        from bot.telegram.ops import Operations

        ops = Operations(settings)
        application = build_application(settings, store, ops)
        relay = TelegramRelay(settings, store, application)
        if settings.webhook_url:
            routes.append(webhook_route(settings, application))
    app = create_app(settings, store, relay, routes)
    # Load the matcher's index now, not on the first visitor's question (about 0.5 s).
    from knowledge import match_question

    match_question("房租补贴怎么算")
    # What is loaded now (matcher, jieba, the bots) lives as long as the process: keep it out of
    # the garbage collector's full passes, which otherwise scan it all (~40 ms, stalling every
    # reply in flight: the slowest web replies were these).
    gc.collect()
    gc.freeze()
    config = uvicorn.Config(app, root_path=settings.web_root_path, proxy_headers=True,
                            forwarded_allow_ips=settings.web_trusted_proxies, log_config=None,
                            access_log=False, lifespan="off", server_header=False)
    server = Server(config)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
    host, port = sock.getsockname()[:2]
    logger.info("web channel on http://%s:%s%s/", host, port, settings.web_root_path)
    checkpoints = asyncio.create_task(checkpoint_often(store))
    if application is None:
        purge = asyncio.create_task(purge_daily(settings, store))
        try:
            await server.serve(sockets=[sock])
        finally:
            purge.cancel()
            checkpoints.cancel()
        return 0

    # The web serves from the start; the bot joins when the Bot API answers (from mainland China
    # it may not: the web channel must not depend on it).
    telegram = asyncio.create_task(start_telegram(settings, application))
    watch = asyncio.create_task(stop_when_told(ops, server))
    telegram.add_done_callback(lambda task: task.cancelled() or task.exception() is None
                               or setattr(server, "should_exit", True))
    try:
        await server.serve(sockets=[sock])
    finally:
        telegram.cancel()
        watch.cancel()
        checkpoints.cancel()
        await asyncio.gather(telegram, watch, return_exceptions=True)
        # In-flight updates are answered, then state is flushed by shutdown.
        if application.updater and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
    if not telegram.cancelled() and telegram.exception() is not None:
        raise telegram.exception()       # a refused token: run_serve reports it in one line
    if ops.exit_line:                    # e.g. another process kept polling with this token
        print(f"policybot: {ops.exit_line}", file=sys.stderr)
        return 2
    return 0


async def stop_when_told(ops, server, every: float = 1.0) -> None:
    """Stop the server when the bot's operations say the process must end (a lasting Conflict)."""
    while not ops.exit_line:
        await asyncio.sleep(every)
    server.should_exit = True


async def start_telegram(settings: Settings, application, first_retry: float = 5.0) -> None:
    """Initialize (getMe), then poll or set the webhook, then start; while the Bot API cannot be
    reached, say so and try again (5 s, doubling up to 5 min). A refused token raises."""
    from telegram import Update
    from telegram.error import InvalidToken, NetworkError

    delay = first_retry
    while True:
        try:
            await application.initialize()
            break
        except InvalidToken:
            raise
        except NetworkError as exc:
            logger.warning("cannot reach the Telegram Bot API (%s); the web channel runs, retrying in %.0f s",
                           redact(str(exc), settings.token), delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 300.0)
    if application.post_init:
        await application.post_init(application)
    if settings.webhook_url:
        await application.bot.set_webhook(settings.webhook_url, secret_token=settings.webhook_secret,
                                          allowed_updates=Update.ALL_TYPES)
    else:
        await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
    await application.start()
    logger.info("Telegram bot running (%s)", "webhook" if settings.webhook_url else "long polling")


def listening_socket(host: str, port: int) -> socket.socket:
    """Bound before anything else starts, so a busy port is a one-line error. Made with proto
    IPPROTO_TCP: asyncio sets TCP_NODELAY only on such sockets, and without it a keep-alive
    client waits ~40 ms per response (Nagle against delayed ACKs)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def run_serve(settings: Settings, listen: str | None = None, port: int | None = None) -> int:
    """``policybot serve``: the web channel, with the Telegram bot when a token is set."""
    problem = (settings.token_problem() if settings.token else None) or (
        settings.problems[0] if settings.problems else None)
    if problem:
        print(f"policybot: {problem}", file=sys.stderr)
        return 2
    configure_logging(settings)
    listen = listen or settings.web_listen
    port = settings.web_port if port is None else port
    try:
        sock = listening_socket(listen, port)
    except OSError as exc:
        print(f"policybot: cannot listen on {listen}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    try:
        instance_lock, store = open_own_store(settings.db_path)  # noqa: F841 (held for the process's life)
    except StoreUnusable as exc:
        sock.close()
        print(f"policybot: {exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(serve(settings, sock, store))
    except KeyboardInterrupt:
        return 0
    except Exception as exc:
        from telegram.error import InvalidToken, NetworkError

        if isinstance(exc, InvalidToken):
            print("policybot: Telegram refused TELEGRAM_BOT_TOKEN; check it with @BotFather", file=sys.stderr)
            return 2
        if isinstance(exc, NetworkError):      # e.g. setWebhook refused after getMe answered
            print(f"policybot: the Telegram Bot API failed: {redact(str(exc), settings.token)}", file=sys.stderr)
            return 1
        raise
    finally:
        sock.close()
        store.close()
