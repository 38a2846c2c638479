"""The commands' steps (janitor_cli.app): settings, accounts, Regions, the plan, the confirmation
and the apply. Each ends the command with one line on stderr when it cannot go on: exit 2 for
invalid input, credentials or connection (before any Bedrock request), 1 for a failed listing."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import NoReturn

import click
import typer
from rich.console import Console
from rich.markup import escape

from janitor.config.settings import Settings
from janitor.core.kind import Kind
from janitor.kinds import KINDS
from janitor.run.target_sessions import TargetStores, session_stores
from janitor_cli import credentials
from janitor_cli.applying import ApplyResult, KindApply, apply_kind, plan_settings
from janitor_cli.credentials import CredentialsError
from janitor_cli.plan_records import a_noun
from janitor_cli.planning import Plan, PlanningStore, TargetPlan, plan_target, settings_record
from janitor_cli.render import confirmation_lines, progress_bar
from janitor_cli.settings import InvalidOptionsError, cli_settings
from janitor_cli.text import one_line

EXIT_FAILED = 1
EXIT_INVALID = 2
#: A confirmation answered no: nothing deleted, and nothing failed.
EXIT_DECLINED = 0
#: No terminal to ask (stdin closed or not interactive) and no --yes: nothing deleted.
EXIT_NO_ANSWER = EXIT_INVALID


def fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    """One line on stderr (never a traceback), then exit `code`."""
    line = escape(one_line(message))
    Console(stderr=True, soft_wrap=True).print(f"[red]error:[/red] {line}", highlight=False)
    raise typer.Exit(code)


def settings_of(**options: object) -> Settings:
    """The settings model over the options given (setting field -> value, None when not given)."""
    try:
        return cli_settings(
            {field: None if value is None else str(value) for field, value in options.items()}
        )
    except InvalidOptionsError as error:
        fail(str(error))


def _account_of(profile: str | None, region: str) -> str:
    """The account of the credentials (STS); a missing profile, bad credentials or an endpoint
    that cannot be reached end here, exit 2."""
    try:
        return credentials.account_of(profile, region)
    except CredentialsError as error:
        fail(str(error))


def _regions(regions: Sequence[str], profiles: Sequence[str | None]) -> list[str]:
    try:
        return credentials.regions(regions, profiles)
    except CredentialsError as error:
        fail(str(error))


def _stores(profile: str | None, region: str, concurrency: int, kinds: Sequence[Kind]) -> TargetStores:
    """The function's own stores, with the profile's credentials: the same clients and lookups."""
    return session_stores(credentials.session(profile, region), concurrency, kinds)


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
            stores = _stores(target.profile, target.region, settings.max_concurrency, settings.enabled_kinds)
            on_page = functools.partial(progress.advance, task)
            planning = {name: PlanningStore(store, on_page) for name, store in stores.leftovers.items()}
            try:
                plan_target(settings, planning, stores.tags, target, now)
            except RuntimeError as error:
                fail(f"{target.account_id} {target.region}: {error}", EXIT_FAILED)
            progress.update(task, total=target.scanned, completed=target.scanned)
    return Plan(now, settings_record(settings), targets)


def _confirmed(made: Plan, retain_tag_key: str, show_jobs: bool) -> bool:
    """Show what is about to go (where, with which settings, which jobs) and ask."""
    stderr = Console(stderr=True, soft_wrap=True, highlight=False)
    for line in confirmation_lines(made, retain_tag_key, show_jobs):
        stderr.print(line, markup=False)
    try:
        if click.confirm(f"Delete {made.job_count} {made.plural}?", err=True):
            return True
    except click.exceptions.Abort:
        fail("no answer to the confirmation: nothing deleted (pass --yes to skip it)", EXIT_NO_ANSWER)
    stderr.print("Not confirmed: nothing deleted.")
    return False


def _check_targets(made: Plan) -> None:
    """Each target's credentials are its account's, and each planned resource is one of its kind
    in that account and Region: a plan must not reach another account's or Region's through it."""
    for target in made.targets:
        current = _account_of(target.profile, target.region)
        if current != target.account_id:
            fail(f"the plan is for account {target.account_id}, but the credentials are for {current}")
        for job in target.jobs:
            kind = KINDS.get(job.kind)
            if (
                kind is None
                or not kind.arn_pattern.match(job.job_arn)
                or job.job_arn.split(":")[3:5] != [target.region, target.account_id]
            ):
                what = a_noun(kind) if kind else f"a {job.kind}"
                fail(
                    f"the plan lists {job.job_arn}, which is not {what} of {target.account_id} {target.region}"
                )


def apply_plan(made: Plan, retain_tag_key: str, yes: bool, show_jobs: bool) -> ApplyResult | None:
    """Delete `made`'s resources, each re-checked with the plan's settings and `retain_tag_key`,
    which is this command's own (--retain-tag-key), never one read from the plan. None when
    nothing was applied: nothing to delete, or the confirmation was declined."""
    if made.settings.get("retainTagKey") != retain_tag_key:
        fail(
            f"the plan was made with --retain-tag-key {made.settings.get('retainTagKey')}, but apply keeps "
            f"jobs tagged {retain_tag_key}=true: pass --retain-tag-key {made.settings.get('retainTagKey')} "
            "to apply if that is the key your account uses, or make a new plan"
        )
    _check_targets(made)
    if made.job_count == 0:
        return None
    if not yes and not _confirmed(made, retain_tag_key, show_jobs):
        return None
    judged = plan_settings(made.settings, retain_tag_key)
    now = datetime.now(UTC)
    concurrency = cli_settings({}).max_concurrency  # the defaults' concurrency
    result = ApplyResult()
    with progress_bar(Console(stderr=True)) as progress:
        for target in made.targets:
            stores = _stores(target.profile, target.region, concurrency, made.kinds)
            task = progress.add_task(
                f"{target.account_id} {target.region}: re-checking", total=len(target.jobs)
            )
            for kind in made.kinds:
                arns = [job.job_arn for job in target.jobs if job.kind == kind.name]
                if arns:
                    apply_kind(
                        KindApply(
                            stores.leftovers[kind.name], stores.tags, judged.selection_policy(now, kind)
                        ),
                        arns,
                        result,
                        functools.partial(progress.advance, task),
                    )
    return result
