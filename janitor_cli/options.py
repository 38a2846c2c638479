"""The commands' options. A setting's option is named after its field in the settings model
(janitor.config.naming: `kinds` -> `--kinds`), and its value is checked by that model
(janitor_cli.settings), so the command line accepts exactly what the function does."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from janitor.config.naming import command_line_option
from janitor.kinds import DEFAULT_KINDS, KINDS
from janitor_cli.render import OutputFormat


def setting_option(field: str, *old_spellings: str, help: str) -> Any:
    """The option of the setting `field`: its one derived name first, then any old spelling."""
    return typer.Option(command_line_option(field), *old_spellings, help=help)


Regions = Annotated[
    list[str],
    typer.Option("--region", help="A Region to plan for (repeatable); default: your configured Region."),
]
Profiles = Annotated[
    list[str],
    typer.Option("--profile", help="A named profile (repeatable); default: the default credential chain."),
]
Kinds = Annotated[
    str | None,
    setting_option(
        "kinds",
        help=f"Which leftovers to clean, comma-separated: {', '.join(KINDS)} "
        f"(default {','.join(sorted(DEFAULT_KINDS))}).",
    ),
]
OlderThanDays = Annotated[
    int | None,
    setting_option("older_than_days", help="Only jobs created more than this many days ago (default 30)."),
]
MaxDeletions = Annotated[
    int | None,
    setting_option(
        "max_deletions",
        help="At most this many deletions per account and Region, over every kind (default 1000).",
    ),
]
NameExcludeRegex = Annotated[
    str | None,
    setting_option(
        "name_exclude_regex",
        "--name-exclude",
        help="Keep jobs whose name matches this regular expression (--name-exclude: the old spelling).",
    ),
]
ApplicationTypes = Annotated[
    str | None,
    setting_option("application_types", help="ModelEvaluation,RagEvaluation (default both)."),
]
RetainTagKey = Annotated[
    str | None,
    setting_option("retain_tag_key", help="Jobs tagged <key>=true are kept (default janitor:retain)."),
]
ApplyRetainTagKey = Annotated[
    str,
    setting_option(
        "retain_tag_key", help="Jobs tagged <key>=true are kept; a plan made with another key is refused."
    ),
]


def output_format(value: str | OutputFormat) -> OutputFormat:
    """--output's format; a file name given to it (`--output plan.json`) is told about --out."""
    if isinstance(value, OutputFormat):
        return value
    try:
        return OutputFormat(value.lower())
    except ValueError:
        formats = ", ".join(output.value for output in OutputFormat)
        hint = (
            f": --output is the format; to write the plan to a file, use `plan --out {value}`"
            if "." in value or "/" in value
            else ""
        )
        raise ValueError(f"{value!r} is not one of {formats}{hint}") from None


Output = Annotated[
    OutputFormat,
    typer.Option(
        "--output",
        parser=output_format,
        metavar="[table|json|csv]",
        help="The format on stdout: table, json or csv (a plan file: `plan --out FILE`).",
    ),
]
Yes = Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")]
ShowJobs = Annotated[
    bool,
    typer.Option(
        "--show-jobs", help="List every job in the confirmation (default: the first 10 of each Region)."
    ),
]
ShowKept = Annotated[bool, typer.Option("--show-kept", help="Also list every kept job with its reason.")]
Out = Annotated[Path | None, typer.Option("--out", help="Write the plan to this file, for `apply`.")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Only plan (the same as `plan`).")]
MaxAge = Annotated[float, typer.Option("--max-age", help="Refuse a plan older than this many hours.", min=0)]
PlanFile = Annotated[Path, typer.Argument(help="A plan written by `plan --out`.")]
