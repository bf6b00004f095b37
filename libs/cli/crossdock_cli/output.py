"""Printing for the commands: rich tables for people, plain JSON for scripts, one-line errors on stderr."""

import functools
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from crossdock_cli.api import CliError

console = Console()
error_console = Console(stderr=True)

JsonOption = typer.Option("--json", help="print the service's JSON instead of a table, for scripts")


def fail(message: str) -> typer.Exit:
    """Print `message` on stderr and return the exit that ends the command with code 1."""
    error_console.print(f"[red]error:[/red] {message}", highlight=False, markup=True, soft_wrap=True)
    return typer.Exit(1)


def fail_all(messages: list[str]) -> typer.Exit:
    """Print every message on stderr and return the exit that ends the command with code 1."""
    for message in messages:
        fail(message)
    return typer.Exit(1)


def reports_errors(command: Callable) -> Callable:
    """Turn a CliError raised by `command` into a one-line message on stderr and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except CliError as error:
            raise fail(str(error)) from None

    return wrapper


def print_json(data: Any) -> None:
    """Print `data` as indented JSON on stdout; dates and decimals become strings."""
    print(json.dumps(data, indent=2, default=str, ensure_ascii=False))


def cell(value: Any) -> str:
    """Render one table cell: empty for None, JSON for lists and objects."""
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


def print_table(title: str, columns: Sequence[str], rows: Iterable[dict[str, Any]], empty: str) -> None:
    """Print `rows` as a table of `columns`, or the `empty` line when there are none."""
    rows = list(rows)
    if not rows:
        console.print(empty, highlight=False)
        return
    table = Table(*columns, title=title, title_justify="left")
    for row in rows:
        table.add_row(*(cell(row.get(column)) for column in columns))
    console.print(table)


def progress_bar() -> Progress:
    """Return a progress display for a known number of steps; it draws on stderr, so stdout stays clean."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=error_console,
    )
