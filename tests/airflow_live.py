"""A running Airflow (started by scripts/airflow_up.sh or airflow_celery_up.sh) for smoke tests.

The scripts are the documented commands; the tests run them with a tmp ``AIRFLOW_HOME``, free
ports and a scrubbed environment, then talk to the REST API v2 like an operator's tooling.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

REPO_ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port nothing listens on right now (the machine is shared)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def live_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for the start/stop scripts: no inherited AIRFLOW*/BAOKAN*, tmp dirs, free ports."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "BAOKAN"))}
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "BAOKAN_AIRFLOW_PORT": str(free_port()),
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "BAOKAN_DATA_DIR": str(home / "data"),
            "BAOKAN_WAREHOUSE": f"duckdb:///{home / 'warehouse.duckdb'}",
            # No catch-up runs while the test drives its own run (runs carry their issue_date).
            "BAOKAN_START_DATE": tomorrow,
        }
    )
    env.update(extra or {})
    return env


@dataclass
class LiveAirflow:
    """REST API v2 client for a running Airflow."""

    base_url: str
    home: Path
    token: str = ""

    def login(self, password_file: Path) -> None:
        """Get a JWT for admin with the password Airflow generated into password_file."""
        password = json.loads(password_file.read_text(encoding="utf-8"))["admin"]
        resp = requests.post(
            f"{self.base_url}/auth/token",
            json={"username": "admin", "password": password},
            timeout=30,
        )
        resp.raise_for_status()
        self.token = resp.json()["access_token"]

    def api(
        self, method: str, path: str, body: Any = None, params: Mapping[str, str] | None = None
    ) -> Any:
        """Call /api/v2/<path>; raise with the response body on any HTTP error."""
        resp = requests.request(
            method,
            f"{self.base_url}/api/v2/{path}",
            json=body,
            params=params,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=60,
        )
        if resp.status_code >= 400:
            raise RuntimeError(f"{method} {path}: HTTP {resp.status_code}: {resp.text[:2000]}")
        return resp.json() if resp.content else None

    def unpause(self, dag_id: str) -> None:
        self.api("PATCH", f"dags/{dag_id}", {"is_paused": False})

    def trigger(self, dag_id: str, conf: Mapping[str, Any]) -> str:
        """Trigger a run without a logical date; return its run id."""
        run = self.api("POST", f"dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf})
        return str(run["dag_run_id"])

    def wait_run(self, dag_id: str, run_id: str, timeout: float = 420) -> dict[str, Any]:
        """Poll a run until it finishes; return it (state 'success' or 'failed')."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run: dict[str, Any] = self.api("GET", f"dags/{dag_id}/dagRuns/{run_id}")
            if run["state"] in ("success", "failed"):
                return run
            time.sleep(2)
        raise TimeoutError(f"{dag_id} {run_id} not finished after {timeout}s: {run['state']}")

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str]:
        """``task`` / ``task[i]`` → state for every task instance of a run."""
        tis = self.api("GET", f"dags/{dag_id}/dagRuns/{run_id}/taskInstances")["task_instances"]
        return {
            (t["task_id"] if t["map_index"] < 0 else f"{t['task_id']}[{t['map_index']}]"): t[
                "state"
            ]
            for t in tis
        }

    def wait_for_dag(self, dag_id: str, timeout: float = 120) -> None:
        """Wait until the DAG processor has registered dag_id."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            dags = self.api("GET", "dags")["dags"]
            if any(d["dag_id"] == dag_id for d in dags):
                return
            time.sleep(2)
        raise TimeoutError(f"DAG {dag_id} not registered after {timeout}s")


def _run_script(name: str, env: Mapping[str, str], timeout: float) -> None:
    proc = subprocess.run(
        [str(REPO_ROOT / "scripts" / name)],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"scripts/{name} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}"
        )


@contextmanager
def running_airflow(
    home: Path, *, up: str = "airflow_up.sh", down: str = "airflow_down.sh", **extra: str
) -> Iterator[LiveAirflow]:
    """Start Airflow with the project's script, log in, yield a client, always stop it."""
    env = live_env(home, extra)
    try:
        _run_script(up, env, timeout=400)
        live = LiveAirflow(f"http://127.0.0.1:{env['BAOKAN_AIRFLOW_PORT']}", home)
        live.login(home / "simple_auth_manager_passwords.json.generated")
        yield live
    finally:
        _run_script(down, env, timeout=180)
