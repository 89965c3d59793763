"""`baokan sql`: run SQL on the warehouse (DuckDB read-only, or PostgreSQL) and print tables."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol, TextIO

from rich.console import Console
from rich.table import Table

from warehouse import duckdb_path, unsupported

# Rows printed per result in table form; the rest are counted, not shown (CSV prints all).
MAX_TABLE_ROWS = 40


class SqlError(RuntimeError):
    """A statement the warehouse refused; the message is the driver's, with the statement."""


class Cursor(Protocol):
    """The DB-API subset both drivers give."""

    description: Any

    def execute(self, sql: str) -> Any: ...
    def fetchmany(self, size: int) -> Sequence[Sequence[Any]]: ...


@contextmanager
def connect(url: str) -> Iterator[Cursor]:
    """A cursor on the warehouse: a DuckDB file opened read-only, or a PostgreSQL database."""
    path = duckdb_path(url)
    if path is not None:
        import duckdb

        if not path.exists():
            raise FileNotFoundError(f"{path}: no warehouse here yet (run `baokan demo` first)")
        con = duckdb.connect(str(path), read_only=True)
        try:
            yield con  # type: ignore[misc]
        finally:
            con.close()
    elif url.startswith(("postgresql://", "postgres://")):
        import psycopg

        with psycopg.connect(url, autocommit=True) as pg, pg.cursor() as cur:
            yield cur  # type: ignore[misc]
    else:
        raise ValueError(unsupported(url))


def statements(script: str) -> list[str]:
    """A script cut at semicolons outside quotes into statements."""
    out: list[str] = []
    current: list[str] = []
    quote = ""
    for ch in script:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == ";":
            out.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    out.append("".join(current).strip())
    return [s for s in out if s]


def first_line(sql: str) -> str:
    """The statement's first line, for messages."""
    return sql.strip().splitlines()[0][:80]


def run(cur: Cursor, sql: str, fmt: str = "table", out: TextIO | None = None) -> int:
    """Run one statement and print its result; returns the rows it gave."""
    out = out or sys.stdout
    try:
        cur.execute(sql)
    except Exception as exc:  # duckdb.Error / psycopg.Error share no base class
        raise SqlError(f"{first_line(sql)}: {exc}") from exc
    if not cur.description:
        return 0
    names = [d[0] for d in cur.description]
    if fmt == "csv":
        writer, n = csv.writer(out), 0
        writer.writerow(names)
        while batch := cur.fetchmany(1000):
            writer.writerows(batch)
            n += len(batch)
        return n
    rows = list(cur.fetchmany(MAX_TABLE_ROWS + 1))
    table = Table(*names, show_lines=False)
    for row in rows[:MAX_TABLE_ROWS]:
        table.add_row(*("NULL" if v is None else str(v) for v in row))
    console = Console(file=out, width=None if out.isatty() else 200)
    console.print(table, markup=False, highlight=False)
    if len(rows) > MAX_TABLE_ROWS:
        console.print(f"(more rows than {MAX_TABLE_ROWS}; use --csv for all)", markup=False)
    return len(rows)


def repl(cur: Cursor, fmt: str) -> None:
    """Read statements at a prompt (ended by ';') until EOF or .quit."""
    import readline  # noqa: F401  (line editing and history for input())

    buffer = ""
    while True:
        try:
            line = input("baokan> " if not buffer else "   ...> ")
        except EOFError:
            print()
            return
        if not buffer and line.strip() in (".quit", ".exit", "\\q"):
            return
        buffer += line + "\n"
        if buffer.rstrip().endswith(";"):
            for sql in statements(buffer):
                try:
                    run(cur, sql, fmt)
                except SqlError as exc:  # a bad query must not end the session
                    print(f"error: {exc}", file=sys.stderr)
            buffer = ""
