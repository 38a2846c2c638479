"""The `bedrock-eval-janitor` command: plan, apply, run. Exit codes: 0 done, 1 some jobs failed,
2 invalid input or credentials (a message, no traceback, no Bedrock request)."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, NoReturn

import click
import typer
from rich.console import Console
from rich.markup import escape

from janitor.config.settings import DEFAULT_RETAIN_TAG_KEY, Settings
from janitor.kinds.evaluation_jobs import EVALUATION_JOBS
from janitor.run.target_sessions import TargetStores, session_stores
from janitor_cli import credentials
from janitor_cli.applying import ApplyResult, apply_target, plan_policy
from janitor_cli.credentials import CredentialsError
from janitor_cli.plan_file import PlanFileError, read_plan, write_plan
from janitor_cli.planning import Plan, PlanningStore, TargetPlan, plan_target, settings_record
from janitor_cli.render import (
    OutputFormat,
    confirmation_lines,
    progress_bar,
    render_apply,
    render_plan,
)
from janitor_cli.settings import InvalidOptionsError, cli_settings
from janitor_cli.text import one_line

app = typer.Typer(
    name="bedrock-eval-janitor",
    help="See which Amazon Bedrock evaluation jobs the janitor would delete in your account, and delete exactly a reviewed plan.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
EXIT_FAILED = 1
EXIT_INVALID = 2

Regions = Annotated[
    list[str],
    typer.Option("--region", help="A Region to plan for (repeatable); default: your configured Region."),
]
Profiles = Annotated[
    list[str],
    typer.Option("--profile", help="A named profile (repeatable); default: the default credential chain."),
]
OlderThanDays = Annotated[
    int | None,
    typer.Option("--older-than-days", help="Only jobs created more than this many days ago (default 30)."),
]
MaxDeletions = Annotated[
    int | None,
    typer.Option("--max-deletions", help="At most this many jobs per account and Region (default 1000)."),
]
NameExcludeRegex = Annotated[
    str | None,
    typer.Option(
        "--name-exclude-regex",
        "--name-exclude",
        help="Keep jobs whose name matches this regular expression (--name-exclude: the old spelling).",
    ),
]
ApplicationTypes = Annotated[
    str | None, typer.Option("--application-types", help="ModelEvaluation,RagEvaluation (default both).")
]
RetainTagKey = Annotated[
    str | None,
    typer.Option("--retain-tag-key", help="Jobs tagged <key>=true are kept (default janitor:retain)."),
]
Output = Annotated[OutputFormat, typer.Option("--output", help="table, json or csv.")]
Yes = Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")]
ShowJobs = Annotated[
    bool,
    typer.Option(
        "--show-jobs", help="List every job in the confirmation (default: the first 10 of each Region)."
    ),
]
ApplyRetainTagKey = Annotated[
    str,
    typer.Option(
        "--retain-tag-key",
        help="Jobs tagged <key>=true are kept; a plan made with another key is refused.",
    ),
]


def _fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    """One line on stderr (never a traceback), then exit `code`."""
    line = escape(one_line(message))
    Console(stderr=True, soft_wrap=True).print(f"[red]error:[/red] {line}", highlight=False)
    raise typer.Exit(code)


def _settings(
    older_than_days: int | None,
    max_deletions: int | None,
    name_exclude_regex: str | None,
    application_types: str | None,
    retain_tag_key: str | None,
) -> Settings:
    try:
        return cli_settings(
            {
                "older_than_days": None if older_than_days is None else str(older_than_days),
                "max_deletions": None if max_deletions is None else str(max_deletions),
                "name_exclude_regex": name_exclude_regex,
                "application_types": application_types,
                "retain_tag_key": retain_tag_key,
            }
        )
    except InvalidOptionsError as error:
        _fail(str(error))


def _account_of(profile: str | None, region: str) -> str:
    """The account of the credentials (STS); a missing profile or bad credentials end here, exit 2."""
    try:
        return credentials.account_of(profile, region)
    except CredentialsError as error:
        _fail(str(error))


def _regions(regions: Sequence[str], profiles: Sequence[str | None]) -> list[str]:
    try:
        return credentials.regions(regions, profiles)
    except CredentialsError as error:
        _fail(str(error))


def _stores(profile: str | None, region: str, settings: Settings) -> TargetStores:
    """The function's own stores, with the profile's credentials: the same clients and lookups."""
    session = credentials.session(profile, region)
    return session_stores(session, settings.max_concurrency, settings.tag_lookup == "batched")


def make_plan(settings: Settings, regions: Sequence[str], profiles: Sequence[str]) -> Plan:
    now = datetime.now(UTC)
    chosen: list[str | None] = list(profiles) or [None]
    targets = [
        TargetPlan(_account_of(profile, region), region, profile)
        for profile, region in itertools.product(chosen, _regions(regions, chosen))
    ]
    with progress_bar(Console(stderr=True)) as progress:
        for target in targets:
            task = progress.add_task(
                f"{target.account_id} {target.region}: listing and looking up", total=None
            )
            stores = _stores(target.profile, target.region, settings)
            store = PlanningStore(stores.jobs, functools.partial(progress.advance, task))
            try:
                plan_target(settings, store, stores.tags, target, now)
            except RuntimeError as error:
                _fail(f"{target.account_id} {target.region}: {error}", EXIT_FAILED)
            progress.update(task, total=target.scanned, completed=target.scanned)
    return Plan(now, settings_record(settings), targets)


@app.command()
def plan(
    region: Regions = [],  # noqa: B006 - typer reads the default, never mutates it
    profile: Profiles = [],  # noqa: B006
    older_than_days: OlderThanDays = None,
    max_deletions: MaxDeletions = None,
    name_exclude_regex: NameExcludeRegex = None,
    application_types: ApplicationTypes = None,
    retain_tag_key: RetainTagKey = None,
    show_kept: Annotated[
        bool, typer.Option("--show-kept", help="Also list every kept job with its reason.")
    ] = False,
    output: Output = OutputFormat.TABLE,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the plan to this file, for `apply`.")
    ] = None,
) -> None:
    """List and select exactly as the function does; delete nothing."""
    settings = _settings(
        older_than_days, max_deletions, name_exclude_regex, application_types, retain_tag_key
    )
    made = make_plan(settings, region, profile)
    render_plan(made, datetime.now(UTC), output, show_kept, Console())
    if out is not None:
        write_plan(made, out)
        Console(stderr=True).print(f"Plan of {made.job_count} jobs written to {out}", highlight=False)


def _confirmed(made: Plan, retain_tag_key: str, show_jobs: bool) -> bool:
    """Show what is about to go (where, with which settings, which jobs) and ask."""
    stderr = Console(stderr=True, soft_wrap=True, highlight=False)
    for line in confirmation_lines(made, retain_tag_key, show_jobs):
        stderr.print(line, markup=False)
    try:
        if click.confirm(f"Delete {made.job_count} evaluation jobs?", err=True):
            return True
    except click.exceptions.Abort:
        _fail("no answer to the confirmation: nothing deleted (pass --yes to skip it)")
    stderr.print("Not confirmed: nothing deleted.")
    return False


def _apply(made: Plan, retain_tag_key: str, yes: bool, show_jobs: bool, output: OutputFormat) -> None:
    """Delete `made`'s jobs, each re-checked with the plan's settings and `retain_tag_key`, which
    is this command's own (--retain-tag-key), never one read from the plan."""
    if made.settings.get("retainTagKey") != retain_tag_key:
        _fail(
            f"the plan was made with --retain-tag-key {made.settings.get('retainTagKey')}, but apply keeps "
            f"jobs tagged {retain_tag_key}=true: pass --retain-tag-key {made.settings.get('retainTagKey')} "
            "to apply if that is the key your account uses, or make a new plan"
        )
    for target in made.targets:
        current = _account_of(target.profile, target.region)
        if current != target.account_id:
            _fail(f"the plan is for account {target.account_id}, but the credentials are for {current}")
        # A plan must not reach another account's or Region's jobs through this one.
        bad = [
            arn
            for arn in (job.job_arn for job in target.jobs)
            if not EVALUATION_JOBS.arn_pattern.match(arn)
            or arn.split(":")[3:5] != [target.region, target.account_id]
        ]
        if bad:
            _fail(
                f"the plan lists {bad[0]}, which is not an evaluation job of {target.account_id} {target.region}"
            )
    if made.job_count == 0:
        Console().print("Nothing to delete.")
        return
    if not yes and not _confirmed(made, retain_tag_key, show_jobs):
        return
    policy = plan_policy(made.settings, datetime.now(UTC), retain_tag_key)
    result = ApplyResult()
    with progress_bar(Console(stderr=True)) as progress:
        for target in made.targets:
            jobs = _stores(target.profile, target.region, cli_settings({})).jobs  # the defaults' concurrency
            task = progress.add_task(
                f"{target.account_id} {target.region}: re-checking", total=len(target.jobs)
            )
            apply_target(
                jobs,
                [job.job_arn for job in target.jobs],
                policy,
                result,
                functools.partial(progress.advance, task),
            )
    render_apply(result, output, Console())
    if result.failed:
        raise typer.Exit(EXIT_FAILED)


@app.command()
def apply(
    plan_file: Annotated[Path, typer.Argument(help="A plan written by `plan --out`.")],
    yes: Yes = False,
    max_age: Annotated[
        float, typer.Option("--max-age", help="Refuse a plan older than this many hours.", min=0)
    ] = 24.0,
    retain_tag_key: ApplyRetainTagKey = DEFAULT_RETAIN_TAG_KEY,
    show_jobs: ShowJobs = False,
    output: Output = OutputFormat.TABLE,
) -> None:
    """Delete exactly the plan's jobs, re-checking each first."""
    key = _settings(None, None, None, None, retain_tag_key).retain_tag_key
    try:
        made = read_plan(plan_file, timedelta(hours=max_age), datetime.now(UTC))
    except PlanFileError as error:
        _fail(str(error))
    _apply(made, key, yes, show_jobs, output)


@app.command()
def run(
    region: Regions = [],  # noqa: B006
    profile: Profiles = [],  # noqa: B006
    older_than_days: OlderThanDays = None,
    max_deletions: MaxDeletions = None,
    name_exclude_regex: NameExcludeRegex = None,
    application_types: ApplicationTypes = None,
    retain_tag_key: RetainTagKey = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only plan (the same as `plan`).")] = False,
    yes: Yes = False,
    show_jobs: ShowJobs = False,
    output: Output = OutputFormat.TABLE,
) -> None:
    """Plan, show, confirm and apply in one go."""
    settings = _settings(
        older_than_days, max_deletions, name_exclude_regex, application_types, retain_tag_key
    )
    made = make_plan(settings, region, profile)
    render_plan(made, datetime.now(UTC), output, False, Console())
    if not dry_run:
        _apply(made, settings.retain_tag_key, yes, show_jobs, output)


def main() -> None:
    app()
