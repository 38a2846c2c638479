"""The plan file: what `plan --out` writes, and every check `apply` makes on it before any request.

Version 4. Besides `kind`, `version`, `createdAt`, the `settings` (the kinds planned for among
them) and, per account and Region, the planned resources, each with its kind (janitor.kinds:
`evaluationJobs`, `promptOptimizationJobs`, `batchEvaluations`) and the fields the selection read
(ARN, name, status, creation time, application type: null but for evaluation jobs), the file
carries `digest`: "sha256:" and the SHA-256 of the canonical JSON (sorted keys, no blanks, ASCII)
of everything else in it. A plan is refused before any request when it is not JSON, when any
field is missing, extra, of the wrong type or malformed (a time without a time zone, an unknown
kind, an ARN that is not one of its kind's, or of another account or Region; the shape is
janitor_cli.plan_records), when its digest does not match, and when it lists a resource of a
kind it was not made for, or one that its own settings, at its own creation time, would not
have selected.

The digest only catches a plan changed by accident or by hand: whoever can edit the file can
recompute it. What holds against such an edit is, first, the re-selection here (the function's
own pure policy over each listed job's recorded fields), then `apply`'s own retain-tag key
(never the plan's) and its re-check of every job as Bedrock describes it now
(janitor_cli.applying).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from janitor.config.settings import Settings
from janitor.core.selection import Leftover, skip_reason
from janitor.kinds import KINDS
from janitor_cli.plan_records import PlanRecord, SettingsRecord, a_noun, first_problem
from janitor_cli.planning import Plan, PlannedJob, TargetPlan, settings_record
from janitor_cli.settings import InvalidOptionsError, cli_settings

PLAN_KIND = "bedrock-eval-janitor-plan"
#: 4: each planned item names its kind, and the settings the kinds planned for.
PLAN_VERSION = 4
DIGEST_PREFIX = "sha256:"
#: A plan dated this far ahead of the local clock is refused (clocks differ a little).
CLOCK_SKEW = timedelta(minutes=5)
_REMAKE = "make a new one with `bedrock-eval-janitor plan --out FILE`"


class PlanFileError(ValueError):
    """A plan file that cannot be applied; nothing was requested. The message is one line."""


def plan_digest(document: Mapping[str, Any]) -> str:
    """ "sha256:<hex>" over the canonical JSON of `document` without its `digest`."""
    body = {key: value for key, value in document.items() if key != "digest"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return DIGEST_PREFIX + hashlib.sha256(canonical.encode("ascii")).hexdigest()


def with_digest(document: Mapping[str, Any]) -> dict[str, Any]:
    """`document` with its `digest` (re)computed."""
    return {
        **{key: value for key, value in document.items() if key != "digest"},
        "digest": plan_digest(document),
    }


def plan_document(plan: Plan) -> dict[str, Any]:
    """The plan as its file holds it, digest included."""
    return with_digest(
        {
            "kind": PLAN_KIND,
            "version": PLAN_VERSION,
            "createdAt": plan.created_at.isoformat(),
            "settings": plan.settings,
            "targets": [
                {
                    "accountId": target.account_id,
                    "region": target.region,
                    "profile": target.profile,
                    "jobs": [
                        {
                            "kind": job.kind,
                            "jobArn": job.job_arn,
                            "jobName": job.job_name,
                            "status": job.status,
                            "creationTime": job.creation_time,
                            "applicationType": job.application_type,
                        }
                        for job in target.jobs
                    ],
                }
                for target in plan.targets
            ],
        }
    )


def write_plan(plan: Plan, path: Path) -> None:
    path.write_text(json.dumps(plan_document(plan), indent=2) + "\n", encoding="utf-8")


# -- reading ------------------------------------------------------------------------------------


def _document(path: Path) -> dict[str, Any]:
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise PlanFileError(
            f"cannot read the plan {path} ({error.strerror or error}): check the path, or {_REMAKE}"
        ) from None
    except UnicodeDecodeError:
        raise PlanFileError(f"{path} is not a plan (not UTF-8 text): {_REMAKE}") from None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise PlanFileError(
            f"{path} is not a plan (not JSON: {' '.join(str(error).split())}): {_REMAKE}"
        ) from None
    if not isinstance(document, dict) or document.get("kind") != PLAN_KIND:
        raise PlanFileError(f"{path} is not a bedrock-eval-janitor plan: {_REMAKE}")
    version = document.get("version")
    if type(version) is not int or version != PLAN_VERSION:
        raise PlanFileError(
            f"{path} is a plan of version {version!r}; this command applies version {PLAN_VERSION} only: {_REMAKE}"
        )
    digest = document.get("digest")
    if not isinstance(digest, str) or not hmac.compare_digest(digest, plan_digest(document)):
        raise PlanFileError(
            f"{path}: the plan changed after it was written (its digest does not match its content): "
            f"review it again and {_REMAKE}"
        )
    return document


def _settings(record: SettingsRecord) -> Settings:
    """The function's settings model over the plan's settings, which must be exactly as written."""
    try:
        settings = cli_settings(
            {
                "kinds": ",".join(record.kinds),
                "older_than_days": str(record.older_than_days),
                "max_deletions": str(record.max_deletions),
                "name_exclude_regex": record.name_exclude_regex,
                "application_types": ",".join(record.application_types),
                "eligible_statuses": ",".join(record.eligible_statuses),
                "retain_tag_key": record.retain_tag_key,
            }
        )
    except InvalidOptionsError as error:
        raise PlanFileError(f"the plan's settings are invalid ({error}): {_REMAKE}") from None
    if settings_record(settings) != record.model_dump(by_alias=True):
        raise PlanFileError(f"the plan's settings are not as `plan` writes them: {_REMAKE}")
    return settings


def _check_jobs(record: PlanRecord, settings: Settings) -> None:
    """Each job once, of a kind the plan was made for, in its target's account and Region, and one
    the plan's settings select (with its own kind's policy)."""
    seen: set[str] = set()
    for target in record.targets:
        if len(target.jobs) > settings.max_deletions:
            raise PlanFileError(
                f"the plan lists {len(target.jobs)} jobs in {target.account_id} {target.region}, more than "
                f"its maxDeletions ({settings.max_deletions}): it changed after it was written; {_REMAKE}"
            )
        for job in target.jobs:
            kind = KINDS[job.kind]
            if job.kind not in settings.kinds:
                raise PlanFileError(
                    f"the plan lists {job.job_arn}, {a_noun(kind)}, but it was made for "
                    f"{', '.join(sorted(settings.kinds))} only: it changed after it was written; {_REMAKE}"
                )
            region, account = job.job_arn.split(":")[3:5]
            if (account, region) != (target.account_id, target.region):
                raise PlanFileError(
                    f"the plan lists {job.job_arn}, which is not {a_noun(kind)} of {target.account_id} "
                    f"{target.region}: {_REMAKE}"
                )
            if job.job_arn in seen:
                raise PlanFileError(f"the plan lists {job.job_arn} twice: {_REMAKE}")
            seen.add(job.job_arn)
            as_listed = Leftover(
                job.job_arn, job.job_name, job.status, job.creation_time, job.application_type
            )
            reason = skip_reason(as_listed, settings.selection_policy(record.created_at, kind))
            if reason is not None:
                raise PlanFileError(
                    f"the plan lists {job.job_arn} ({job.job_name!r}), which its own settings would not "
                    f"have selected ({reason.value}): the plan changed after it was written; {_REMAKE}"
                )


def read_plan(path: Path, max_age: timedelta, now: datetime) -> Plan:
    """The plan in `path`, or PlanFileError saying in one line why it cannot be applied."""
    document = _document(path)
    try:
        record = PlanRecord.model_validate(document)
    except ValidationError as error:
        raise PlanFileError(f"{path} is malformed at {first_problem(error)}: {_REMAKE}") from None
    settings = _settings(record.settings)
    _check_jobs(record, settings)
    age = now - record.created_at
    if age < -CLOCK_SKEW:
        raise PlanFileError(
            f"the plan is dated {record.created_at.isoformat()}, in the future: check this machine's clock, or {_REMAKE}"
        )
    if age > max_age:
        raise PlanFileError(
            f"the plan was made {age.total_seconds() / 3600:.1f} h ago, more than --max-age "
            f"({max_age.total_seconds() / 3600:g} h): {_REMAKE}"
        )
    targets = [
        TargetPlan(
            account_id=target.account_id,
            region=target.region,
            profile=target.profile,
            jobs=[
                PlannedJob(
                    job.job_arn,
                    job.job_name,
                    job.status,
                    job.creation_time.isoformat(),
                    job.application_type,
                    job.kind,
                )
                for job in target.jobs
            ],
        )
        for target in record.targets
    ]
    return Plan(record.created_at, settings_record(settings), targets)
