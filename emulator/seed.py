"""Demo data: the kind of account a janitor meets, with every case it must tell apart."""

from __future__ import annotations

import random
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
