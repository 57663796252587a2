"""`policybot estimate`: the Chinese text, --json, stdin, --as-of, and one-line refusals (exit 2)."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[1]
RENT_AND_REVENUE = {"role": "institution", "park_year": 1, "rent_paid": 800_000, "revenue": 320_000_000,
                    "events": [500_000, 300_000]}


def write(tmp_path, profile) -> str:
    path = tmp_path / "profile.json"
    path.write_text(profile if isinstance(profile, str) else json.dumps(profile, ensure_ascii=False),
                    encoding="utf-8")
    return str(path)


def test_text_shows_lines_in_wan_totals_range_missing_and_notes(tmp_path, capsys):
    status = main(["estimate", write(tmp_path, RENT_AND_REVENUE), "--as-of", "2026-11-26"])
    out = capsys.readouterr().out
    assert status == 0
    assert "第五条" in out and "72万元" in out            # rent line, in 万元
    assert "第十一条" in out and "30万元" in out          # revenue award
    assert "最高20万元" in out and "最高15万元" in out   # events are ceilings
    assert "合计：102～137万元" in out                   # a range because of the up_to lines
    assert "contribution" in out and "年度综合经济贡献" in out  # what is missing, explained
    assert "不重复" in out and "还有35天" in out


def test_json_prints_exactly_the_rules_md_shape(tmp_path, capsys):
    assert main(["estimate", write(tmp_path, RENT_AND_REVENUE), "--json", "--as-of", "2026-11-26"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert list(result) == ["role", "as_of", "policy_valid", "eligible", "reasons", "lines", "total_min",
                            "total_max", "capped_by_contribution", "missing", "notes",
                            "institution_min", "institution_max", "personal_min", "personal_max",
                            "cap_cut_min", "cap_cut_max", "capped_clauses"]
    assert set(result["lines"][0]) == {"clause", "item", "kind", "min", "max", "basis"}
    assert (result["total_min"], result["total_max"]) == (1_020_000, 1_370_000)
    assert result["as_of"] == "2026-11-26"


def test_profile_from_standard_input(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"role": "operator", "tenants_revenue": 1200000000}'))
    assert main(["estimate", "-", "--json"]) == 0
    lines = json.loads(capsys.readouterr().out)["lines"]
    assert [(line["clause"], line["max"]) for line in lines] == [(3, 200_000)]


def test_as_of_overrides_the_profile_date(tmp_path, capsys):
    path = write(tmp_path, {"role": "builder", "park_level": "city", "as_of": "2025-01-01"})
    main(["estimate", path, "--json", "--as-of", "2027-01-01"])
    result = json.loads(capsys.readouterr().out)
    assert result["as_of"] == "2027-01-01" and result["policy_valid"] is False


def test_ineligible_institution_is_told_why(tmp_path, capsys):
    assert main(["estimate", write(tmp_path, {"role": "institution", "legal_person": False})]) == 0
    out = capsys.readouterr().out
    assert "不符合" in out and "独立法人" in out and "合计" not in out


BAD_PROFILES = [
    ('{"role": "institution", "turnover": 1}', "turnover"),
    ('{"role": "institution", "brand_selected": "yes"}', "brand_selected"),
    ('{"role": "institution", "rent_paid": -5}', "rent_paid"),
    ('{"role": "landlord"}', "role"),
    ('{"role": "institution", "park_year": 0}', "park_year"),
    ('{"role": "institution", "revenue": "320000000"}', "revenue"),
    ('{"role": "institution", "revenue": 3.2e8}', "revenue"),
    ('{"role": "institution", "events": [100, "x"]}', "events[1]"),
    ('{"role": "institution", "as_of": "26/11/2026"}', "as_of"),
    ('{"revenue": 1}', "role"),
    ('[]', "JSON 对象"),
    ('{"role": "institution",', "not valid JSON"),
]


@pytest.mark.parametrize("text, named", BAD_PROFILES)
def test_bad_profile_is_refused_in_one_line(tmp_path, capsys, text, named):
    assert main(["estimate", write(tmp_path, text)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and named in captured.err


def test_bad_as_of_option_is_refused(tmp_path, capsys):
    assert main(["estimate", write(tmp_path, {"role": "builder"}), "--as-of", "2026-02-30"]) == 2
    assert "--as-of" in capsys.readouterr().err


@pytest.mark.parametrize("text", [BAD_PROFILES[0][0], BAD_PROFILES[2][0], BAD_PROFILES[-1][0], None])
def test_cli_process_exits_2_without_traceback(tmp_path, text):
    source = write(tmp_path, text) if text is not None else str(tmp_path / "no-such-file.json")
    run = subprocess.run([sys.executable, "-m", "bot.cli", "estimate", source], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_json_splits_the_managers_reward_from_the_institutions(tmp_path, capsys):
    profile = {"role": "institution", "revenue": 300_000_000, "manager_contributions": [500_000, 300_000]}
    assert main(["estimate", write(tmp_path, profile), "--json", "--as-of", "2026-06-01"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["institution_min"], result["institution_max"]) == (300_000, 300_000)   # article 11
    assert (result["personal_min"], result["personal_max"]) == (800_000, 800_000)         # article 6
    assert (result["total_min"], result["total_max"]) == (1_100_000, 1_100_000)           # unchanged meaning
    assert main(["estimate", write(tmp_path, profile), "--as-of", "2026-06-01"]) == 0
    out = capsys.readouterr().out
    assert "机构可得：30万元" in out and "个人奖励（第六条）：80万元" in out
    assert "合计（含机构可得和个人奖励）：110万元" in out


def test_the_date_is_the_option_s_then_the_profile_s_then_the_setting_s(tmp_path, capsys, monkeypatch):
    # POLICYBOT_AS_OF is for a whole channel; a profile that states its own date keeps it.
    monkeypatch.setenv("POLICYBOT_AS_OF", "2027-01-05")
    (tmp_path / "dated").mkdir()
    dated, undated = write(tmp_path / "dated", {**RENT_AND_REVENUE, "as_of": "2026-11-26"}), write(tmp_path, RENT_AND_REVENUE)
    for argv, day in ((["estimate", dated, "--json"], "2026-11-26"),
                      (["estimate", dated, "--json", "--as-of", "2026-06-01"], "2026-06-01"),
                      (["estimate", undated, "--json"], "2027-01-05")):
        assert main(argv) == 0
        assert json.loads(capsys.readouterr().out)["as_of"] == day, argv
