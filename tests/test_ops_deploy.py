"""The systemd units in deploy/: valid for systemd-analyze, and running the bot as an operator
expects (restarted on failure but not on a configuration error, a dedicated user, the store in
/var/lib/policybot, the environment file, a nightly backup)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
UNITS = ["policybot.service", "policybot-backup.service", "policybot-backup.timer"]
INSTALLED = "/opt/policybot/venv/bin/policybot"


def settings(unit: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in (DEPLOY / unit).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_the_bot_unit_runs_it_as_a_service():
    unit = settings("policybot.service")
    assert unit["ExecStart"] == [INSTALLED]
    assert unit["Restart"] == ["on-failure"] and unit["RestartPreventExitStatus"] == ["2"]
    assert unit["User"] == ["policybot"] and unit["StateDirectory"] == ["policybot"]
    assert unit["Environment"][0] == "POLICYBOT_DB=/var/lib/policybot/policybot.sqlite3"
    assert unit["EnvironmentFile"] == ["/etc/policybot/env"]
    assert unit["ProtectSystem"] == ["strict"] and unit["NoNewPrivileges"] == ["yes"]


def test_the_backup_runs_nightly_on_the_same_store():
    backup = settings("policybot-backup.service")
    assert "policybot backup " in backup["ExecStart"][0]
    assert backup["Environment"][0] == settings("policybot.service")["Environment"][0]
    assert backup["User"] == ["policybot"]
    assert settings("policybot-backup.timer")["OnCalendar"] == ["*-*-* 03:30:00"]


def test_systemd_analyze_verify(tmp_path):
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed (apt-get install systemd)")
    # The units name the installed program; verify checks it exists, so point it at a stand-in.
    stand_in = tmp_path / "policybot"
    stand_in.write_text("#!/bin/sh\n")
    stand_in.chmod(0o755)
    for name in UNITS:
        (tmp_path / name).write_text((DEPLOY / name).read_text().replace(INSTALLED, str(stand_in)))
    result = subprocess.run([tool, "verify", *[str(tmp_path / name) for name in UNITS]],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr
