"""`policybot eval` on the project's question set, and `policybot ask` as scripts use it."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from knowledge.evaluate import BaselineBM25, matcher_predict, read_questions, score

QUESTIONS = Path(__file__).parent / "data" / "questions.tsv"


@pytest.fixture(scope="module")
def report():
    return score("matcher", read_questions(QUESTIONS), matcher_predict)


def test_matcher_meets_the_bar_on_the_project_question_set(report):
    assert report.top1 >= 0.95, "\n".join(report.misses)
    assert report.top3 >= 0.99, "\n".join(report.misses)
    assert report.rejection >= 0.90, "\n".join(report.misses)


def test_matcher_is_well_ahead_of_plain_bm25(report):
    baseline = score("baseline", read_questions(QUESTIONS), BaselineBM25())
    assert report.top1 >= baseline.top1 + 0.15
    assert report.rejection >= baseline.rejection + 0.3


def test_eval_command_prints_metrics_and_fails_below_threshold(capsys):
    assert main(["eval", str(QUESTIONS)]) == 0
    out = capsys.readouterr().out
    assert "top-1" in out and "top-3" in out and "out-of-scope rejection" in out and "p99" in out
    assert main(["eval", str(QUESTIONS), "--min-top1", "1.01"]) == 1
    assert "BELOW THRESHOLD" in capsys.readouterr().out


def test_eval_command_rejects_a_malformed_file_in_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.tsv"
    bad.write_text("房租补贴\t5\n营收奖励\tfive\n", encoding="utf-8")
    assert main(["eval", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "bad.tsv:2" in err
    assert main(["eval", str(tmp_path / "missing.tsv")]) == 2


def test_ask_prints_the_answer_with_its_citation(capsys):
    assert main(["ask", "房租补贴怎么算"]) == 0
    assert "「第五条」" in capsys.readouterr().out


def test_ask_json_prints_the_documented_shape(capsys):
    assert main(["ask", "--json", "营收1.3亿能拿多少"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["confident"] is True
    assert data["matches"][0]["clauses"] == [11]
    assert data["query"] == "营收1.3亿能拿多少"


def test_ask_without_a_question_is_a_one_line_error(capsys):
    assert main(["ask"]) == 2
    assert "ask needs a question" in capsys.readouterr().err


def test_ask_json_reads_one_question_per_line_from_stdin_in_order():
    lines = "房租补贴\n早上好\n\n" + "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace") + "\n上市配套\n"
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json"], input=lines.encode("utf-8") + b"\xff\xfe junk\n",
        capture_output=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"Traceback" not in proc.stderr
    rows = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert [r["query"] for r in rows[:2]] == ["房租补贴", "早上好"]
    assert len(rows) == 6
    assert rows[0]["confident"] and rows[0]["matches"][0]["clauses"] == [5]
    assert not rows[1]["confident"]
    assert rows[4]["matches"][0]["clauses"] == [12]
