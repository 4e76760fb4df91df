"""Comma-separated choices given on the command line or in a form (`--on new,changed`)."""

from __future__ import annotations

from collections.abc import Collection

from crawler.core.errors import UserError


def parse_choice_list(text: str, known: Collection[str], option: str, what: str) -> tuple[str, ...]:
    """The choices in `text`, lower-cased, each once, in the order given; a UserError naming the
    option, what is chosen ("event kind") and the known choices for an unknown or empty one."""
    chosen = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [choice for choice in chosen if choice not in known]
    if unknown or not chosen:
        raise UserError(f"{option} {text!r}: unknown {what} {', '.join(unknown) or '(none given)'}; "
                        f"use a comma-separated list of {', '.join(known)}")
    return chosen
