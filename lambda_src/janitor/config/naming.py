"""One name per setting, in the case style of where it is written.

A setting is declared once, as a field of janitor.config.settings.Settings (`older_than_days`);
every other name is derived from that one: the CDK context key and the console override
(`olderThanDays`), the function's environment variable (`OLDER_THAN_DAYS`), the command line's
option (`--older-than-days`) and the construct's keyword argument (the field name itself).
"""

from __future__ import annotations

from typing import Literal

#: Where a setting was written, which decides the case style its name is given in.
Style = Literal["field", "context", "environment", "option"]


def context_key(field: str) -> str:
    """The CDK context key and console override: `older_than_days` -> `olderThanDays`."""
    first, *rest = field.split("_")
    return first + "".join(word.title() for word in rest)


def environment_variable(field: str) -> str:
    """The function's environment variable: `older_than_days` -> `OLDER_THAN_DAYS`."""
    return field.upper()


def command_line_option(field: str) -> str:
    """The command line's option: `older_than_days` -> `--older-than-days`."""
    return "--" + field.replace("_", "-")


def setting_name(field: str, style: Style) -> str:
    """The setting's name as a person wrote it in `style`."""
    if style == "context":
        return context_key(field)
    if style == "environment":
        return environment_variable(field)
    if style == "option":
        return command_line_option(field)
    return field
