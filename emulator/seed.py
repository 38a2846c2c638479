"""Demo data: the kind of account a janitor meets, with every case it must tell apart, for
evaluation jobs and for the other kinds (advanced prompt optimization jobs, batch evaluations)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from emulator.server import BedrockEmulator

_MODELS = (
    "anthropic.claude-3-haiku-20240307-v1:0",
    "amazon.titan-text-express-v1",
    "meta.llama3-8b-instruct-v1:0",
    "mistral.mistral-7b-instruct-v0:2",
)
_TASKS = ("Summarization", "Classification", "QuestionAndAnswer", "Generation")
_TEAMS = ("search", "support-bot", "ml-platform")

# The edge cases come first so that even a small count contains them:
# (name prefix, status, age in days, retain tag value or None).
_SPECIAL: tuple[tuple[str, str, float, str | None], ...] = (
    ("retained-baseline", "Completed", 200, "true"),
    ("retained-shouting", "Completed", 150, "TRUE"),
    ("retained-failure", "Failed", 90, "true"),
    ("keep-golden-set", "Completed", 300, None),
    ("keep-regression", "Stopped", 120, None),
    ("stuck-in-progress", "InProgress", 45, None),
    ("nightly-in-progress", "InProgress", 0.1, None),
    ("long-stopping", "Stopping", 20, None),
    ("fresh-completed", "Completed", 1, None),
    ("fresh-failed", "Failed", 2, None),
)


def seed_demo_jobs(emu: BedrockEmulator, now: datetime, count: int = 60, rng_seed: int = 7) -> None:
    """Adds ``count`` jobs created before ``now``; the same seed gives the same jobs."""
    rng = random.Random(rng_seed)
    for i in range(count):
        retain: str | None = None
        if i < len(_SPECIAL):
            prefix, status, age_days, retain = _SPECIAL[i]
        else:
            draw = rng.random()
            if draw < 0.08:
                prefix, status, age_days = "nightly", "InProgress", rng.uniform(0, 2)
            elif draw < 0.11:
                prefix, status, age_days = "nightly", "Stopping", rng.uniform(0, 2)
            elif draw < 0.25:
                prefix, age_days = "recent", rng.uniform(0, 6)
                status = rng.choice(("Completed", "Completed", "Failed", "Stopped"))
            else:
                prefix, age_days = "sweep", rng.uniform(8, 400)
                status = rng.choices(("Completed", "Failed", "Stopped"), weights=(65, 20, 15))[0]
        rag = rng.random() < 0.25
        human = not rag and rng.random() < 0.2
        tags = {"team": rng.choice(_TEAMS)}
        if retain is not None:
            tags["janitor:retain"] = retain
        created = now - timedelta(days=age_days, seconds=rng.randint(0, 3600))
        finished = status in ("Completed", "Failed", "Stopped")
        modified = min(created + timedelta(minutes=rng.randint(5, 240)), now) if finished else created
        kind = "rag" if rag else "human" if human else "model"
        emu.add_job(
            name=f"{prefix}-{kind}-{i:03d}",
            status=status,
            creation_time=created,
            application_type="RagEvaluation" if rag else "ModelEvaluation",
            job_type="Human" if human else "Automated",
            tags=tags,
            last_modified_time=modified,
            model_identifiers=[rng.choice(_MODELS)],
            task_types=["QuestionAndAnswer"] if rag else [rng.choice(_TASKS)],
        )


# The other kinds' edge cases, first for the same reason: (name prefix, status, age in days,
# retain tag value or None). Prompt optimization job names allow no '_', AgentCore's no '-'.
_PROMPT_OPTIMIZATION_SPECIAL: tuple[tuple[str, str, float, str | None], ...] = (
    ("retained-prompt", "Completed", 200, "true"),
    ("retained-shouting", "PartiallyCompleted", 150, "TRUE"),
    ("stuck-in-progress", "InProgress", 45, None),
    ("long-stopping", "Stopping", 20, None),
    ("fresh-completed", "Completed", 1, None),
    ("old-partial", "PartiallyCompleted", 90, None),
    ("old-failed", "Failed", 120, None),
    ("old-stopped", "Stopped", 60, None),
)
_BATCH_EVALUATION_SPECIAL: tuple[tuple[str, str, float, str | None], ...] = (
    ("retained_eval", "COMPLETED", 200, "true"),
    ("retained_shouting", "COMPLETED_WITH_ERRORS", 150, "TRUE"),
    ("stuck_pending", "PENDING", 45, None),
    ("long_in_progress", "IN_PROGRESS", 30, None),
    ("long_stopping", "STOPPING", 20, None),
    ("fresh_completed", "COMPLETED", 1, None),
    ("old_with_errors", "COMPLETED_WITH_ERRORS", 90, None),
    ("old_failed", "FAILED", 120, None),
    ("old_stopped", "STOPPED", 60, None),
)


def _seed_kind(
    add: Callable[..., str],
    special: Sequence[tuple[str, str, float, str | None]],
    finished: Sequence[str],
    now: datetime,
    count: int,
    rng_seed: int,
    separator: str,
) -> list[str]:
    """``count`` resources through `add`: the edge cases first, then old finished ones."""
    rng = random.Random(rng_seed)
    arns = []
    for i in range(count):
        if i < len(special):
            prefix, status, age_days, retain = special[i]
        else:
            prefix, status, age_days, retain = "sweep", rng.choice(finished), rng.uniform(8, 400), None
        tags = {"team": rng.choice(_TEAMS)}
        if retain is not None:
            tags["janitor:retain"] = retain
        created = now - timedelta(days=age_days, seconds=rng.randint(0, 3600))
        arns.append(add(name=f"{prefix}{separator}{i:03d}", status=status, creation_time=created, tags=tags))
    return arns


def seed_demo_prompt_optimization_jobs(
    emu: BedrockEmulator, now: datetime, count: int = 12, rng_seed: int = 7
) -> list[str]:
    """Adds ``count`` advanced prompt optimization jobs created before ``now``; their ARNs."""
    finished = ("Completed", "Completed", "PartiallyCompleted", "Failed", "Stopped")
    return _seed_kind(
        emu.add_prompt_optimization_job, _PROMPT_OPTIMIZATION_SPECIAL, finished, now, count, rng_seed, "-"
    )


def seed_demo_batch_evaluations(
    emu: BedrockEmulator, now: datetime, count: int = 12, rng_seed: int = 7
) -> list[str]:
    """Adds ``count`` AgentCore batch evaluations created before ``now``; their ARNs."""
    finished = ("COMPLETED", "COMPLETED", "COMPLETED_WITH_ERRORS", "FAILED", "STOPPED")
    return _seed_kind(
        emu.add_batch_evaluation, _BATCH_EVALUATION_SPECIAL, finished, now, count, rng_seed, "_"
    )
