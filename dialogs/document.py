"""The estimate as a Word document (.docx, python-docx) the applicant can keep, print or forward.

Title, date and the policy's validity, the answers the estimate rests on, the table of lines with
article and arithmetic, the subtotals and total, what is missing, notes, next steps, disclaimer;
in Chinese or English as the conversation. Nothing here knows about a channel: it returns bytes.
"""
from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import io
import json
import logging
import os
import queue
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

from dialogs import summary
# The frames the worker reads and writes, and its way of writing them (its module imports nothing heavy).

log = logging.getLogger(__name__)

POLICY_NAME = "《关于加速推进西青区人力资源服务产业园建设的若干政策措施（试行）》"
POLICY_NAME_EN = ("Several Measures to Accelerate the Construction of the Xiqing District Human Resources "
                  "Service Industrial Park (Trial)")
# Fonts every copy of Word and WPS has: 宋体 for Chinese text, Calibri for Latin text.
FONT_ZH, FONT_LATIN = "宋体", "Calibri"
WARNING_RED = (0xC0, 0x00, 0x00)

WORDS = {
    "title": ("西青区人力资源服务产业园政策 · 资格自测估算", "Xiqing HR Service Park policy: eligibility estimate"),
    "date": ("估算日期：{day}", "Date of the estimate: {day}"),
    "policy": ("政策：{name}，{start}印发并实施，有效期至{end}。",
               "Policy: {name}, issued and in force from {start}, valid until {end}."),
    "in_force": ("估算日期在政策有效期内。", "The date of the estimate lies within the policy's term."),
    "answers": ("您的回答（估算依据）", "Your answers (the estimate rests on them)"),
    "answer_header": (("问题", "回答"), ("Question", "Answer")),
    "no_answers": ("（未提供）", "(none given)"),
    "lines": ("估算明细", "The estimate, article by article"),
    "header": (("条款", "项目", "金额", "计算依据"), ("Article", "Item", "Amount", "Arithmetic and basis")),
    "ineligible": ("按第十六条，本政策暂不适用：", "Under Article 16 the policy does not apply:"),
    "no_money": ("按目前的回答，暂无可计算的资金支持。", "No money award follows from the answers given."),
    "range_note": ("金额为区间的，上限含“最高”项目的上限，实际金额由区里在上限内核定。",
                   "Where an amount is a range, the upper figure counts the \"up to\" items at their ceilings; "
                   "the district sets the actual amounts within them."),
    "missing": ("尚未提供的信息（相关项目未计入）", "Not yet known (the estimate leaves out what depends on it)"),
    "notes": ("说明", "Notes"),
    "next": ("下一步", "What to do next"),
    "disclaimer": ("声明", "Disclaimer"),
    "disclaimer_text": (
        "本估算由政策助手根据您提供的信息和政策条文自动计算，仅供参考，不构成申报材料，也不代表审核结果。"
        "本政策由西青区人力资源和社会保障局（区人社局）负责解释，能否享受及实际金额以区人社局审核为准。",
        "This estimate was computed automatically from the information you gave and the policy's text. It is "
        "for reference only: it is not an application and not a decision. The policy is interpreted by the "
        "Xiqing District Human Resources and Social Security Bureau, which decides eligibility and amounts."),
}


def _say(word: str, lang: str, **fields) -> str:
    text = WORDS[word][1 if lang == "en" else 0]
    return text.format(**fields) if fields else text


def filename(result: dict, lang: str = "zh") -> str:
    """资格自测估算-2026-11-30.docx / eligibility-estimate-2026-11-30.docx."""
    stem = "eligibility-estimate" if lang == "en" else "资格自测估算"
    return f"{stem}-{result['as_of']}.docx"


def _set_fonts(doc) -> None:
    """宋体 for Chinese characters in every style, Calibri for Latin ones; A4 pages with 2.5 cm margins."""
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    for name in ("Normal", "Title", "Heading 1", "Heading 2", "List Bullet", "List Bullet 2", "Table Grid"):
        try:
            style = doc.styles[name]
        except KeyError:
            continue
        style.font.name = FONT_LATIN
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), FONT_ZH)
    doc.styles["Normal"].font.size = Pt(10.5)  # 五号, the usual body size of a Chinese document
    doc.styles["Title"].font.size = Pt(18)      # the template's 26 pt wraps a Chinese title
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(25)
        section.top_margin = section.bottom_margin = Mm(25)


def _add(doc, text: str, style: str | None = None, level: int | None = None):
    """A paragraph in a style of the template, by name (Heading N for ``level``).

    python-docx looks a style up by scanning every style of the template on each paragraph (about
    10 ms each); the style id is set directly instead, which keeps a whole document near 0.1 s.
    """
    name = ("Title" if level == 0 else f"Heading {level}") if level is not None else style
    paragraph = doc.add_paragraph(text)
    if name:
        paragraph._p.style = _style_ids(doc)[name]
    return paragraph


def _style_ids(doc) -> dict[str, str]:
    """Style name -> id. Every document starts from python-docx's one default template, so the
    table is read once per process (reading it takes ~10 ms, as much as a tenth of a document)."""
    global _STYLE_IDS
    if _STYLE_IDS is None:
        _STYLE_IDS = {style.name: style.style_id for style in doc.styles}
    return _STYLE_IDS


_STYLE_IDS: dict[str, str] | None = None


def _table(doc, header: tuple[str, ...], rows: list[tuple[str, ...]], widths_mm: tuple[int, ...], extra: int = 0):
    """A grid with a bold header row, ``rows`` and ``extra`` empty rows (for ``_total_row``).

    All rows are made at once (python-docx parses one XML string for the whole grid, where
    ``add_row`` parses one per cell), and each cell is written once: text and width together.
    """
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Mm

    widths = [Mm(width) for width in widths_mm]
    table = doc.add_table(rows=1 + len(rows) + extra, cols=len(header))
    table._tbl.tblStyle_val = _style_ids(doc)["Table Grid"]   # by id: a lookup by name scans every style
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    # Word reads the widths of the cells, LibreOffice and WPS those of the grid: set both.
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = width
    for number, row in enumerate(table.rows):
        texts = header if number == 0 else rows[number - 1] if number <= len(rows) else ()
        for cell, width, text in zip(row.cells, widths, texts or ("",) * len(widths)):
            cell.width = width
            if text:
                run = cell.paragraphs[0].add_run(text)
                if number == 0:
                    run.bold = True
    return table


def _total_row(table, number: int, label: str, amount: str, remark: str = "") -> None:
    """A bold row under the lines (the ``number``th of the table's rows, made empty by ``_table``):
    the label across the first two columns, the amount in the third."""
    cells = table.rows[number].cells
    merged = cells[0].merge(cells[1])
    merged.paragraphs[0].add_run(label).bold = True
    cells[2].paragraphs[0].add_run(amount).bold = True
    if remark:
        cells[3].paragraphs[0].add_run(remark)


def estimate_docx(result: dict, lang: str = "zh", profile: dict | None = None, relocated: bool = False) -> bytes:
    """The estimate as the bytes of a .docx file; ``result`` is rules.estimate in the same language."""
    # python-docx loads on the first document, not with the engine (it takes a while to import).
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import RGBColor

    from rules.money import format_date, format_date_en
    from rules.parameters import value
    from rules.render import cut_row, personal_note, totals

    en = lang == "en"
    doc = Document()
    _set_fonts(doc)
    doc.core_properties.title = _say("title", lang)
    doc.core_properties.language = "en-GB" if en else "zh-CN"
    heading = _add(doc, _say("title", lang), level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER

    line = summary.headline(result, lang)
    if line:  # outside the policy's term: the first thing read, in red
        run = doc.add_paragraph().add_run(line)
        run.bold = True
        run.font.color.rgb = RGBColor(*WARNING_RED)
    shown_date = format_date_en if en else format_date
    doc.add_paragraph(_say("date", lang, day=summary.day_text(result, lang)))
    doc.add_paragraph(_say("policy", lang, name=POLICY_NAME_EN if en else POLICY_NAME,
                           start=shown_date(value("validity.start")), end=shown_date(value("validity.end"))))
    if not line:
        doc.add_paragraph(_say("in_force", lang))

    _add(doc, _say("answers", lang), level=1)
    answered = summary.answer_lines(profile, lang)
    if answered:
        _table(doc, _say("answer_header", lang), answered, (70, 90))
    else:
        doc.add_paragraph(_say("no_answers", lang))

    _add(doc, _say("lines", lang), level=1)
    if not result.get("eligible", True):
        doc.add_paragraph(_say("ineligible", lang))
        for reason in result.get("reasons", []):
            _add(doc, reason, "List Bullet")
    elif not result["lines"]:
        doc.add_paragraph(_say("no_money", lang))
    else:
        rows = [(summary.article_name(ln["clause"], lang), ln["item"], summary._amount(ln, lang), ln["basis"])
                for ln in result["lines"]]
        cut = cut_row(result, lang)
        if cut:  # which lines the article 17 cap cut, and by how much
            cap_note = next((n for n in result["notes"] if n.startswith(("第十七条：第", "Article 17: Article"))), "")
            rows.append((cut[0], cut[1], cut[2], cap_note))
        figures = totals(result, lang)
        table = _table(doc, _say("header", lang), rows, (20, 35, 30, 75), extra=len(figures))
        for i, (label, low, high) in enumerate(figures):
            # The managers' reward is theirs, not the institution's: said beside its subtotal.
            remark = personal_note(lang).strip(" （）()") if len(figures) == 3 and i == 1 else ""
            _total_row(table, 1 + len(rows) + i, label, summary.money_range(low, high, lang), remark)
        if any(low != high for _, low, high in figures):
            doc.add_paragraph(_say("range_note", lang))

    names = summary.missing_names(result, lang)
    if names:
        _add(doc, _say("missing", lang), level=1)
        for name in names:
            _add(doc, name, "List Bullet")
    if result.get("notes"):
        _add(doc, _say("notes", lang), level=1)
        for note in result["notes"]:
            _add(doc, note, "List Bullet")
    steps = summary.next_steps(result, lang, relocated)
    _add(doc, _say("next", lang), level=1)
    for step in steps[1:]:  # the first is the heading's own words
        nested = step.startswith("  -")  # the materials listed under "worth having ready"
        _add(doc, step.strip().lstrip("·-").strip(), "List Bullet 2" if nested else "List Bullet")
    _add(doc, _say("disclaimer", lang), level=1)
    doc.add_paragraph(_say("disclaimer_text", lang))

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def estimate_document(result: dict, lang: str = "zh", profile: dict | None = None,
                      relocated: bool = False) -> tuple[str, bytes] | None:
    """(filename, bytes) of the estimate as a .docx: what ``Reply.document`` carries; None when the
    file cannot be made (the estimate itself is still shown)."""
    try:
        return filename(result, lang), estimate_docx(result, lang, profile, relocated)
    except Exception:  # a broken file must not cost the user the estimate
        log.exception("could not make the estimate document")
        return None


# Files one worker process makes before a fresh one takes over: a safety net, should python-docx
# or lxml keep anything from one file to the next (measured: they do not, once collected).
FILES_PER_WORKER = 200
# A file takes ~0.1 s: a worker that has not answered in this long is stuck, and is killed.
WORKER_TIMEOUT_SECONDS = 30.0
# A worker with no file to make for this long is let go (tens of MB), until the next download.
WORKER_IDLE_SECONDS = 120.0
# Tests only: "die" or "hang" makes the worker do so on the next file (never set by the program).
_TEST_FAULT: str | None = None

# The package's folder: the worker runs there, so ``-m dialogs.document_worker`` finds this very
# copy of the project (a checkout, an editable or a plain install) whatever the server's folder.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class DocumentUnavailable(RuntimeError):
    """The worker could not make the file (it died, hung, or the file failed); said in the log in
    one line. The next file is made by a new worker if this one is gone."""


_jobs: queue.SimpleQueue[tuple[Future, Callable, tuple]] = queue.SimpleQueue()
_talker: threading.Thread | None = None
_talker_lock = threading.Lock()
_child: subprocess.Popen | None = None
_child_files = 0


def _submit(function: Callable, *args) -> Future:
    """Run ``function(*args)`` in the one thread that talks to the worker, after what was queued
    before; the thread starts with the first file."""
    global _talker
    done: Future = Future()
    with _talker_lock:
        if _talker is None or not _talker.is_alive():
            _talker = threading.Thread(target=_talk, daemon=True, name="document-worker")
            _talker.start()
    _jobs.put((done, function, args))
    return done


def _talk() -> None:
    """The files, one at a time and in the order asked; a worker idle for WORKER_IDLE_SECONDS is
    let go here (this thread alone writes to it, so no file can be sent to a worker that is leaving)."""
    while True:
        try:
            done, function, args = _jobs.get(timeout=WORKER_IDLE_SECONDS if _child is not None else None)
        except queue.Empty:
            _end_child()
            continue
        if not done.set_running_or_notify_cancel():
            continue
        try:
            done.set_result(function(*args))
        except BaseException as exc:  # handed to the download that asked for the file
            done.set_exception(exc)


def _start_child() -> subprocess.Popen:
    # The same interpreter, a fresh process holding python-docx alone (not a copy of the server's
    # matcher, bot and connections); stderr is the server's.
    return subprocess.Popen([sys.executable, "-m", "dialogs.document_worker"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, cwd=_ROOT, bufsize=0)


def _end_child(kill: bool = False) -> int | None:
    """Let the worker go: closing its stdin ends it (``kill`` for a stuck one); its exit status."""
    global _child
    child, _child = _child, None
    if child is None:
        return None
    with contextlib.suppress(OSError):
        child.stdin.close()
    if kill:
        child.kill()
    try:
        status = child.wait(5)
    except subprocess.TimeoutExpired:
        child.kill()
        status = child.wait()
    child.stdout.close()
    return status


class _WorkerGone(Exception):
    pass


def _make_in_child(filename: str, recipe: dict) -> bytes:
    """Send one file's recipe to the worker (started if need be) and wait for the file."""
    global _child, _child_files
    if _child is not None and (_child_files >= FILES_PER_WORKER or _child.poll() is not None):
        _end_child()
    if _child is None:
        try:
            _child, _child_files = _start_child(), 0
        except OSError as exc:  # e.g. out of memory or processes
            log.warning("could not start the document worker: %s", exc)
            raise DocumentUnavailable(f"could not start the document worker: {exc}") from None
    _child_files += 1
    child = _child
    request = {"filename": filename, "recipe": recipe}
    if _TEST_FAULT:
        request["test_fault"] = _TEST_FAULT
    # Imported here, not at the top: the worker runs as ``-m dialogs.document_worker``, and a module
    # the package already imported makes runpy warn on every start.
    from dialogs.document_worker import REPLY, REQUEST, _write_all

    body = json.dumps(request, ensure_ascii=False).encode()
    deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
    try:
        _write_all(child.stdin.fileno(), REQUEST.pack(len(body)) + body)
        kind, size = REPLY.unpack(_read_exactly(child.stdout.fileno(), REPLY.size, deadline))
        payload = _read_exactly(child.stdout.fileno(), size, deadline)
    except TimeoutError:  # before OSError, of which it is a kind
        _end_child(kill=True)
        log.warning("the document worker (pid %d) made no %s in %g s: stopped; the next file starts "
                    "a new one", child.pid, filename, WORKER_TIMEOUT_SECONDS)
        raise DocumentUnavailable("the document worker did not answer in time") from None
    except (_WorkerGone, OSError):  # OSError: the pipe broke as it died
        status = _end_child()
        log.warning("the document worker (pid %d) ended while making %s (exit status %s); "
                    "the next file starts a new one", child.pid, filename, status)
        raise DocumentUnavailable(f"the document worker ended (exit status {status})") from None
    if kind != b"D":
        error = json.loads(payload).get("error", "")
        log.warning("could not make the estimate document %s: %s", filename, error)
        raise DocumentUnavailable(error)
    return payload


def _read_exactly(fd: int, size: int, deadline: float) -> bytes:
    """``size`` bytes from the worker; _WorkerGone at the end of its stdout, TimeoutError at ``deadline``."""
    chunks, left = [], size
    while left:
        wait = deadline - time.monotonic()
        if wait <= 0 or not select.select([fd], [], [], wait)[0]:
            raise TimeoutError
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise _WorkerGone
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _stop_worker() -> None:
    """End the worker now, after the files already asked for (tests use it)."""
    _submit(_end_child).result()


def _release_freed_memory() -> None:
    """glibc's malloc_trim: return freed heap memory to the system (nothing elsewhere)."""
    global _malloc_trim
    if _malloc_trim is None:
        try:
            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim = None


@dataclass(frozen=True)
class EstimateDocument:
    """The estimate as a .docx, made when it is asked for (about 0.1 s, more than the whole
    interview step): a reply carries the recipe, plain JSON a channel can keep, not the file.

        doc.filename               "资格自测估算-2026-11-30.docx"
        doc.recipe                 {"profile": {...}, "as_of": "2026-11-30", "lang": "zh"}
        doc.build() -> bytes       the .docx (rules.estimate on the recipe, then python-docx)
        filename, data = doc       unpacks as the (filename, bytes) pair channels had before
    """
    filename: str
    recipe: dict

    @classmethod
    def of(cls, result: dict, lang: str, profile: dict) -> "EstimateDocument":
        return cls(filename(result, lang), {"profile": profile, "as_of": result["as_of"], "lang": lang})

    def build(self) -> bytes:
        from rules import estimate

        profile, lang = self.recipe["profile"], self.recipe.get("lang", "zh")
        result = estimate(profile, as_of=self.recipe["as_of"], lang=lang)
        return estimate_docx(result, lang, profile, relocated=profile.get("origin") == "relocated")

    async def build_off_loop(self) -> bytes:
        """``build()`` for an event loop: in the worker process (``python -m dialogs.document_worker``,
        started at the first file), one file at a time, in the order asked. A file is ~0.1 s of
        CPU and tens of MB in python-docx and lxml: made in a thread, it would hold the server's
        GIL (every reply waits) and grow the server for good. Raises DocumentUnavailable when the
        worker died, hung (WORKER_TIMEOUT_SECONDS) or could not make the file; the next call
        starts a new worker if this one is gone."""
        return await asyncio.wrap_future(_submit(_make_in_child, self.filename, self.recipe))

    def _build_and_release(self) -> bytes:
        try:
            return self.build()
        finally:
            # A python-docx document is a web of reference cycles (package <-> parts) holding
            # its lxml trees: without a collection now, tens of MB wait for the next full one.
            # Then hand what glibc keeps in its arenas back to the system.
            gc.collect()
            _release_freed_memory()

    def __iter__(self):
        return iter((self.filename, self.build()))

    def __getitem__(self, i: int):
        return self.filename if i == 0 else tuple(self)[i]


def docx_text(data: bytes) -> str:
    """All text of a .docx (paragraphs, then table cells row by row), e.g. to check a document."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            seen = []
            for cell in row.cells:
                if cell.text and cell.text not in seen:  # a merged cell appears once per column it spans
                    seen.append(cell.text)
            parts.append(" | ".join(seen))
    return "\n".join(parts)


