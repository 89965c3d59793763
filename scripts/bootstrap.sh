#!/usr/bin/env bash
# Make sure uv exists and the virtual environment matches uv.lock; print nothing on a warm machine.
# uv itself is installed into .tools/ from PyPI (pinned), so a fresh machine needs only python3.11.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.8
export UV_PYTHON_DOWNLOADS=never  # use the machine's Python 3.11, never download one

if command -v uv >/dev/null 2>&1 && [ "$(uv --version | cut -d' ' -f2)" = "$UV_VERSION" ]; then
  UV=$(command -v uv)
else
  UV=.tools/bin/uv
  if [ ! -x "$UV" ] || [ "$("$UV" --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
    echo "bootstrap: installing uv $UV_VERSION into .tools/" >&2
    PY=$(command -v python3.11 || command -v python3)
    "$PY" -m venv .tools
    .tools/bin/python -m pip install --quiet "uv==$UV_VERSION"
  fi
fi
# Bytecode compiled at install: where PYTHONDONTWRITEBYTECODE is set (it is on our machines),
# every process would otherwise compile what it imports from source (Airflow: 6.5 s → 2.5 s).
"$UV" sync --frozen --python 3.11 --quiet --compile-bytecode
