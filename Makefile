# The README's two commands: `make demo` and `make test`. Both set up everything first.
.PHONY: setup demo test lint bench bench-crawl bench-pdf bench-load bench-dedup bench-backfill bench-backfill-airflow sample clean \
	airflow-up airflow-celery-up airflow-down

setup:
	@scripts/bootstrap.sh

demo: setup
	.venv/bin/baokan demo

test: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/pytest

lint: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

# Every benchmark; each prints its numbers next to a baseline measured in the same run.
bench: bench-crawl bench-pdf bench-dedup bench-load

bench-crawl: setup
	.venv/bin/python scripts/bench_crawl.py

bench-load: setup
	.venv/bin/python scripts/bench_load.py

# A year of a daily 8-page paper through `baokan ingest`, per stage (README "Backfill benchmark").
# Options via BENCH_ARGS, e.g. make bench-backfill BENCH_ARGS="--days 30 --backend duckdb".
bench-backfill: setup
	.venv/bin/python scripts/bench_backfill.py $(BENCH_ARGS)

# The same replica backfilled through Airflow under CeleryExecutor (2 worker nodes), then the
# CLI on the same days, both into PostgreSQL (docs/airflow.md "Scale-out").
bench-backfill-airflow: setup
	.venv/bin/python scripts/bench_backfill_airflow.py $(BENCH_ARGS)

# Dedup stage: 100k signatures vs datasketch, a 10k batch against 1M stored (DuckDB + PostgreSQL).
bench-dedup: setup
	.venv/bin/python scripts/bench_dedup.py

# Airflow standalone on http://127.0.0.1:8080 with dags/ (docs/airflow.md); password file printed.
airflow-up: setup
	scripts/airflow_up.sh

# The same under CeleryExecutor: local Redis broker, PostgreSQL metadata DB (docs/airflow.md).
airflow-celery-up: setup
	scripts/airflow_celery_up.sh

airflow-down:
	scripts/airflow_down.sh

sample: setup
	.venv/bin/python scripts/make_sample.py

bench-pdf: setup
	.venv/bin/python scripts/bench_pdf.py

clean:
	rm -rf data .pytest_cache .mypy_cache .ruff_cache
