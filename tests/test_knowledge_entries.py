"""The clause entries: complete, verbatim, well-formed, and `policybot knowledge check` says so."""
import re
import shutil

import pytest

from bot.cli import main
from knowledge import all_entries, article_entry, citation
from knowledge.base import POLICY_FILE, load_entries

SHARED_POLICY = POLICY_FILE.parents[2] / "shared" / "policy" / "xiqing-hr-park-measures-2023.txt"


def squash(text):
    return re.sub(r"\s+", "", text)


def test_every_article_from_preamble_to_19_has_an_entry():
    covered = {e.clauses[0] for e in all_entries() if e.kind == "article"}
    assert covered == set(range(20))


@pytest.mark.parametrize("entry", all_entries(), ids=lambda e: e.id)
def test_entry_text_is_verbatim_from_the_policy(entry):
    assert squash(entry.text) in squash(POLICY_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("entry", all_entries(), ids=lambda e: e.id)
def test_entry_answer_ends_with_its_citation_and_has_enough_examples(entry):
    assert entry.answer.rstrip("。）) ").endswith(citation(entry.clauses))
    assert len(entry.questions) >= 12
    assert entry.answer_en and entry.title_en


def test_article_entry_holds_the_whole_article():
    assert article_entry(5).text.startswith("5. 降低入驻机构房租成本")
    assert "80万元" in article_entry(5).text


def test_shipped_policy_text_equals_the_source_without_page_numbers():
    if not SHARED_POLICY.exists():
        pytest.skip("the shared policy folder is not beside this checkout")
    source = re.sub(r"-\s*\d+\s*-", "", SHARED_POLICY.read_text(encoding="utf-8"))
    assert squash(POLICY_FILE.read_text(encoding="utf-8")) == squash(source)


def test_no_answer_invents_a_phone_number_or_address():
    for entry in all_entries():
        for answer in (entry.answer, entry.answer_en):
            assert not re.search(r"\d{3,4}-?\d{7,8}|\b1[3-9]\d{9}\b", answer), entry.id
            assert not re.search(r"[路街]\d+号", answer), entry.id


def test_citation_names_articles_in_chinese():
    assert citation([5]) == "「第五条」"
    assert citation([5, 14]) == "「第五条、第十四条」"
    assert citation([10, 19]) == "「第十条、第十九条」"
    assert citation([0]) == "「政策序言」"
    assert citation([1, 2, 3, 4, 5, 13]) == "「第一条至第五条、第十三条」"
    assert citation([0, 19]) == "「政策序言、第十九条」"


def test_knowledge_check_passes_on_the_shipped_files(capsys):
    assert main(["knowledge", "check"]) == 0
    assert "OK" in capsys.readouterr().out


def test_knowledge_check_names_file_and_field_of_each_problem(tmp_path, capsys):
    folder = tmp_path / "entries"
    shutil.copytree(POLICY_FILE.parent / "entries", folder)
    path = next(folder.glob("a05-*.toml"))
    text = path.read_text(encoding="utf-8").replace("降低入驻机构房租成本", "降低入驻机构房租成本（改）")
    path.write_text(text, encoding="utf-8")
    (folder / "broken.toml").write_text("id = [", encoding="utf-8")
    assert main(["knowledge", "check", "--dir", str(folder)]) == 1
    out = capsys.readouterr().out
    assert f"{path.name}: text: not found verbatim" in out
    assert "broken.toml: (file): not valid TOML" in out


def test_knowledge_check_wants_policy_silent_as_true_or_false(tmp_path):
    folder = tmp_path / "entries"
    shutil.copytree(POLICY_FILE.parent / "entries", folder)
    path = next(folder.glob("t-how-to-apply.toml"))
    path.write_text(path.read_text(encoding="utf-8").replace("policy_silent = true", 'policy_silent = "yes"'),
                    encoding="utf-8")
    _entries, problems = load_entries(folder)
    assert "t-how-to-apply.toml: policy_silent: must be true or false" in [str(p) for p in problems]


def test_knowledge_check_reports_a_missing_article(tmp_path):
    folder = tmp_path / "entries"
    shutil.copytree(POLICY_FILE.parent / "entries", folder)
    next(folder.glob("a07-*.toml")).unlink()
    _entries, problems = load_entries(folder)
    messages = [str(p) for p in problems]
    assert any("no article entry for 第七条" in m for m in messages)
    assert any("no entry with id 'a07'" in m for m in messages)  # others still point to it
