"""The terminal chat, scripted through a pipe."""
import io
import os
import subprocess
import sys
from pathlib import Path

import rules
from bot.terminal import run_chat

ROOT = Path(__file__).resolve().parent.parent


def chat(lines):
    out = io.StringIO()
    status = run_chat(io.StringIO("".join(line + "\n" for line in lines)), out)
    return status, out.getvalue()


def test_question_then_quit():
    status, out = chat(["房租补贴怎么算", "/quit", "这一行不会被读到"])
    assert status == 0
    assert "先缴后补" in out and "[1] 查看原文" in out
    assert out.rstrip().endswith("再见！")


def test_end_of_input_exits_cleanly():
    status, out = chat(["/help"])
    assert status == 0 and "资格自测" in out


def test_builder_interview_with_numbered_buttons():
    # "3" picks the third choice; "#1" presses button 1 (是) of the yes/no question
    status, out = chat(["/check", "3", "国家级", "#1", "/quit"])
    assert status == 0
    assert "（1/16）" in out and "[3] 建园主体" in out
    expected = rules.estimate({"role": "builder", "park_level": "national", "upgraded_from_city": True})
    assert "资格自测结果" in out and rules.format_wan(expected["total_max"]) in out


def test_a_number_answers_a_number_question_instead_of_pressing_a_button():
    # operator: whatever the order, "2" picks choice 2 of the park level and answers 2 to the number
    # questions; pressing button 2 there would have skipped them
    status, out = chat(["/check", "2", "2", "2", "2", "2", "查看/修改", "/quit"])
    assert status == 0
    assert "运营第几年：2" in out and "园区认定级别：市级" in out
    assert "已跳过" not in out


def test_save_the_estimate(tmp_path):
    target = tmp_path / "estimate.txt"
    status, out = chat(["/save", "/check", "3", "1", f"/save {target}", "/quit"])
    assert status == 0
    assert "还没有可保存的估算结果" in out
    assert target.read_text(encoding="utf-8-sig").startswith("资格自测结果")  # .txt: text with a BOM


def test_policybot_chat_subprocess():
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "TELEGRAM_BOT_TOKEN": ""}
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "chat"], input="房租补贴怎么算\n资格自测\n3\n1\n/quit\n",
                          capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "先缴后补" in proc.stdout and "资格自测结果" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_each_reply_follows_the_language_typed_and_no_button_leads_nowhere():
    status, out = chat(["How is the rent subsidy calculated?", "房租补贴怎么算", "转人工", "/quit"])
    assert status == 0
    english, _, rest = out.partition("（「第五条」）")
    assert "(Article 5)" in english and "Policy text" in english      # the English question first
    assert "查看原文" in rest or "查看原文" in english                  # then the Chinese answer
    assert "] 联系人工" not in out and "] 转人工" not in out            # no hand-off button without a help desk
    assert "区人社局" in rest                                           # 转人工: the honest referral


def test_a_question_on_an_applications_progress_is_told_where_to_ask_in_the_language_typed():
    status, out = chat(["我们申请的房租补贴审批进度到哪了", "What's the status of our rent subsidy application?", "/quit"])
    assert status == 0
    chinese, _, english = out.partition("How an application stands")
    assert "本助手也查询不到" in chinese and "区人社局" in chinese and "不太确定" not in chinese
    assert "cannot look it up" in english and "Social Security Bureau" in english and "not sure" not in english


def test_a_first_use_says_it_is_fitting_the_model_before_the_first_question(monkeypatch, capsys):
    # With no fitted model cached, the first question would wait minutes without a word.
    from bot.cli import main
    from knowledge import matcher

    fitted = []

    def fit_now(force=False, on_fit=None):  # no model cached: it must be fitted now
        on_fit()
        fitted.append(True)

    monkeypatch.setattr(matcher, "get_model", fit_now)
    status, out = chat(["/quit"])
    err = capsys.readouterr().err
    assert status == 0 and "首次使用：正在用政策问答数据训练问答模型，约需 3 分钟" in err and fitted == [True]
    assert "首次使用" not in out
    fitted.clear()
    monkeypatch.undo()
    matcher.get_model()
    matcher.get_model(on_fit=lambda: fitted.append(True))
    assert not fitted                         # fitted and cached: no notice, no wait
    assert main(["ask", "房租补贴怎么算"]) == 0
    captured = capsys.readouterr()
    assert "首次使用" not in captured.err and "第五条" in captured.out


def test_policybot_ask_says_so_on_stderr_and_keeps_stdout_for_the_answer(monkeypatch, capsys):
    from bot.cli import main
    from knowledge import matcher

    real = matcher.get_model

    def as_if_not_cached(force=False, on_fit=None):
        if on_fit is not None:
            on_fit()
        return real()

    monkeypatch.setattr(matcher, "get_model", as_if_not_cached)
    assert main(["ask", "房租补贴怎么算"]) == 0
    captured = capsys.readouterr()
    assert "First use: fitting the answer model" in captured.err
    assert "首次使用" not in captured.out and "第五条" in captured.out
