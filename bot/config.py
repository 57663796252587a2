"""Settings from the environment (and an optional ``.env`` file in the working directory).

    settings = load_settings()          # never raises: bad values are listed in settings.problems
    settings.token, settings.api_base_url, settings.db_path, settings.webhook_url, ...

See the README for each variable. The token is a secret: ``Settings.__repr__`` hides it and
``redact`` removes it from any text before it is logged.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

APP_NAME = "policybot"
# "<bot id>:<secret>", as BotFather issues it; test servers accept short secrets like 123456:TEST.
TOKEN_PATTERN = re.compile(r"^[0-9]{1,20}:[A-Za-z0-9_-]{1,100}$")


@dataclass(frozen=True)
class Settings:
    token: str | None = None
    api_base_url: str | None = None          # PTB base_url; None = Telegram's own servers
    db_path: Path = Path("policybot.sqlite3")
    webhook_url: str | None = None           # set = webhook mode, else long polling
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str | None = None
    log_level: str = "INFO"
    flood_limit: int = 30                    # messages per flood_window seconds per user
    flood_window: float = 10.0
    send_rate: float = 30.0                  # new messages per second, all chats together
    helpdesk_chat: int | None = None         # the staff chat hand-offs go to (转人工); None = no relay
    admins: frozenset[int] = frozenset()     # Telegram user ids allowed the staff commands
    retention_days: int = 180                # logs older than this are purged daily
    export_key: str | None = None            # HMAC key for /export (None: a random key kept in the db)
    conflict_seconds: float = 60.0           # another process polling with the token this long: stop
    web_listen: str = "127.0.0.1"            # the web channel (policybot serve)
    web_port: int = 8080
    web_root_path: str = ""                  # URL prefix behind a reverse proxy, e.g. "/policybot"
    web_frame_ancestors: str = "'none'"      # CSP frame-ancestors: who may embed the page
    web_trusted_proxies: str = "127.0.0.1"   # addresses whose X-Forwarded-For/-Proto are believed
    web_session_rate: int = 60               # messages and presses per minute per web session
    web_address_rate: int = 1200             # API posts per minute per client address
    problems: tuple[str, ...] = field(default=())

    def __repr__(self) -> str:
        shown = {k: v for k, v in self.__dict__.items() if k not in ("token", "webhook_secret", "export_key")}
        shown["token"] = "<set>" if self.token else None
        return f"Settings({shown})"

    def token_problem(self) -> str | None:
        """One line saying what is wrong with the token, or None when it looks usable."""
        if not self.token:
            return "TELEGRAM_BOT_TOKEN is not set (get a token from @BotFather)"
        if not TOKEN_PATTERN.match(self.token):
            return "TELEGRAM_BOT_TOKEN is malformed: expected digits, a colon, then the secret (as @BotFather gives it)"
        return None


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False)) / "policybot.sqlite3"


def load_settings(environ: Mapping[str, str] | None = None, dotenv: bool = True) -> Settings:
    """Read the settings; with ``environ=None`` from os.environ after loading ``./.env`` (if any)."""
    if environ is None:
        if dotenv:
            try:
                from dotenv import load_dotenv

                load_dotenv(Path.cwd() / ".env", override=False)
            except (ImportError, OSError):
                pass
        environ = os.environ
    problems: list[str] = []

    def text(name: str) -> str | None:
        value = environ.get(name, "").strip()
        return value or None

    def number(name: str, default, kind=int, minimum=0, maximum=None):
        raw = text(name)
        if raw is None:
            return default
        try:
            value = kind(raw)
        except ValueError:
            problems.append(f"{name} must be a number, got {raw!r}")
            return default
        if value < minimum or (maximum is not None and value > maximum):
            limit = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            problems.append(f"{name} must be {limit}, got {raw!r}")
            return default
        return value

    base_url = text("TELEGRAM_API_BASE_URL")
    if base_url and not re.match(r"^https?://", base_url):
        problems.append(f"TELEGRAM_API_BASE_URL must start with http:// or https://, got {base_url!r}")
        base_url = None
    webhook_url = text("POLICYBOT_WEBHOOK_URL")
    if webhook_url and not webhook_url.startswith("https://"):
        problems.append("POLICYBOT_WEBHOOK_URL must be an https:// address Telegram can reach")
    send_rate = number("POLICYBOT_SEND_RATE", 30.0, float, 1)
    db = text("POLICYBOT_DB")
    log_level = (text("POLICYBOT_LOG_LEVEL") or "INFO").upper()
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        problems.append(f"POLICYBOT_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}")
        log_level = "INFO"
    helpdesk_raw = text("POLICYBOT_HELPDESK_CHAT")
    helpdesk_chat = None
    if helpdesk_raw is not None:
        if re.fullmatch(r"-?[0-9]{1,20}", helpdesk_raw):
            helpdesk_chat = int(helpdesk_raw)
        else:
            problems.append("POLICYBOT_HELPDESK_CHAT must be the numeric chat id of the help-desk group "
                            f"(e.g. -1001234567890), got {helpdesk_raw!r}")
    admins: set[int] = set()
    for part in re.split(r"[\s,;]+", text("POLICYBOT_ADMINS") or ""):
        if not part:
            continue
        if part.isdigit():
            admins.add(int(part))
        else:
            problems.append(f"POLICYBOT_ADMINS must list numeric Telegram user ids, got {part!r}")
    as_of = text("POLICYBOT_AS_OF")  # read by dialogs itself; checked here so that a typo stops the start
    if as_of is not None:
        from dialogs.dates import parse_day

        if parse_day(as_of) is None:
            problems.append(f"POLICYBOT_AS_OF must be a date YYYY-MM-DD, got {as_of!r}")
    root_path = (text("POLICYBOT_WEB_ROOT_PATH") or "").rstrip("/")
    if root_path and not re.fullmatch(r"(/[A-Za-z0-9._~-]+)+", root_path):
        problems.append(f"POLICYBOT_WEB_ROOT_PATH must be a path like /policybot, got {root_path!r}")
        root_path = ""
    web_listen = text("POLICYBOT_WEB_LISTEN") or "127.0.0.1"
    if not re.fullmatch(r"[A-Za-z0-9.:\[\]_-]+", web_listen):
        problems.append(f"POLICYBOT_WEB_LISTEN must be an address like 127.0.0.1 or 0.0.0.0, got {web_listen!r}")
        web_listen = "127.0.0.1"
    ancestors = text("POLICYBOT_WEB_FRAME_ANCESTORS") or "'none'"
    # Sources only (host names, schemes, 'self', 'none'): no ';' or quotes that could add directives.
    if not all(re.fullmatch(r"'none'|'self'|[A-Za-z][A-Za-z0-9+.-]*:|(https?://)?(\*\.)?[A-Za-z0-9.-]+(:[0-9]+)?",
                            part) for part in ancestors.split()):
        problems.append("POLICYBOT_WEB_FRAME_ANCESTORS must list sources like 'self' https://www.example.gov.cn, "
                        f"got {ancestors!r}")
        ancestors = "'none'"
    proxies = text("POLICYBOT_WEB_TRUSTED_PROXIES") or "127.0.0.1"
    if not re.fullmatch(r"\*|[0-9A-Fa-f.:/]+(\s*,\s*[0-9A-Fa-f.:/]+)*", proxies):
        problems.append("POLICYBOT_WEB_TRUSTED_PROXIES must be addresses separated by commas (or *), "
                        f"got {proxies!r}")
        proxies = "127.0.0.1"
    return Settings(
        token=text("TELEGRAM_BOT_TOKEN"),
        api_base_url=base_url,
        db_path=Path(db).expanduser() if db else default_db_path(),
        webhook_url=webhook_url,
        webhook_listen=text("POLICYBOT_WEBHOOK_LISTEN") or "0.0.0.0",
        webhook_port=number("POLICYBOT_WEBHOOK_PORT", 8443, int, 1, 65535),
        webhook_secret=text("POLICYBOT_WEBHOOK_SECRET"),
        log_level=log_level,
        send_rate=send_rate,
        helpdesk_chat=helpdesk_chat,
        admins=frozenset(admins),
        retention_days=number("POLICYBOT_RETENTION_DAYS", 180, int, 1, 36500),
        export_key=text("POLICYBOT_EXPORT_KEY"),
        conflict_seconds=number("POLICYBOT_CONFLICT_SECONDS", 60.0, float, 1, 86400),
        web_listen=web_listen,
        web_port=number("POLICYBOT_WEB_PORT", 8080, int, 1, 65535),
        web_root_path=root_path,
        web_frame_ancestors=ancestors,
        web_trusted_proxies=proxies,
        web_session_rate=number("POLICYBOT_WEB_SESSION_RATE", 60, int, 1, 10000000),
        web_address_rate=number("POLICYBOT_WEB_ADDRESS_RATE", 1200, int, 1, 10000000),
        problems=tuple(problems),
    )


def redact(text: str, *secrets: str | None) -> str:
    """``text`` with every secret (and anything shaped like a bot token in a URL) masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<token>")
    return re.sub(r"/bot[0-9]{1,20}:[A-Za-z0-9_-]+", "/bot<token>", text)
