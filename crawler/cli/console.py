"""Tables and colour on the terminal, through rich: fitted to the terminal's width, coloured only on
a terminal and never under NO_COLOR, plain columns without borders when piped."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

PIPED_WIDTH = 1_000  # piped output is read by programs: never wrap a line for a terminal that is not there


def console(stream: TextIO | None = None) -> Console:
    from rich.console import Console

    stream = stream or sys.stdout
    terminal = stream.isatty()
    # Piped, $COLUMNS is ignored too: programs that use readline export it to their children.
    width = None if terminal else PIPED_WIDTH
    return Console(file=stream, width=width, highlight=False, soft_wrap=False,
                   no_color=bool(os.environ.get("NO_COLOR")) or not terminal, emoji=False, markup=False)


def new_table(*headers: str, wrap: tuple[str, ...] = (), cut: tuple[str, ...] = (), **options: Any) -> Table:
    """A table whose `wrap` columns (long text) wrap on a narrow terminal, whose `cut` columns are
    cut with … instead (one line a row; give their cells as `cut_cell`s); the others never do."""
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD if sys.stdout.isatty() else None, show_edge=False,
                  pad_edge=False, header_style="bold", **options)
    for header in headers:
        if header in wrap:
            table.add_column(header, overflow="fold", ratio=1)
        elif header in cut:  # wrappable, so that rich narrows it first; its cells do not wrap
            table.add_column(header, overflow="ellipsis")
        else:
            table.add_column(header, no_wrap=True, min_width=len(header))
    return table


def cut_cell(text: str | Text) -> Text:
    """A cell of a `cut` column: its lines never wrap, each is cut with … where it does not fit."""
    from rich.text import Text

    cell = text.copy() if isinstance(text, Text) else Text(text)
    cell.no_wrap, cell.overflow = True, "ellipsis"
    return cell


def print_table(table: Table, stream: TextIO | None = None) -> None:
    """The table on `stream`; piped, without the spaces that pad its last column (plain text for
    programs and diffs)."""
    target = console(stream)
    if target.is_terminal:
        target.print(table)
        return
    with target.capture() as captured:
        target.print(table)
    target.file.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))


def table_text(table: Table) -> str:
    """The table as plain text (no colour, no padding at the line ends)."""
    import io

    buffer = io.StringIO()
    print_table(table, buffer)
    return buffer.getvalue()
