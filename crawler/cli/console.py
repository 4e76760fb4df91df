"""Tables and colour on the terminal, through rich: fitted to the terminal's width, coloured only on
a terminal and never under NO_COLOR, plain columns without borders when piped."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

PIPED_WIDTH = 1_000  # piped output is read by programs: never wrap a line for a terminal that is not there


def console(stream: TextIO | None = None) -> Console:
    from rich.console import Console

    stream = stream or sys.stdout
    terminal = stream.isatty()
    width = None if terminal else PIPED_WIDTH
    return Console(file=stream, width=width, highlight=False, soft_wrap=False,
                   no_color=bool(os.environ.get("NO_COLOR")) or not terminal, emoji=False, markup=False)


def new_table(*headers: str, wrap: tuple[str, ...] = (), **options: Any) -> Table:
    """A table whose `wrap` columns (long text) wrap on a narrow terminal; the others never do."""
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD if sys.stdout.isatty() else None, show_edge=False,
                  pad_edge=False, header_style="bold", **options)
    for header in headers:
        if header in wrap:
            table.add_column(header, overflow="fold", ratio=1)
        else:
            table.add_column(header, no_wrap=True, min_width=len(header))
    return table


def print_table(table: Table, stream: TextIO | None = None) -> None:
    console(stream).print(table)
