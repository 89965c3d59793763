"""Every example query in docs/warehouse.md runs on the sample, on both backends, alike."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from baokan.config import Settings
from baokan.steps import process_issue
from tests.test_warehouse import DAY, DAY2, REPRINT, make_settings
from warehouse import open_warehouse

DOC = Path(__file__).resolve().parents[1] / "docs" / "warehouse.md"
QUESTION = re.compile(r"^### (\d+)\. (.+?)\n\n```sql\n(.+?)```", re.M | re.S)


def questions() -> list[tuple[str, str, str]]:
    """(number, question, sql) for each example in the document."""
    return QUESTION.findall(DOC.read_text("utf-8"))


@pytest.fixture(scope="module")
def answers(
    crawled: Settings, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, list[tuple[Any, ...]]]]:
    """Each question's rows on DuckDB and on PostgreSQL, both loaded with the sample."""
    from urllib.parse import urlsplit

    import psycopg

    from tests.conftest import POSTGRES_ADMIN

    tmp = tmp_path_factory.mktemp("docs")
    name = f"baokan_t_docs_{tmp.name[-8:].replace('-', '_')}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            urls = {
                "duckdb": f"duckdb:///{tmp / 'wh.duckdb'}",
                "postgresql": urlsplit(POSTGRES_ADMIN)._replace(path=f"/{name}").geturl(),
            }
            out: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
            for backend, url in urls.items():
                settings = make_settings(crawled, tmp / backend, url)
                for day in (DAY, DAY2):
                    process_issue("sample", day, settings=settings)
                with open_warehouse(url) as store:
                    out[backend] = {n: store.execute(sql) for n, _, sql in questions()}
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return out


def test_the_document_has_ten_numbered_questions() -> None:
    numbers = [int(n) for n, _, _ in questions()]
    assert len(numbers) >= 10 and numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize("number", [str(n) for n in range(1, len(questions()) + 1)])
def test_question_answers_on_both_backends_alike(
    number: str, answers: dict[str, dict[str, list[tuple[Any, ...]]]]
) -> None:
    duck, pg = answers["duckdb"][number], answers["postgresql"][number]
    assert duck, f"question {number} returned nothing on the sample"
    assert duck == pg


def test_answers_are_right_on_the_sample(
    answers: dict[str, dict[str, list[tuple[Any, ...]]]],
) -> None:
    got = answers["duckdb"]
    d1, d2 = date.fromisoformat(DAY), date.fromisoformat(DAY2)
    assert got["1"] == [("高新样报", d1, 9), ("高新样报", d2, 9)]
    assert [(t, d, p) for t, _, d, p, *_ in got["3"]] == [(REPRINT, d1, "A3")]
    assert [r[2:] for r in got["4"]] == [(d1, "A3", REPRINT, True), (d2, "A2", REPRINT, False)]
    assert got["5"] == [("高新样报", 18, 17)]
    assert got["6"] == [("高新样报", 2, 2, 6, 6, 0)]
    assert got["9"][0][1:4] == (2, d1, d2)
    assert [r[2] for r in got["10"]] == [REPRINT, REPRINT]


def test_byline_answers_are_right_on_the_sample(
    answers: dict[str, dict[str, list[tuple[Any, ...]]]], truth: dict[str, dict[str, Any]]
) -> None:
    got = answers["duckdb"]
    roles = {"本报记者", "通讯员", "本报编辑部"}  # every role word the sample prints
    # One byline per article: the reprint's two appearances count once (is_canonical).
    by_title = {
        a["title"]: a["author"] for t in truth.values() for p in t["pages"] for a in p["articles"]
    }
    names = Counter(w for author in by_title.values() for w in author.split() if w not in roles)
    assert got["11"] == sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert [r[3:] for r in got["12"]] == [
        ("本报记者、通讯员", "本报记者 王静 通讯员 陈晓"),
        ("本报记者", "本报记者 王静"),
    ]
