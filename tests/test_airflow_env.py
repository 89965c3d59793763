"""scripts/airflow_env.sh and the up scripts: what Airflow reads, no log server, private files.

Nothing here starts Airflow: `airflow config get-value` reads the settings as Airflow would.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "scripts"


def _sourced(home: Path, command: str) -> str:
    """Run ``command`` in bash after sourcing the env script with AIRFLOW_HOME=home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "BAOKAN_"))}
    env |= {"AIRFLOW_HOME": str(home), "BAOKAN_DATA_DIR": str(home / "data")}
    script = f'set -euo pipefail; source "{SCRIPTS / "airflow_env.sh"}"; {command}'
    run = subprocess.run(
        ["bash", "-c", script], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_airflow_reads_local_only_api_and_private_log_files(tmp_path: Path) -> None:
    out = _sourced(
        tmp_path,
        "airflow config get-value api host; "
        "airflow config get-value logging file_task_handler_new_file_permissions; "
        "airflow config get-value logging file_task_handler_new_folder_permissions",
    )
    assert out.split() == ["127.0.0.1", "0o600", "0o700"]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("airflow scheduler", "scheduler --skip-serve-logs"),
        ("airflow triggerer --capacity 5", "triggerer --capacity 5 --skip-serve-logs"),
        (
            "airflow celery worker --queues baokan",
            "celery worker --queues baokan --skip-serve-logs",
        ),
        ("airflow api-server", "api-server"),
        ("airflow celery flower", "celery flower"),
        ("airflow dags list", "dags list"),
    ],
)
def test_components_start_without_the_all_interfaces_log_server(
    tmp_path: Path, command: str, expected: str
) -> None:
    """`airflow` in the env's PATH (what standalone runs too) adds --skip-serve-logs."""
    shim = _sourced(tmp_path, "type -P airflow").strip()
    assert shim == str(SCRIPTS / "airflow-bin" / "airflow")
    assert _sourced(tmp_path, f"BAOKAN_REAL_AIRFLOW=echo; {command}").strip() == expected


def test_private_files_are_owner_only(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    names = ("simple_auth_manager_passwords.json.generated", "airflow.db", "standalone.log")
    for name in names:
        (home / name).write_text("{}", encoding="utf-8")
        (home / name).chmod(0o644)
    _sourced(home, "baokan_private_files")
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    for name in names:
        assert stat.S_IMODE((home / name).stat().st_mode) == 0o600, name


@pytest.mark.parametrize("script", ["airflow_up.sh", "airflow_celery_up.sh"])
def test_up_scripts_set_umask_before_creating_anything(script: str) -> None:
    lines = (SCRIPTS / script).read_text(encoding="utf-8").splitlines()
    first_mkdir = next(i for i, line in enumerate(lines) if line.startswith("mkdir -p"))
    umask = next(i for i, line in enumerate(lines) if line.startswith("umask 077"))
    assert umask < first_mkdir
    # and again once Airflow has written the password file, before saying where it is
    calls = [i for i, line in enumerate(lines) if line.strip() == "baokan_private_files"]
    told = next(i for i, line in enumerate(lines) if "password in $PASSWORD_FILE" in line)
    assert len(calls) == 2 and calls[0] < calls[1] < told
