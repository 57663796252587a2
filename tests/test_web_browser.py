"""The web page as a person uses it: Debian's headless Chromium, driven by Selenium through the
system chromedriver, on `python -m bot serve` at 127.0.0.1 with a fresh SQLite file.

Without chromium, chromedriver or selenium these tests are skipped with the reason; the static
checks at the top (page size, no inline code, no other host) run everywhere.
"""
from __future__ import annotations

import base64
import dataclasses
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest

from dialogs import interview as iv
from dialogs.dates import resolve
from dialogs.reply import Reply
from dialogs.texts import b

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "bot" / "web" / "static"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PHONE = (360, 780)
CLAUSE = re.compile(r"第[一二三四五六七八九十]+条")


def as_of():
    """The date the page and the rules read the policy for (tests/conftest.py pins POLICYBOT_AS_OF)."""
    return resolve().date()


# ---- the page's files, without a browser ------------------------------------------------------------

def test_first_load_is_small_and_has_no_inline_code_or_other_host():
    html = (STATIC / "index.html").read_text("utf-8")
    linked = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sorted(linked) == ["data:,", "static/app.css", "static/app.js"], linked   # data:, = no favicon request
    size = sum((STATIC / name).stat().st_size for name in ("index.html", "app.css", "app.js"))
    assert size <= 60 * 1024, f"first load is {size} bytes"
    # CSP without 'unsafe-inline': no inline script, no style attribute or element, no handlers.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html, re.I)
    css = (STATIC / "app.css").read_text("utf-8")
    js = (STATIC / "app.js").read_text("utf-8")
    assert "url(" not in css and "@import" not in css
    # The only absolute URL in the script is the SVG namespace, which is a name, not a request.
    assert set(re.findall(r"https?://[^'\"\s]+", js)) <= {"http://www.w3.org/2000/svg"}
    assert not re.search(r"\.(inner|outer)HTML\b|insertAdjacentHTML|document\.write|\beval\(", js)


# ---- the browser and the server ----------------------------------------------------------------------

def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: apt-get install chromium chromium-driver fonts-wqy-microhei"
    if not CHROMEDRIVER.exists():
        return f"{CHROMEDRIVER} is missing: apt-get install chromium-driver"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: pip install -e '.[test]'"
    return None


def _skip_without_browser():
    reason = _missing()
    if reason:
        print(f"\nSKIPPED browser tests: {reason}", file=sys.stderr)
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclasses.dataclass
class Served:
    url: str
    db: Path


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`python -m bot serve` on a free loopback port, its own database, no Telegram token."""
    _skip_without_browser()
    home = tmp_path_factory.mktemp("web")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POLICYBOT_", "TELEGRAM_"))}
    env.update(POLICYBOT_DB=str(home / "bot.sqlite3"), POLICYBOT_WEB_LISTEN="127.0.0.1",
               POLICYBOT_WEB_PORT=str(port), POLICYBOT_AS_OF=as_of().isoformat(),
               TELEGRAM_BOT_TOKEN="", PYTHONPATH=str(ROOT))
    log = open(home / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "healthz", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.close()
            pytest.fail("policybot serve did not start:\n" + (home / "serve.log").read_text("utf-8", "replace"))
        time.sleep(0.3)
    yield Served(url, home / "bot.sqlite3")
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture
def browser(server, tmp_path, monkeypatch):
    """A fresh headless Chromium (its own profile) at phone width, on the served page."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}",
                 f"--window-size={PHONE[0]},{PHONE[1]}", "--lang=zh-CN"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})   # a phone in China
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    monkeypatch.setenv("SE_OFFLINE", "true")   # never let Selenium fetch a driver or a browser
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_window_size(*PHONE)
    driver.get(server.url)
    page = Page(driver, tmp_path)
    page.wait_ready()
    yield page
    problems = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"
                or "Content Security Policy" in e["message"]]
    driver.quit()
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)   # keep the screenshots, not the profile
    assert not problems, problems


class Page:
    """What a person sees and does: bubbles, buttons, the input bar."""

    def __init__(self, driver, folder: Path):
        self.d = driver
        self.folder = folder

    def js(self, script, *args):
        return self.d.execute_script(script, *args)

    def wait(self, condition, what: str, timeout: float = 20):
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.d, timeout, poll_frequency=0.1).until(lambda d: condition(), message=what)

    def count(self) -> int:
        return self.js("return document.querySelectorAll('#log .msg').length")

    def wait_ready(self, before: int = 0):
        self.wait(lambda: self.js("return document.getElementById('log').getAttribute('aria-busy') === 'false'")
                  and self.count() > before and self.bots(), "the page to show the replies")

    def bots(self) -> list[str]:
        return self.js("return Array.from(document.querySelectorAll('#log .msg.bot')).map(e => e.innerText)")

    def last_bot(self):
        return self.d.execute_script("const b = document.querySelectorAll('#log .msg.bot'); return b[b.length - 1]")

    def type(self, text: str):
        from selenium.webdriver.common.keys import Keys

        before = self.count()
        box = self.d.find_element("id", "text")
        box.clear()
        box.send_keys(text)
        box.send_keys(Keys.ENTER)        # Enter sends
        self.wait_ready(before)

    def press(self, label: str):
        """Press the button of that label in the latest bot message that has it."""
        before = self.count()
        button = self.js("""
            const boxes = Array.from(document.querySelectorAll('#log .msg.bot')).reverse();
            for (const box of boxes) for (const b of box.querySelectorAll('button'))
              if (b.textContent === arguments[0]) return b;
            return null""", label)
        assert button is not None, f"no button {label!r} in {self.bots()[-1]!r}"
        self.js("arguments[0].scrollIntoView({block: 'center'})", button)   # as a person scrolls to it
        button.click()
        self.wait_ready(before)

    def labels(self) -> list[str]:
        return self.js("return Array.from(arguments[0].querySelectorAll('button')).map(b => b.textContent)",
                       self.last_bot())

    def fits(self, width: int = PHONE[0]):
        """Nothing is wider than the screen, the estimate table included."""
        wide = self.js("return document.scrollingElement.scrollWidth")
        assert wide <= width, f"page is {wide}px wide at {width}px"
        tables = self.js("return Array.from(document.querySelectorAll('.table-wrap')).map(t => [t.scrollWidth, t.clientWidth])")
        assert all(s <= c for s, c in tables), tables

    def shot(self, name: str) -> Path:
        """A full-page screenshot (PNG) in the test's temp folder."""
        metrics = self.d.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics["cssContentSize"]
        data = self.d.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
        path = self.folder / name
        path.write_bytes(base64.b64decode(data["data"]))
        self.d.save_screenshot(str(path.with_name(path.stem + "-screen.png")))   # what the screen shows
        return path


# ---- the tests ---------------------------------------------------------------------------------------

def test_question_is_answered_with_its_article_and_the_original_text_opens(browser):
    page = browser
    assert page.js("return document.documentElement.lang") == "zh-CN"
    assert b("check_estimate", "zh") in page.labels()            # the menu from the welcome
    page.type("房租补贴怎么算")
    answer = page.bots()[-1]
    assert CLAUSE.search(answer), answer
    assert "房租" in answer
    assert page.js("return Array.from(document.querySelectorAll('#log .msg.user')).pop().innerText").endswith("房租补贴怎么算")
    page.press(b("text", "zh"))                                    # 查看原文: article 5, word for word
    from knowledge.base import POLICY_FILE

    shown = page.js("return arguments[0].querySelector('.text').textContent", page.last_bot())
    assert "房租补贴" in shown and shown.strip() in POLICY_FILE.read_text("utf-8")
    page.fits()
    page.shot("answer-360.png")


def test_a_greeting_gets_what_to_ask_and_the_menu_and_thanks_a_kind_word(browser):
    page = browser
    page.type("你好")
    greeting = page.bots()[-1]
    assert "房租补贴怎么算" in greeting and "没有找到" not in greeting
    assert b("check_estimate", "zh") in page.labels()            # the menu again, under the welcome
    page.type("谢谢！")
    assert "不客气" in page.bots()[-1]
    page.fits()
    page.shot("small-talk-360.png")


def test_markup_typed_by_the_user_is_shown_as_text(browser):
    from selenium.common.exceptions import NoAlertPresentException

    page = browser
    page.type('<img src=x onerror="document.title=\'pwned\'"><b>粗体</b>')
    assert page.js("return document.querySelectorAll('#log img, #log b').length") == 0
    assert "<img src=x" in page.js("return Array.from(document.querySelectorAll('#log .msg.user')).pop().textContent")
    assert page.js("return document.title") != "pwned"
    with pytest.raises(NoAlertPresentException):
        page.d.switch_to.alert.text


# The applicant of the interview below: how each question is answered, by typing or by a button.
STORY = {
    "role": ("press", "入驻的人力资源服务机构"),
    "registered_in_park": ("press", "是"),
    "legal_person": ("type", "是的"),
    "independent_accounting": ("press", "是"),
    "sound_finance": ("press", "是"),
    "origin": ("press", "区外新引进或新注册"),
    "revenue": ("type", "3.2亿"),
    "contribution": ("type", "300万"),
    "park_year": ("type", "第二年"),
    "rent_paid": ("type", "120万"),
    "ranking": ("press", "都不是"),
    "competition_city_award": ("press", "没有"),
    "ipo_city_subsidy": ("type", "没有"),
    "events": ("type", "50万、30万"),
    "facility_fees": ("type", "6万"),
    "manager_contributions": ("type", "20万、15万"),
    "brand_selected": ("press", "否"),
}
PROFILE = {"role": "institution", "registered_in_park": True, "legal_person": True, "independent_accounting": True,
           "sound_finance": True, "origin": "new", "revenue": 320_000_000, "contribution": 3_000_000, "park_year": 2,
           "rent_paid": 1_200_000, "ranking": None, "competition_city_award": 0, "ipo_city_subsidy": 0,
           "events": [500_000, 300_000], "facility_fees": 60_000, "manager_contributions": [200_000, 150_000],
           "brand_selected": False}


def _pending_key(page) -> str:
    """Which interview question the latest message asks (by its prompt, as a reader tells)."""
    text = page.bots()[-1]
    found = [k for k, q in iv.by_key().items() if q.text("zh") in text]
    assert len(found) == 1, f"not one interview question in {text!r}: {found}"
    return found[0]


def _wan(text: str) -> list[int]:
    return [int(Decimal(n) * 10000) for n in re.findall(r"(\d+(?:\.\d+)?)万元", text)]


def test_whole_interview_by_clicking_and_typing_with_a_reload_in_the_middle(browser, tmp_path):
    from rules import estimate

    page = browser
    page.press(b("check_estimate", "zh"))
    answered: list[str] = []
    reloaded = False
    for _ in range(len(STORY) + 3):
        if page.js("return !!document.querySelector('#log .estimate')") or "合计" in page.bots()[-1]:
            break
        key = _pending_key(page)
        assert key not in answered, f"{key} asked twice"
        how, value = STORY[key]
        progress = page.js("const p = arguments[0].querySelector('progress'); return p && [p.value, p.max]",
                           page.last_bot())
        assert progress and 1 <= progress[0] <= progress[1], progress
        if key == "revenue":
            page.fits()
            page.shot("interview-360.png")
        if len(answered) == 5 and not reloaded:
            # Reload in the middle: the conversation and the pending question come back.
            shown = page.bots()
            page.d.refresh()
            page.wait_ready()
            assert page.bots()[-len(shown):] == shown
            assert _pending_key(page) == key
            reloaded = True
        if how == "press":
            page.press(value)
        else:
            page.type(value)
        answered.append(key)
    assert reloaded
    assert set(answered) == set(STORY), set(STORY) - set(answered)

    expected = estimate(dict(PROFILE), as_of=as_of(), lang="zh")
    bounds = sorted({expected["total_min"], expected["total_max"]})
    engine_has_estimate = "estimate" in {f.name for f in dataclasses.fields(Reply)}
    if engine_has_estimate:
        total = page.js("return document.querySelector('#log .estimate tfoot tr.total').innerText")
        assert _wan(total) == bounds, total
        rows = page.js("return Array.from(document.querySelectorAll('#log .estimate tbody tr.line')).length")
        assert rows == len(expected["lines"])
        money = {ln["clause"] for ln in expected["lines"] if ln["kind"] != "service" and ln["max"] > 0}
        bars = page.js("return Array.from(document.querySelectorAll('#log .chart text.label')).map(t => t.textContent)")
        assert len(bars) == len(money), bars
        assert "第十一条" in bars and "第五条" in bars
    else:
        total_line = next(ln for ln in page.bots()[-1].splitlines() if ln.startswith("合计"))
        assert _wan(total_line) == bounds, total_line
    link = page.js("const a = document.querySelector('#log a.download'); return a && a.href")
    if link:
        status = page.d.execute_async_script(
            "fetch(arguments[0], {credentials: 'same-origin'}).then(r => arguments[1](r.status), () => arguments[1](0))",
            link)
        assert status == 200
    page.fits()
    page.shot("estimate-360.png")
    page.d.set_window_size(1024, 800)
    page.fits(1024)
    page.shot("estimate-1024.png")

    # Printed on A4: no input bar, no buttons.
    page.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    hidden = page.js("return ['#bar', '.tools', '#log .buttons'].map(s => getComputedStyle(document.querySelector(s)).display)")
    page.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert hidden == ["none", "none", "none"], hidden
    pdf = base64.b64decode(page.d.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})["data"])
    (tmp_path / "estimate.pdf").write_bytes(pdf)
    boxes = {tuple(float(n) for n in m) for m in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)}
    assert boxes and all(abs(w - 595.3) < 1 and abs(h - 841.9) < 1 for w, h in boxes), boxes   # A4 in points


def test_english_switch_changes_replies_and_the_page_words(browser):
    page = browser
    page.js("document.getElementById('lang').click()")
    page.wait(lambda: page.js("return document.documentElement.lang") == "en", "the page to turn English")
    assert page.d.find_element("id", "text").get_attribute("placeholder").isascii()
    assert page.d.find_element("id", "lang").text == "中文"
    page.type("How is the rent subsidy calculated?")
    answer = page.bots()[-1]
    assert "Article 5" in answer, answer
    page.fits()
    page.shot("english-360.png")


def test_keyboard_alone_runs_the_interview_with_visible_focus(browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    page = browser
    # Every control has a name a screen reader reads, and the conversation is announced.
    assert page.js("return document.getElementById('log').getAttribute('aria-live')") == "polite"
    assert page.js("return document.querySelector('label[for=text]').textContent.trim().length") > 0
    page.d.find_element("id", "text").send_keys("资格自测", Keys.ENTER)
    page.wait(lambda: page.js("return (document.activeElement.dataset.action || '').startsWith('ans:role:')"),
              "the focus on the first choice")
    active = page.d.switch_to.active_element
    outline = page.js("const s = getComputedStyle(arguments[0]); return [s.outlineStyle, s.outlineWidth]", active)
    assert outline[0] != "none" and outline[1] != "0px", outline
    before = page.count()
    ActionChains(page.d).send_keys(Keys.ENTER).perform()          # 入驻的人力资源服务机构
    page.wait_ready(before)
    assert _pending_key(page) == "registered_in_park"
    page.wait(lambda: page.js("return document.activeElement.dataset.action") == "ans:registered_in_park:yes",
              "the focus on 是")
    before = page.count()
    ActionChains(page.d).send_keys(Keys.TAB, Keys.ENTER).perform()   # 否: article 16 stops the check
    page.wait_ready(before)
    assert "第十六条" in page.bots()[-1]


def test_forget_clears_the_conversation_and_starts_afresh(browser):
    page = browser
    page.type("营收奖励怎么算")
    page.js("document.getElementById('forget').click()")
    page.wait(lambda: _alert(page), "the confirmation")
    page.d.switch_to.alert.accept()
    page.wait(lambda: page.count() and "营收奖励" not in page.js("return document.getElementById('log').innerText")
              and page.js("return document.getElementById('log').getAttribute('aria-busy')") == "false",
              "a fresh conversation")
    page.d.refresh()
    page.wait_ready()
    text = page.js("return document.getElementById('log').innerText")
    assert "营收奖励怎么算" not in text and b("check_estimate", "zh") in page.labels()


def _alert(page) -> bool:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        page.d.switch_to.alert
        return True
    except NoAlertPresentException:
        return False


def test_a_staff_reply_shows_up_while_the_page_is_open_and_once_after_a_reload(browser, server):
    from bot.store import Store
    from bot.web.app import COOKIE

    page = browser
    page.type("我想找人工咨询")
    session_id = page.d.get_cookie(COOKIE)["value"]
    store = Store.open(server.db)          # as the help desk's reply arrives through the bot
    assert store.add_web_staff_reply(session_id, "您好，这里是区人社局窗口，已收到您的问题。")
    staff = "return Array.from(document.querySelectorAll('#log .msg.staff')).map(e => e.innerText)"
    page.wait(lambda: page.js(staff), "the staff reply (the page polls)", timeout=20)
    assert len(page.js(staff)) == 1 and "已收到您的问题" in page.js(staff)[0]
    page.d.refresh()
    page.wait_ready()
    time.sleep(6)                          # a poll or two after the reload: still shown once
    assert len(page.js(staff)) == 1


def _serve_once(page, path: str, body: dict):
    """The next call of the page to ``path`` gets ``body`` (a stand-in for an engine feature that
    another branch adds); every other request goes to the server."""
    page.js("""
        const [path, body] = arguments, real = window.fetch;
        window.fetch = function (url) {
          if (String(url).indexOf(path) < 0) return real.apply(this, arguments);
          window.fetch = real;
          return Promise.resolve(new Response(JSON.stringify(body), {status: 200, headers: {'Content-Type': 'application/json'}}));
        };""", path, body)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_estimate_of_the_rules_is_drawn_as_a_table_with_subtotals_and_a_chart(browser, lang):
    from knowledge.base import article_name
    from rules import estimate, format_rmb, format_wan

    page = browser
    shown = format_rmb if lang == "en" else format_wan
    if lang == "en":
        page.js("document.getElementById('lang').click()")
        page.wait(lambda: page.js("return document.documentElement.lang") == "en", "English")
    result = estimate(dict(PROFILE), as_of=as_of(), lang=lang)
    reply = {"text": "intro\n\nthe estimate as text", "kind": "estimate", "buttons": [], "clauses": [],
             "entry": None, "progress": None, "estimate": result, "document": None}
    _serve_once(page, "api/message", {"replies": [reply]})
    page.type("estimate" if lang == "en" else "估算")
    rows = page.js("return Array.from(document.querySelectorAll('#log .estimate tbody tr.line'))"
                   ".map(r => [r.querySelector('.clause').textContent, r.querySelector('.amount').textContent])")
    assert len(rows) == len(result["lines"])
    for (article, amount), line in zip(rows, result["lines"]):
        assert article == (f"Article {line['clause']}" if lang == "en" else article_name(line["clause"]))
        if line["kind"] != "service":
            assert amount.endswith(shown(line["max"])), (amount, line)
            assert amount.startswith("up to " if lang == "en" else "最高") == (line["kind"] == "up_to"), amount
    personal = sum(ln["max"] for ln in result["lines"] if ln["clause"] == 6)
    foot = page.js("return Array.from(document.querySelectorAll('#log .estimate tfoot tr')).map(r => r.innerText)")
    assert len(foot) == 3, foot                      # 机构可得, 个人奖励（第六条）, 合计
    assert shown(result["total_max"] - personal) in foot[0] and shown(personal) in foot[1]
    assert shown(result["total_min"]) in foot[2] and shown(result["total_max"]) in foot[2]
    assert page.js("return document.querySelector('#log details.full').textContent").endswith("the estimate as text")
    page.fits()
    page.shot(f"estimate-table-{lang}-360.png")
