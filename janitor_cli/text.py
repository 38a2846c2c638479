"""Text from plan files and AWS, made safe to print in one terminal line."""

from __future__ import annotations


def one_line(text: object) -> str:
    """`text` with every run of blanks and line breaks made one space, and anything else a
    terminal would act on (escape sequences) shown as \\x.. instead."""
    return "".join(
        char if char.isprintable() else f"\\x{ord(char):02x}" for char in " ".join(str(text).split())
    )
