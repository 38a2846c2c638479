"""The `bedrock-eval-janitor` command: plan, apply, run. Exit codes: 0 done, 1 some jobs failed,
2 invalid input, credentials or connection (a message, no traceback, no Bedrock request). The
options are declared in janitor_cli.options, the steps in janitor_cli.steps."""

from __future__ import annotations

import importlib.metadata
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console

from janitor.config.settings import DEFAULT_RETAIN_TAG_KEY
from janitor_cli.applying import ApplyResult
from janitor_cli.options import (
    ApplicationTypes,
    ApplyRetainTagKey,
    DryRun,
    Kinds,
    MaxAge,
    MaxDeletions,
    NameExcludeRegex,
    OlderThanDays,
    Out,
    Output,
    PlanFile,
    Profiles,
    Regions,
    RetainTagKey,
    ShowJobs,
    ShowKept,
    Yes,
)
from janitor_cli.plan_file import PlanFileError, read_plan, write_plan
from janitor_cli.render import OutputFormat, render_apply, render_plan, render_run
from janitor_cli.steps import (
    EXIT_DECLINED,
    EXIT_FAILED,
    EXIT_INVALID,
    EXIT_NO_ANSWER,
    apply_plan,
    fail,
    make_plan,
    settings_of,
)

DISTRIBUTION = "bedrock-eval-janitor"
EXIT_CODES = (
    f"Exit codes: 0 done; {EXIT_FAILED} some items failed; {EXIT_INVALID} invalid input, credentials "
    "or connection (one line, no request). "
)
CONFIRM_EXIT_CODES = (
    f"A declined confirmation exits {EXIT_DECLINED} with nothing deleted; no terminal to ask "
    f"(stdin closed or not a terminal, and no --yes) exits {EXIT_NO_ANSWER} with nothing deleted."
)

app = typer.Typer(
    name="bedrock-eval-janitor",
    help="See which Amazon Bedrock evaluation leftovers (evaluation jobs, prompt optimization jobs, "
    "AgentCore batch evaluations) the janitor would delete in your account, and delete exactly a "
    "reviewed plan.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def version() -> str:
    """The installed distribution's version (importlib.metadata), or `unknown` outside one."""
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed)"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"{DISTRIBUTION} {version()}")
        raise typer.Exit()


@app.callback()
def _main(
    show_version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """The command's own options (--version), before plan, apply or run."""


@app.command(epilog=EXIT_CODES)
def plan(
    region: Regions = [],  # noqa: B006 - typer reads the default, never mutates it
    profile: Profiles = [],  # noqa: B006
    kinds: Kinds = None,
    older_than_days: OlderThanDays = None,
    max_deletions: MaxDeletions = None,
    name_exclude_regex: NameExcludeRegex = None,
    application_types: ApplicationTypes = None,
    retain_tag_key: RetainTagKey = None,
    show_kept: ShowKept = False,
    output: Output = OutputFormat.TABLE,
    out: Out = None,
) -> None:
    """List and select exactly as the function does, over every kind in --kinds; delete nothing."""
    settings = settings_of(
        kinds=kinds,
        older_than_days=older_than_days,
        max_deletions=max_deletions,
        name_exclude_regex=name_exclude_regex,
        application_types=application_types,
        retain_tag_key=retain_tag_key,
    )
    made = make_plan(settings, region, profile)
    render_plan(made, datetime.now(UTC), output, show_kept, Console())
    if out is not None:
        write_plan(made, out)
        Console(stderr=True).print(
            f"Plan of {made.job_count} {made.plural} written to {out}", highlight=False
        )


@app.command(epilog=EXIT_CODES + CONFIRM_EXIT_CODES)
def apply(
    plan_file: PlanFile,
    yes: Yes = False,
    max_age: MaxAge = 24.0,
    retain_tag_key: ApplyRetainTagKey = DEFAULT_RETAIN_TAG_KEY,
    show_jobs: ShowJobs = False,
    output: Output = OutputFormat.TABLE,
) -> None:
    """Delete exactly the plan's resources, re-checking each first with its own kind's calls."""
    key = settings_of(retain_tag_key=retain_tag_key).retain_tag_key
    try:
        made = read_plan(plan_file, timedelta(hours=max_age), datetime.now(UTC))
    except PlanFileError as error:
        fail(str(error))
    result = apply_plan(made, key, yes, show_jobs)
    if result is not None or output is not OutputFormat.TABLE:
        # JSON and CSV always get their document: with nothing applied, an empty outcome.
        render_apply(result or ApplyResult(), output, Console())
    elif made.job_count == 0:
        Console().print("Nothing to delete.")
    if result is not None and result.failed:
        raise typer.Exit(EXIT_FAILED)


@app.command(epilog=EXIT_CODES + CONFIRM_EXIT_CODES)
def run(
    region: Regions = [],  # noqa: B006
    profile: Profiles = [],  # noqa: B006
    kinds: Kinds = None,
    older_than_days: OlderThanDays = None,
    max_deletions: MaxDeletions = None,
    name_exclude_regex: NameExcludeRegex = None,
    application_types: ApplicationTypes = None,
    retain_tag_key: RetainTagKey = None,
    dry_run: DryRun = False,
    yes: Yes = False,
    show_jobs: ShowJobs = False,
    output: Output = OutputFormat.TABLE,
) -> None:
    """Plan, show, confirm and apply in one go. --output json or csv writes one document: the plan
    and what became of each item."""
    settings = settings_of(
        kinds=kinds,
        older_than_days=older_than_days,
        max_deletions=max_deletions,
        name_exclude_regex=name_exclude_regex,
        application_types=application_types,
        retain_tag_key=retain_tag_key,
    )
    made = make_plan(settings, region, profile)
    if output is OutputFormat.TABLE:
        # A person sees the plan before the confirmation asks about it.
        render_plan(made, datetime.now(UTC), output, False, Console())
    result = None if dry_run else apply_plan(made, settings.retain_tag_key, yes, show_jobs)
    if not dry_run or output is not OutputFormat.TABLE:
        render_run(made, result, datetime.now(UTC), output, Console())
    if result is not None and result.failed:
        raise typer.Exit(EXIT_FAILED)


def main() -> None:
    app()
