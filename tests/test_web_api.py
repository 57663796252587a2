"""The web channel's routes and JSON API (Starlette's test client; the help-desk relay through the
fake Bot API): answers with their citation, the whole interview to the estimate, resuming after a
restart, 联系人工 there and back, every kind of bad input, and the safety headers."""
from __future__ import annotations

import dataclasses
import json
import re
import sqlite3
import warnings
from decimal import Decimal

import httpx
import pytest

warnings.filterwarnings("ignore", message="Using `httpx`")
from starlette.testclient import TestClient  # noqa: E402

import dialogs  # noqa: E402
from dialogs.dates import resolve  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.web.app import COOKIE, MAX_BODY, create_app  # noqa: E402
from bot.web.sessions import WEB_ID_BASE  # noqa: E402

BASE = "http://testserver"
SAME_ORIGIN = {"Origin": BASE}


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(db_path=tmp_path / "web.sqlite3")


def client_for(settings: Settings, relay=None) -> TestClient:
    store = Store.open(settings.db_path)
    return TestClient(create_app(settings, store, relay), base_url=BASE)


@pytest.fixture
def client(settings) -> TestClient:
    return client_for(settings)


def start(client: TestClient, lang: str | None = None) -> str:
    """Open a session; the CSRF token."""
    response = client.post("/api/session", headers=SAME_ORIGIN, json={"lang": lang} if lang else {})
    assert response.status_code == 200, response.text
    return response.json()["csrf"]


def say(client: TestClient, csrf: str, text: str) -> list[dict]:
    response = client.post("/api/message", headers={**SAME_ORIGIN, "X-CSRF-Token": csrf}, json={"text": text})
    assert response.status_code == 200, response.text
    return response.json()["replies"]


def press(client: TestClient, csrf: str, action: str) -> list[dict]:
    response = client.post("/api/press", headers={**SAME_ORIGIN, "X-CSRF-Token": csrf}, json={"action": action})
    assert response.status_code == 200, response.text
    return response.json()["replies"]


def actions(reply: dict) -> list[str]:
    return [b["action"] for b in reply["buttons"]]


def rows(settings: Settings, sql: str, args=()) -> list[tuple]:
    db = sqlite3.connect(settings.db_path)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def wan(yuan: int) -> str:
    """Yuan as the Chinese estimate writes them: 万元, without trailing zeros."""
    value = (Decimal(yuan) / 10000).normalize()
    return f"{value:f}"


# -- answers ----------------------------------------------------------------------------------
def test_a_question_is_answered_with_its_citation_and_logged_as_a_web_question(client, settings):
    csrf = start(client)
    replies = say(client, csrf, "房租补贴怎么算")
    answer = replies[0]
    assert answer["kind"] == "answer" and answer["clauses"] == [5]
    assert "第五条" in answer["text"] and "90%" in answer["text"]
    assert "text:a05" in actions(answer)
    assert set(answer) == {"text", "kind", "buttons", "clauses", "entry", "progress", "estimate", "document", "expects"}
    [(chat_id, user_id, question, top, source)] = rows(
        settings, "SELECT chat_id, user_id, question, top_match, source FROM question_log")
    assert (question, top, source) == ("房租补贴怎么算", "a05", "web")
    # Web ids live below any Telegram id (documented in bot/web/sessions.py).
    assert chat_id == user_id and chat_id <= WEB_ID_BASE


def test_a_new_session_gets_the_welcome_menu_and_a_cookie_that_scripts_cannot_read(client):
    response = client.post("/api/session", headers=SAME_ORIGIN, json={"lang": "zh"})
    data = response.json()
    assert data["transcript"] == [] and data["lang"] == "zh" and len(data["csrf"]) >= 32
    menu = data["replies"][0]
    assert "check" in actions(menu) and "list" in actions(menu)
    # Without a help desk nobody would answer: no 联系人工 button.
    assert "human" not in actions(menu) and data["handoff"] is False
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    # The same browser gets the same session back.
    again = client.post("/api/session", headers=SAME_ORIGIN).json()
    assert again["csrf"] == data["csrf"] and again["replies"] == []
    assert [item["from"] for item in again["transcript"]] == ["bot"]
    assert again["last_event"] == again["transcript"][-1]["id"]


def test_the_cookie_is_secure_over_https():
    with TestClient(create_app(Settings(), Store.open(":memory:")), base_url="https://bot.example.org") as client:
        response = client.post("/api/session", headers={"Origin": "https://bot.example.org"})
        assert response.status_code == 200
        assert "secure" in response.headers["set-cookie"].lower()


def test_english_session_and_english_question(client):
    csrf = start(client, "en")
    response = client.post("/api/message", headers={**SAME_ORIGIN, "X-CSRF-Token": csrf},
                           json={"text": "How is the rent subsidy calculated?"}).json()
    answer = response["replies"][0]
    assert answer["clauses"] == [5] and "Article 5" in answer["text"] and response["lang"] == "en"


def test_the_page_and_security_headers(client, settings):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    for response in (page, client.get("/healthz"), client.post("/api/message", json={"text": "x"})):
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
    framed = TestClient(create_app(dataclasses.replace(settings, web_frame_ancestors="'self' https://www.xq.gov.cn"),
                                   Store.open(":memory:")), base_url=BASE)
    assert framed.get("/").headers["content-security-policy"].endswith("frame-ancestors 'self' https://www.xq.gov.cn")


def test_healthz_names_the_policy_and_the_store(client):
    data = client.get("/healthz").json()
    assert data["ok"] is True and data["store_writable"] is True
    assert data["policy"]["valid_until"] == "2026-12-31" and len(data["policy"]["sha256"]) == 16


# -- the interview ----------------------------------------------------------------------------
TYPED = [("经济贡献", "500万"), ("第几年", "第一年"), ("缴纳的房租", "60万"), ("营业收入", "1.3亿")]


def next_answer(question: dict) -> tuple[str, str]:
    """("press"|"say", value) for an interview question: a scripted applicant."""
    offered = actions(question)
    for preferred in ("ans:role:institution", "ans:origin:new", "ans:ranking:none", "ans:events:none"):
        if preferred in offered:
            return ("say", "10万、30万") if preferred == "ans:events:none" else ("press", preferred)
    for action in offered:
        if action.endswith((":yes", ":0")):
            return "press", action
    for words, typed in TYPED:
        if words in question["text"]:
            return "say", typed
    raise AssertionError(f"no scripted answer for {question['text']!r} {offered}")


def run_interview(client: TestClient, csrf: str, stop_after: int | None = None) -> list[dict]:
    replies = press(client, csrf, "check")
    for step in range(40):
        last = replies[-1]
        if last["kind"] == "estimate" or (stop_after is not None and step == stop_after):
            return replies
        assert last["kind"] == "question", last
        how, value = next_answer(last)
        replies = press(client, csrf, value) if how == "press" else say(client, csrf, value)
    raise AssertionError("the interview did not end")


def test_a_full_interview_ends_in_the_estimate_of_rules_for_the_same_profile(client, settings):
    csrf = start(client)
    estimate = run_interview(client, csrf)[-1]
    [(state_json,)] = rows(settings, "SELECT state FROM web_sessions")
    profile = dialogs.profile_of(json.loads(state_json))
    assert profile["revenue"] == 130_000_000 and profile["rent_paid"] == 600_000 and profile["events"] == [100_000, 300_000]

    from rules import estimate as rules_estimate

    result = rules_estimate(profile, as_of=resolve().date(), lang="zh")
    text = estimate["text"]
    # The page draws the table from the estimate the rules computed; the text says the same total.
    assert estimate["estimate"]["total_min"] == result["total_min"]
    assert estimate["estimate"]["total_max"] == result["total_max"]
    total_line = next(line for line in text.splitlines() if line.startswith("合计"))
    assert wan(result["total_min"]) in total_line and f"{wan(result['total_max'])}万元" in total_line
    # The rent subsidy: first year, 90% of 600,000 yuan.
    assert "54万元" in text and "第五条" in text and 5 in estimate["clauses"]
    # The document the page offers is the same estimate, as a download.
    document = estimate["document"]
    assert document is not None and document["url"].startswith("/api/document/")
    download = client.get(document["url"])
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    if download.headers["content-type"].startswith("text/plain"):
        body = download.content.decode("utf-8")
        assert body.startswith("\ufeff") and f"合计：{wan(result['total_min'])}万元" in body
    else:
        assert download.headers["content-type"].endswith("wordprocessingml.document")
        assert download.content[:2] == b"PK"


def test_resume_after_a_restart_keeps_the_conversation_and_the_pending_question(settings):
    first = client_for(settings)
    csrf = start(first)
    say(first, csrf, "房租补贴怎么算")
    pending = run_interview(first, csrf, stop_after=3)[-1]
    assert pending["kind"] == "question"
    cookie = first.cookies.get(COOKIE)

    # A new app over the same SQLite file, the same browser cookie.
    second = client_for(settings)
    second.cookies.set(COOKIE, cookie)
    restored = second.post("/api/session", headers=SAME_ORIGIN).json()
    assert restored["csrf"] == csrf and restored["replies"] == []
    texts = [item["text"] for item in restored["transcript"]]
    assert "房租补贴怎么算" in texts and restored["transcript"][-1]["reply"]["text"] == pending["text"]
    assert [i["from"] for i in restored["transcript"]].count("user") == 5      # the question, check, 3 answers
    step = re.search(r"（(\d+)/", pending["text"]).group(1)
    how, value = next_answer(pending)
    replies = press(second, csrf, value) if how == "press" else say(second, csrf, value)
    assert replies[-1]["kind"] == "question"
    assert re.search(r"（(\d+)/", replies[-1]["text"]).group(1) == str(int(step) + 1)


def test_forget_deletes_the_session_its_log_and_its_questions_only(settings):
    mine, other = client_for(settings), client_for(settings)
    csrf, other_csrf = start(mine), start(other)
    say(mine, csrf, "房租补贴怎么算")
    say(other, other_csrf, "人才奖励给谁")
    response = mine.post("/api/forget", headers={**SAME_ORIGIN, "X-CSRF-Token": csrf})
    assert response.json() == {"ok": True}
    assert rows(settings, "SELECT question FROM question_log") == [("人才奖励给谁",)]
    assert rows(settings, "SELECT count(*) FROM web_sessions") == [(1,)]
    assert len(rows(settings, "SELECT id FROM web_log")) == len(
        other.post("/api/session", headers=SAME_ORIGIN).json()["transcript"])
    # The old cookie is gone; a new visit starts afresh.
    fresh = mine.post("/api/session", headers=SAME_ORIGIN).json()
    assert fresh["csrf"] != csrf and fresh["transcript"] == []


# -- bad input --------------------------------------------------------------------------------
def snapshot(settings: Settings) -> list[tuple]:
    return rows(settings, "SELECT id, state, csrf FROM web_sessions ORDER BY id") + rows(
        settings, "SELECT id, session_id, text FROM web_log ORDER BY id")


@pytest.mark.parametrize("body, status, words", [
    (b"", 400, "empty"),
    (json.dumps({"text": ""}).encode(), 400, "empty"),
    (json.dumps({"text": "   "}).encode(), 400, "empty"),
    (json.dumps({"text": 42}).encode(), 400, "empty"),
    (json.dumps({"text": "房" * 1001}, ensure_ascii=False).encode(), 400, "too long"),
    (json.dumps({"text": "a" * 100_000}).encode(), 413, "too large"),
    (b"{not json", 400, "JSON object"),
    (b"[1, 2]", 400, "JSON object"),
    (b"\xff\xfe\x00", 400, "JSON object"),
    (json.dumps({"text": "房租", "reply_to": "<script>"}).encode(), 400, "entry id"),
])
def test_bad_messages_get_a_clear_json_error_and_change_nothing(client, settings, body, status, words):
    csrf = start(client)
    before = snapshot(settings)
    response = client.post("/api/message", content=body,
                           headers={**SAME_ORIGIN, "X-CSRF-Token": csrf, "Content-Type": "application/json"})
    assert response.status_code == status
    assert words in response.json()["error"]
    assert snapshot(settings) == before


@pytest.mark.parametrize("action", ["", "x" * 61, "答案", "ans:\n", 7, None])
def test_malformed_actions_are_refused(client, settings, action):
    csrf = start(client)
    before = snapshot(settings)
    response = client.post("/api/press", headers={**SAME_ORIGIN, "X-CSRF-Token": csrf}, json={"action": action})
    assert response.status_code == 400 and "Unknown button" in response.json()["error"]
    assert snapshot(settings) == before


def test_an_unknown_but_well_formed_action_gets_a_polite_reply_and_the_interview_stays(client):
    csrf = start(client)
    question = press(client, csrf, "check")[-1]
    replies = press(client, csrf, "ans:nonsense:42")
    assert replies[0]["kind"] != "question" and replies[0]["text"]          # says the button is stale
    assert replies[-1]["kind"] == "question" and replies[-1]["text"] == question["text"]


def test_cross_site_and_tokenless_posts_change_nothing(client, settings):
    csrf = start(client)
    before = snapshot(settings)
    attempts = [
        ({"X-CSRF-Token": csrf}, "does not come from this site"),                        # no Origin
        ({"Origin": "https://evil.example", "X-CSRF-Token": csrf}, "does not come from this site"),
        ({"Origin": "null", "X-CSRF-Token": csrf}, "does not come from this site"),
        ({"Referer": "https://evil.example/page", "X-CSRF-Token": csrf}, "does not come from this site"),
        (SAME_ORIGIN, "X-CSRF-Token"),                                                      # no token
        ({**SAME_ORIGIN, "X-CSRF-Token": "forged"}, "X-CSRF-Token"),
    ]
    for headers, words in attempts:
        for path, body in (("/api/message", {"text": "房租补贴怎么算"}), ("/api/press", {"action": "check"}),
                           ("/api/forget", {})):
            response = client.post(path, headers=headers, json=body)
            assert response.status_code == 403 and words in response.json()["error"], (path, headers)
    assert snapshot(settings) == before
    # A Referer from the page itself is accepted when a browser sends no Origin.
    assert client.post("/api/message", headers={"Referer": f"{BASE}/", "X-CSRF-Token": csrf},
                       json={"text": "房租补贴怎么算"}).status_code == 200


def test_a_forged_session_id_gets_an_error_and_other_sessions_are_untouched(client, settings):
    csrf = start(client)
    say(client, csrf, "房租补贴怎么算")
    before = snapshot(settings)
    intruder = TestClient(client.app, base_url=BASE)
    for forged in ("x" * 43, "../../etc/passwd", "'; DROP TABLE web_sessions; --", ""):
        intruder.cookies.set(COOKIE, forged)
        response = intruder.post("/api/message", headers={**SAME_ORIGIN, "X-CSRF-Token": csrf},
                                 json={"text": "hi"})
        assert response.status_code == 403 and "No session" in response.json()["error"]
        assert intruder.get("/api/events?after=0").status_code == 403
    assert snapshot(settings) == before
    # /api/session with a forged cookie makes a new session instead.
    intruder.cookies.set(COOKIE, "y" * 43)
    fresh = intruder.post("/api/session", headers=SAME_ORIGIN).json()
    assert fresh["csrf"] != csrf and fresh["transcript"] == []


def test_other_bad_requests_are_json_errors_not_pages(client):
    csrf = start(client)
    assert client.get("/api/events?after=-1").status_code == 400
    assert client.get("/api/events?after=abc").status_code == 400
    assert client.get("/api/document/nothing.docx").status_code == 404
    missing = client.get("/api/nothing")
    assert missing.status_code == 404 and "Not found" in missing.json()["error"]
    wrong_method = client.get("/api/message")
    assert wrong_method.status_code == 405 and "error" in wrong_method.json()
    assert client.post("/api/session", headers=SAME_ORIGIN, json={"lang": "fr"}).status_code == 400
    lied = client.post("/api/message", content=b"{}", headers={
        **SAME_ORIGIN, "X-CSRF-Token": csrf, "Content-Length": str(MAX_BODY + 1), "Content-Type": "application/json"})
    assert lied.status_code == 413


def test_rate_limits_answer_429_with_a_readable_message(settings):
    client = client_for(dataclasses.replace(settings, web_session_rate=5))
    csrf = start(client)
    statuses = [client.post("/api/press", headers={**SAME_ORIGIN, "X-CSRF-Token": csrf},
                            json={"action": "help"}).status_code for _ in range(8)]
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429] * 3
    limited = client.post("/api/press", headers={**SAME_ORIGIN, "X-CSRF-Token": csrf}, json={"action": "help"})
    assert "wait" in limited.json()["error"] and int(limited.headers["retry-after"]) >= 1
    # Another session from another address is not slowed down.
    other = client_for(dataclasses.replace(settings, web_session_rate=5))
    assert say(other, start(other), "房租补贴怎么算")


def test_per_address_limit(settings):
    client = client_for(dataclasses.replace(settings, web_address_rate=20))
    csrf = start(client)
    statuses = [client.post("/api/message", headers={**SAME_ORIGIN, "X-CSRF-Token": csrf},
                            json={"text": "房租补贴"}).status_code for _ in range(25)]
    assert 429 in statuses and statuses.count(200) <= 20


def test_the_root_path_prefixes_cookie_and_document_links(settings):
    # Behind a proxy that serves the app under /policybot (uvicorn's root_path).
    prefixed = dataclasses.replace(settings, web_root_path="/policybot")
    client = TestClient(create_app(prefixed, Store.open(prefixed.db_path)), base_url=BASE, root_path="/policybot")
    response = client.post("/policybot/api/session", headers=SAME_ORIGIN)
    assert "path=/policybot/" in response.headers["set-cookie"].lower()
    headers = {**SAME_ORIGIN, "X-CSRF-Token": response.json()["csrf"]}
    replies = client.post("/policybot/api/message", headers=headers, json={"text": "房租补贴怎么算"}).json()["replies"]
    assert replies[0]["clauses"] == [5]
    assert client.get("/policybot/").status_code == 200


# -- 联系人工 through the Telegram help desk (fake Bot API) --------------------------------------
HELPDESK, STAFFER = -100900, 7002


async def test_contact_staff_posts_to_the_help_desk_and_the_reply_reaches_the_page_after_a_restart(
        fake_api, bot_settings):
    from bot.serve import TelegramRelay
    from bot.telegram.app import build_application, start_embedded, stop_embedded

    settings = dataclasses.replace(bot_settings, helpdesk_chat=HELPDESK)
    fake_api.chat(HELPDESK, "supergroup")
    store = Store.open(settings.db_path)
    application = build_application(settings, store)
    await start_embedded(application)
    try:
        app = create_app(settings, store, TelegramRelay(settings, store, application))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=BASE) as web:
            session = (await web.post("/api/session", headers=SAME_ORIGIN)).json()
            assert session["handoff"] is True and "human" in actions(session["replies"][0])
            headers = {**SAME_ORIGIN, "X-CSRF-Token": session["csrf"]}
            await web.post("/api/message", headers=headers, json={"text": "房租补贴怎么算"})
            told = (await web.post("/api/press", headers=headers, json={"action": "human"})).json()["replies"]
            assert "已将您的问题转给区人社局的工作人员" in told[0]["text"]
            posted = await fake_api.next_message(HELPDESK, after=0)
            assert "网页" in posted.text and "房租补贴怎么算" in posted.text and session["csrf"] not in posted.text
            cookie = web.cookies.get(COOKIE)
            assert session["csrf"] not in posted.text and cookie not in posted.text
            assert (await web.get("/api/events?after=0")).json() == {"events": []}
    finally:
        await stop_embedded(application)

    # A restart: a new Application and app over the same file; the staff member replies then.
    store = Store.open(settings.db_path)
    application = build_application(settings, store)
    await start_embedded(application)
    try:
        fake_api.send_text(HELPDESK, "您好，第一年按实际租金的90%补贴，请准备租赁合同。", user_id=STAFFER,
                           chat_type="supergroup", reply_to=posted)
        await fake_api.wait_for(lambda: [m for m in fake_api.messages(HELPDESK) if "已送达" in m.text],
                                what="delivery confirmation")
        app = create_app(settings, store, TelegramRelay(settings, store, application))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=BASE,
                                     cookies={COOKIE: cookie}) as web:
            events = (await web.get("/api/events?after=0")).json()["events"]
            assert [(e["from"], e["text"]) for e in events] == [("staff", "您好，第一年按实际租金的90%补贴，请准备租赁合同。")]
            assert (await web.get(f"/api/events?after={events[0]['id']}")).json() == {"events": []}
            transcript = (await web.post("/api/session", headers=SAME_ORIGIN)).json()["transcript"]
            assert transcript[-1]["from"] == "staff" and "租赁合同" in transcript[-1]["text"]
            # Forgetting the session withdraws the hand-off post and deletes its rows.
            csrf = (await web.post("/api/session", headers=SAME_ORIGIN)).json()["csrf"]
            await web.post("/api/forget", headers={**SAME_ORIGIN, "X-CSRF-Token": csrf})
            await fake_api.wait_for(lambda: fake_api.methods("deleteMessage"), what="deleteMessage")
    finally:
        await stop_embedded(application)
    assert rows(settings, "SELECT count(*) FROM handoffs") == [(0,)]
    assert rows(settings, "SELECT count(*) FROM web_log") == [(0,)]


async def test_without_the_bot_running_there_is_no_contact_button(fake_api, bot_settings):
    from bot.serve import TelegramRelay
    from bot.telegram.app import build_application

    settings = dataclasses.replace(bot_settings, helpdesk_chat=HELPDESK)
    store = Store.open(settings.db_path)
    app = create_app(settings, store, TelegramRelay(settings, store, build_application(settings, store)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=BASE) as web:
        session = (await web.post("/api/session", headers=SAME_ORIGIN)).json()
        assert session["handoff"] is False and "human" not in actions(session["replies"][0])
        headers = {**SAME_ORIGIN, "X-CSRF-Token": session["csrf"]}
        told = (await web.post("/api/press", headers=headers, json={"action": "human"})).json()["replies"]
        assert "区人社局" in told[0]["text"] and not fake_api.messages(HELPDESK)


# -- policybot serve and its settings -----------------------------------------------------------
def test_web_settings_are_read_and_bad_values_reported_in_one_line():
    from bot.config import load_settings

    good = load_settings({"POLICYBOT_WEB_LISTEN": "0.0.0.0", "POLICYBOT_WEB_PORT": "8000",
                          "POLICYBOT_WEB_ROOT_PATH": "/policybot/", "POLICYBOT_WEB_FRAME_ANCESTORS": "'self'"},
                         dotenv=False)
    assert (good.web_listen, good.web_port, good.web_root_path, good.web_frame_ancestors) == (
        "0.0.0.0", 8000, "/policybot", "'self'") and not good.problems
    bad = load_settings({"POLICYBOT_WEB_PORT": "80000", "POLICYBOT_WEB_ROOT_PATH": "policybot",
                         "POLICYBOT_WEB_FRAME_ANCESTORS": "'self'; script-src *", "POLICYBOT_WEB_LISTEN": "a b"},
                        dotenv=False)
    assert len(bad.problems) == 4 and all("\n" not in p for p in bad.problems)
    assert (bad.web_port, bad.web_root_path, bad.web_frame_ancestors, bad.web_listen) == (
        8080, "", "'none'", "127.0.0.1")


def run_serve_process(tmp_path, *extra: str, **env_extra: str):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "POLICYBOT_"))}
    env.update(POLICYBOT_DB=str(tmp_path / "serve.sqlite3"), PYTHONPATH=str(root), **env_extra)
    return subprocess.Popen([sys.executable, "-m", "bot", "serve", *extra], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_policybot_serve_answers_and_stops_cleanly_on_sigterm(tmp_path):
    import socket
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = run_serve_process(tmp_path, "--port", str(port))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
                time.sleep(0.2)
        assert health.json()["store_writable"] is True
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Origin": f"http://127.0.0.1:{port}"}) as web:
            csrf = web.post("/api/session").json()["csrf"]
            answer = web.post("/api/message", headers={"X-CSRF-Token": csrf}, json={"text": "房租补贴怎么算"})
            assert answer.json()["replies"][0]["clauses"] == [5]
            assert "secure" not in web.post("/api/session").headers.get("set-cookie", "x").lower()
        # Behind a proxy on this host (trusted by default) that terminates HTTPS: a Secure cookie.
        proxied = httpx.post(f"http://127.0.0.1:{port}/api/session", headers={
            "X-Forwarded-Proto": "https", "Origin": f"https://127.0.0.1:{port}"})
        assert proxied.status_code == 200 and "; secure" in proxied.headers["set-cookie"].lower()
        # A second server on the same port: one line, status 1.
        busy = run_serve_process(tmp_path, "--port", str(port))
        out, err = busy.communicate(timeout=60)
        assert busy.returncode == 1 and err.strip().count("\n") == 0 and f"cannot listen on 127.0.0.1:{port}" in err
    finally:
        process.terminate()
        assert process.wait(30) == 0


def test_policybot_serve_refuses_a_bad_setting_in_one_line(tmp_path):
    process = run_serve_process(tmp_path, POLICYBOT_WEB_ROOT_PATH="no slash")
    out, err = process.communicate(timeout=60)
    assert process.returncode == 2 and err.strip() == (
        "policybot: POLICYBOT_WEB_ROOT_PATH must be a path like /policybot, got 'no slash'")


def test_the_estimate_document_is_made_when_downloaded_and_served_as_docx(client, monkeypatch, settings):
    # The engine's reply carries the document's recipe; the session keeps that, not the file.
    import bot.web.app as web_app
    from dialogs.document import EstimateDocument, docx_text
    from rules import estimate as rules_estimate

    profile = {"role": "institution", "revenue": 130_000_000, "rent_paid": 600_000, "park_year": 1}
    result = rules_estimate(profile, as_of="2026-11-30")
    made = []

    class Counted(EstimateDocument):
        async def build_off_loop(self) -> bytes:      # the file is made in a worker process
            made.append(self.filename)
            return await super().build_off_loop()

    def press_with_document(state, action, **kwargs):
        return state, [dialogs.Reply("测算完成", kind="estimate", estimate=result,
                                     document=Counted.of(result, "zh", profile))]

    csrf = start(client)
    monkeypatch.setattr(web_app.dialogs, "press", press_with_document)
    monkeypatch.setattr(web_app, "EstimateDocument", Counted)
    reply = press(client, csrf, "ctl:finish")[0]
    assert reply["document"]["filename"].endswith(".docx") and made == []     # not made in the step
    [(kept,)] = rows(settings, "SELECT length(document) FROM web_sessions")
    assert kept < 2000                                                         # a recipe, not a file
    download = client.get(reply["document"]["url"])
    assert made == [reply["document"]["filename"]] and download.content[:2] == b"PK"
    assert download.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert "filename*=UTF-8''%E8%B5%84" in download.headers["content-disposition"]
    assert wan(result["total_max"]) in docx_text(download.content)


def test_a_document_worker_that_dies_costs_one_download_and_the_next_one_works(client, monkeypatch):
    import dialogs.document as document
    from rules import estimate as rules_estimate

    profile = {"role": "institution", "revenue": 130_000_000, "rent_paid": 600_000, "park_year": 1}
    result = rules_estimate(profile, as_of="2026-11-30")
    monkeypatch.setattr(dialogs, "press", lambda state, action, **kwargs: (state, [dialogs.Reply(
        "测算完成", kind="estimate", estimate=result, document=document.EstimateDocument.of(result, "zh", profile))]))
    csrf = start(client)
    url = press(client, csrf, "ctl:finish")[0]["document"]["url"]
    monkeypatch.setattr(document, "_TEST_FAULT", "die")   # the worker dies making it (as if killed, out of memory)
    failed = client.get(url)
    assert failed.status_code == 500 and failed.json() == {
        "error": "暂时无法生成测算文档，请稍后再试。 The estimate document cannot be made just now; please try again shortly."}
    monkeypatch.undo()
    again = client.get(url)
    assert again.status_code == 200 and again.content[:2] == b"PK"
    assert wan(result["total_max"]) in document.docx_text(again.content)


def test_the_daily_purge_removes_idle_web_sessions_and_old_log_rows(client, settings):
    csrf = start(client)
    say(client, csrf, "房租补贴怎么算")
    db = sqlite3.connect(settings.db_path)
    db.execute("UPDATE web_sessions SET updated = '2020-01-01T00:00:00+00:00'")
    db.execute("UPDATE web_log SET time = '2020-01-01T00:00:00+00:00'")
    db.commit()
    db.close()
    counts = Store.open(settings.db_path).purge("2021-01-01T00:00:00+00:00")
    assert counts["web_sessions"] == 1 and counts["web_log"] >= 2
    assert client.post("/api/message", headers={**SAME_ORIGIN, "X-CSRF-Token": csrf},
                       json={"text": "房租"}).status_code == 403


def test_serve_with_a_token_telegram_refuses_exits_2_in_one_line(fake_api, tmp_path):
    process = run_serve_process(tmp_path, "--port", "0", TELEGRAM_BOT_TOKEN="999:REFUSED",
                                TELEGRAM_API_BASE_URL=fake_api.base_url)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert err.strip().splitlines()[-1] == "policybot: Telegram refused TELEGRAM_BOT_TOKEN; check it with @BotFather"
    assert "REFUSED" not in err


def test_serve_keeps_the_web_up_while_the_bot_api_cannot_be_reached(tmp_path):
    # From mainland China the Bot API may be unreachable: the web channel must not depend on it.
    import socket
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = run_serve_process(tmp_path, "--port", str(port), TELEGRAM_BOT_TOKEN="123:UNREACHABLE",
                                TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot", POLICYBOT_HELPDESK_CHAT="-100900")
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
                time.sleep(0.2)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Origin": f"http://127.0.0.1:{port}"}) as web:
            session = web.post("/api/session").json()
            # The help desk is configured but unreachable: no 联系人工 that nobody would read.
            assert session["handoff"] is False and "human" not in actions(session["replies"][0])
            answer = web.post("/api/message", headers={"X-CSRF-Token": session["csrf"]}, json={"text": "房租补贴怎么算"})
            assert answer.json()["replies"][0]["clauses"] == [5]
    finally:
        process.terminate()
        assert process.wait(30) == 0
    err = process.stderr.read()
    assert "cannot reach the Telegram Bot API" in err and "UNREACHABLE" not in err
