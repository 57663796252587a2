"""`policybot eval` on the project's question set, and `policybot ask` as scripts use it."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from knowledge.evaluate import (BaselineBM25, LabelledQuestion, Prediction, by_language, cross_validate,
                                matcher_predict, read_questions, score, score_predictions)

QUESTIONS = Path(__file__).parent.parent / "knowledge" / "questions.tsv"


@pytest.fixture(scope="module")
def report():
    return score("matcher", read_questions(QUESTIONS), matcher_predict)


def test_matcher_meets_the_bar_on_the_project_question_set(report):
    assert report.top3 >= 0.995, "\n".join(report.misses)
    assert report.rejection >= 0.95, "\n".join(report.misses)
    assert report.wrong_in_scope <= 0.01, "\n".join(report.misses)
    assert report.wrong_out_of_scope <= 0.03, "\n".join(report.misses)
    chinese = dict((name, part) for name, _n, part in by_language(read_questions(QUESTIONS), report))["Chinese"]
    assert chinese.top1 >= 0.97, "\n".join(chinese.misses)


def test_matcher_meets_the_top_1_bar_on_the_whole_project_question_set(report):
    # In-sample (the model has seen these questions): a floor, not the measure of issue 11, which is
    # the cross-validated and lockbox figures (README, Evaluation). A strict expected failure until
    # round 7, when the whole set reached it (0.971; English alone is 0.956).
    assert report.top1 >= 0.97, "\n".join(report.misses)


@pytest.fixture(scope="module")
def cross_validated():
    # Two folds of the first 300 questions (the development set and the 200 after it): each fold's
    # model is trained without them (and without equal example questions); five folds over the
    # whole set is the full run, see the README. With 100 questions (86 in scope) a single confident
    # wrong answer was already 1.2 %, above the 1 % bar: too few to test a rate of 1 %.
    return cross_validate(read_questions(QUESTIONS)[:300], 2)


def test_held_out_questions_rank_the_right_article_and_questions_not_covered_are_refused(cross_validated):
    misses = "\n".join(cross_validated.misses)
    assert cross_validated.top1 >= 0.97, misses
    assert cross_validated.top3 >= 0.995, misses
    assert cross_validated.rejection >= 0.95, misses
    assert cross_validated.wrong_in_scope <= 0.01, misses
    assert cross_validated.wrong_out_of_scope <= 0.03, misses


def test_a_clarifying_question_counts_in_top_3_and_never_as_confident_wrong():
    questions = [LabelledQuestion("q", frozenset({10}), 1), LabelledQuestion("r", frozenset({4}), 2)]
    clarify = Prediction(confident=False, ranked=[(4,), (10,)], titles=["", ""], clarify=[(4,), (10,)])
    wrong = Prediction(confident=True, ranked=[(5,)], titles=[""])
    report = score_predictions("t", questions, [clarify, wrong])
    assert report.top1 == 0.0 and report.top3 == 0.5 and report.wrong_in_scope == 0.5
    assert score_predictions("t", questions[:1], [clarify]).wrong_in_scope == 0.0


def _close_pair(monkeypatch, first, second):
    """A stand-in match result with two close entries (the model decides when that happens)."""
    import knowledge
    from knowledge import get_entry
    from knowledge.matcher import Match, MatchResult

    matches = (Match(get_entry(first), 0.55), Match(get_entry(second), 0.4))
    monkeypatch.setattr(knowledge, "match_question", lambda text: MatchResult(
        query=text, confident=False, matches=matches, reason="clarify", clarify=matches))


@pytest.mark.parametrize("lang, question, options, text, pair", [
    ("zh", "我们获得了人力资源服务大赛的奖项，能拿多少钱", {"ask:a04", "ask:a10"}, "您是入驻前获奖，还是入驻后获奖？", None),
    ("en", "We won a prize. What do we get?", {"ask:a04", "ask:a10"},
     "Did you win the prize before or after moving into the park?", ("a10", "a04")),
    ("en", "Who gets the national-level money?", {"ask:a01", "ask:a02"}, "Are you the park's builder or its operator?",
     ("a01", "a02")),
    ("en", "Events and vouchers?", {"ask:a09", "ask:a13"}, "Which of these do you mean?", ("a13", "a09")),
])
def test_close_entries_get_a_clarifying_question_and_a_press_answers_the_choice(monkeypatch, lang, question,
                                                                                options, text, pair):
    from dialogs import new_state, press, respond

    if pair:
        _close_pair(monkeypatch, *pair)
    state, replies = respond(new_state(lang), question)
    clarify = replies[0]
    assert clarify.kind == "clarify" and clarify.text.startswith(text)
    assert set(clarify.actions()) == options
    chosen = sorted(options)[1]
    state, replies = press(state, chosen)
    assert replies[0].kind == "answer"
    assert replies[0].clauses == [int(chosen[-2:])]


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


def test_eval_command_gives_chinese_and_english_figures_apart(tmp_path, capsys):
    mixed = tmp_path / "mixed.tsv"
    mixed.write_text("房租补贴第二年按多少比例\t5\n年终奖个税怎么算\tnone\n"
                     "How much is the rent subsidy in the second year?\t5\n", encoding="utf-8")
    assert main(["eval", str(mixed)]) == 0
    out = capsys.readouterr().out
    assert "  Chinese: top-1 1.000" in out and "(2 questions)" in out
    assert "  English: top-1 1.000" in out and "(1 questions)" in out


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


@pytest.mark.parametrize("question, written_in", [
    ("茶馆 revenue 300万, award?", "提示："),                                # a Chinese word: Chinese, as in the chat
    ("Our revenue is 1.3亿. How much is the revenue award?", "An institution"),  # amounts alone: English
])
def test_ask_answers_in_the_language_the_chat_would(capsys, question, written_in):
    assert main(["ask", question]) == 0
    assert capsys.readouterr().out.startswith(written_in)


@pytest.mark.parametrize("question, says, not_said", [
    # the chat's reply, not the matcher's alone: the amount from the asker's figures ...
    ("营收1.3亿能拿多少", "· 营收奖励：10万元。", "👍"),
    # ... a part's articles, and small talk (the matcher's answer to these was "没有找到")
    ("第三部分讲什么", "[第十一条 营收奖励]", "没有找到"),
    ("谢谢", "不客气", "没有找到"),
])
def test_ask_gives_the_reply_the_chat_gives_to_a_first_message(capsys, question, says, not_said):
    assert main(["ask", question]) == 0
    out = capsys.readouterr().out
    assert says in out and not_said not in out


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


def test_every_clarifying_question_names_existing_entries_in_both_languages():
    import tomllib

    from knowledge.base import all_entries
    from knowledge.clarify import CLARIFY_FILE, clarifying_question

    ids = {e.id for e in all_entries()}
    pairs = tomllib.loads(CLARIFY_FILE.read_text(encoding="utf-8"))["pair"]
    assert pairs
    for pair in pairs:
        assert set(pair["entries"]) <= ids and len(pair["entries"]) == 2
        for lang in ("zh", "en"):
            question, labels = clarifying_question(pair["entries"], lang)
            assert question and set(labels) == set(pair["entries"])
            assert all(len(label) <= 40 for label in labels.values())
            assert question.isascii() == (lang == "en")


def test_ask_prints_the_clarifying_question_with_its_options(capsys):
    assert main(["ask", "我们获得了人力资源服务大赛的奖项，能拿多少钱"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("您是入驻前获奖，还是入驻后获奖？")
    assert "第四条" in out and "第十条" in out and "区人社局" not in out


def test_ask_tells_a_business_of_another_trade_first_whom_the_awards_are_for(capsys):
    # Answered, unsure or not covered: the first line a help-desk worker reads out is the scope.
    assert main(["ask", "我们是开连锁超市的，入驻园区能拿房租补贴吗"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("提示：本政策的奖励和补贴面向") and "第十六条" in out


def test_the_lockboxes_folded_into_a_file_are_found_by_their_section_lines(tmp_path):
    # `policybot eval FILE --lockboxes N` scores each of the last N blind lockboxes by a model fitted
    # without it: the sections "# -- round N's blind lockbox" say which questions were one.
    from knowledge.evaluate import lockbox_rounds

    folded = tmp_path / "folded.tsv"
    folded.write_text("# -- written by hand\n房租补贴怎么算\t5\n"
                      "# -- round 3's blind lockbox (tests/data/lockbox-3.tsv)\n营收奖励\t11\n年终奖个税怎么算\tnone\n"
                      "# -- a section of another kind\n运营补贴\t2\n"
                      "# -- round 4's blind lockbox\nHow long is the policy valid?\t19\n", encoding="utf-8")
    questions = read_questions(folded)
    rounds = lockbox_rounds(folded, questions, 5)
    assert [(r, [questions[i].question for i in at]) for r, at in rounds] == [
        (3, ["营收奖励", "年终奖个税怎么算"]), (4, ["How long is the policy valid?"])]
    assert [r for r, _at in lockbox_rounds(folded, questions, 1)] == [4]


def test_eval_lockboxes_on_a_file_without_any_is_a_one_line_error(tmp_path, capsys):
    plain = tmp_path / "plain.tsv"
    plain.write_text("房租补贴第二年按多少比例\t5\n", encoding="utf-8")
    assert main(["eval", str(plain), "--lockboxes", "2"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "no blind lockbox" in err


def test_a_question_repeated_in_the_labelled_files_is_learned_once(tmp_path, monkeypatch):
    # The shipped model and the cross-validated or held-out ones must learn from the same list:
    # held_out keeps each text once, and 82 repeated lines counted twice only in the shipped model
    # made lockbox-21 score 0.951 scored once but 0.943 held out, with the same code and data.
    from knowledge import model as learned

    labelled, extra = tmp_path / "questions.tsv", tmp_path / "extra.tsv"
    labelled.write_text("# -- one hand\n一企一策 怎么申请\t7\n房租补贴怎么算\t5\n"
                        "# -- another hand\n一企一策 怎么申请\t7\n", encoding="utf-8")
    extra.write_text("房租补贴怎么算\t5\nWhen does this policy expire?\t19\n", encoding="utf-8")
    monkeypatch.setattr(learned, "LABELLED_FILE", labelled)
    monkeypatch.setattr(learned, "EXTRA_FILE", extra)
    assert learned.default_labelled() == [("一企一策 怎么申请", frozenset({7})), ("房租补贴怎么算", frozenset({5})),
                                          ("When does this policy expire?", frozenset({19}))]
