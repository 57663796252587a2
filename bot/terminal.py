"""The terminal chat: the same conversations as Telegram, offline.

Buttons are shown as numbered options ("[1] 是  [2] 否"); typing the number presses the button,
except when the pending question wants a number (money, year), where "#3" presses button 3.
Works with a terminal (line editing through readline) and with piped standard input.
"""
from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path
from typing import TextIO

from dialogs import new_state, press, respond
from dialogs.dates import at

QUIT_WORDS = {"/quit", "/exit", "quit", "exit", ":q"}
NUMBER_ANSWERS = {"money", "integer", "money_list"}
BUTTON_RE = re.compile(r"^\s*(?:#|\[)?\s*(\d{1,2})\s*\]?\s*$")
PROMPT = "> "
CHAT_HELP = ("终端命令：/quit 退出；/save [文件名] 把最近一次的估算保存为 Word 文档（.docx），"
             "文件名以 .txt 结尾时保存为文本；输入按钮前的序号即可点按钮（问题要求填数字时，用 #序号）。\n"
             "Terminal: /quit exits; /save [file] saves the last estimate as a Word document (.docx), or as text "
             "when the name ends in .txt; type a button's number to press it "
             "(#number when the question wants a number); /lang en for English.")


def _print(out: TextIO, text: str = "") -> None:
    out.write(text + "\n")
    out.flush()


def show(out: TextIO, replies) -> tuple[list[str], str | None, object | None]:
    """Print the replies; return the numbered button actions, the expected answer type, and the
    last reply that carries a document. The last reply with buttons (the pending question, say) is
    numbered from 1, so that choice N of a question is always button N; buttons of earlier replies
    follow on."""
    with_buttons = [i for i, r in enumerate(replies) if r.buttons]
    order = with_buttons[-1:] + with_buttons[:-1]
    numbers: dict[tuple[int, int, int], int] = {}
    actions: list[str] = []
    for i in order:
        for r, row in enumerate(replies[i].buttons):
            for c, button in enumerate(row):
                actions.append(button.action)
                numbers[(i, r, c)] = len(actions)
    expects = None
    document = None
    for i, reply in enumerate(replies):
        _print(out, reply.text)
        for r, row in enumerate(reply.buttons):
            _print(out, "  " + "  ".join(f"[{numbers[(i, r, c)]}] {b.label}" for c, b in enumerate(row)))
        if reply.document:
            document = reply
            _print(out, f"（输入 /save 可把估算结果保存为 Word 文档 {reply.document.filename}；"
                        "/save 文件名.txt 保存为文本）")
        if reply.expects:
            expects = reply.expects
        _print(out)
    return actions, expects, document


def _save(out: TextIO, estimate, arg: str) -> None:
    """/save [name]: the estimate's Word document; a name ending in .txt gets the text instead."""
    if estimate is None:
        _print(out, "还没有可保存的估算结果，请先完成资格自测（/check）。\n")
        return
    filename, data = estimate.document
    path = Path(arg or filename)
    try:
        if path.suffix.lower() == ".txt":
            # With a BOM, so that Notepad and Excel on Chinese Windows read it as UTF-8.
            path.write_text(estimate.text + "\n", encoding="utf-8-sig")
        else:
            path.write_bytes(data)
    except OSError as exc:
        _print(out, f"保存失败：{exc.strerror or exc}\n")
        return
    _print(out, f"已保存到 {path}\n")


def _reader(stdin: TextIO, out: TextIO):
    """Lines from the user: input() with readline on a terminal, plain reads when piped."""
    interactive = False
    try:
        interactive = stdin.isatty() and stdin is sys.stdin and out is sys.stdout
    except (AttributeError, ValueError):
        pass
    if interactive:
        try:
            import readline  # noqa: F401  (input() gains line editing and history)
        except ImportError:
            pass

        def read() -> str | None:
            try:
                return input(PROMPT)
            except EOFError:
                return None
        return read

    def read_piped() -> str | None:
        line = stdin.readline()
        return None if line == "" else line.rstrip("\r\n")
    return read_piped


FIRST_FIT_NOTICE = ("首次使用：正在用政策问答数据训练问答模型，约需 3 分钟，只需一次，请稍候……\n"
                    "First use: fitting the answer model (about 3 minutes, once only)...")


def prepare_model(notice: TextIO) -> None:
    """Load the answer model now, or fit it saying so first when none is cached: otherwise the
    first question would wait minutes without a word."""
    from knowledge import matcher

    matcher.get_model(on_fit=lambda: _print(notice, FIRST_FIT_NOTICE))


def run_chat(stdin: TextIO, stdout: TextIO, as_of: date | None = None) -> int:
    """Chat until /quit or end of input; return the exit status (0). ``as_of`` sets the date the
    policy is read for (default: POLICYBOT_AS_OF, else today)."""
    prepare_model(sys.stderr)
    read = _reader(stdin, stdout)
    state = new_state()
    state, replies = respond(state, "/start", now=at(as_of))
    actions, expects, document = show(stdout, replies)
    _print(stdout, CHAT_HELP + "\n")
    while True:
        try:
            line = read()
        except KeyboardInterrupt:
            _print(stdout)
            return 0
        if line is None:
            return 0
        text = line.strip()
        if not text:
            continue
        if text.lower() in QUIT_WORDS:
            _print(stdout, "再见！")
            return 0
        if text.lower().startswith("/save"):
            _save(stdout, document, text[5:].strip())
            continue
        m = BUTTON_RE.match(text)
        pressed = None
        if m and 1 <= int(m.group(1)) <= len(actions):
            explicit = text.lstrip().startswith(("#", "["))
            if explicit or expects not in NUMBER_ANSWERS:
                pressed = actions[int(m.group(1)) - 1]
        if pressed is not None:
            state, replies = press(state, pressed, now=at(as_of))
        else:
            state, replies = respond(state, text, now=at(as_of))
        actions, expects, new_document = show(stdout, replies)
        document = new_document or document
