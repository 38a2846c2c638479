"""The jobs a benchmark account holds: about half eligible, a few percent retained by tag.

Every job is described up front (deterministically, from a seed) so the counts the lower bounds
need are known exactly, and then seeded into the emulator oldest first (appending to its sorted
index is cheap; inserting in random order would cost O(n) per job).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from emulator import BedrockEmulator

RETENTION_DAYS = 30
RETAIN_TAG_KEY = "janitor:retain"
FINISHED_STATUSES = ("Completed", "Failed", "Stopped")
#: Share of all jobs per kind. Old finished jobs are candidates; 5% of them carry the retain tag.
OLD_FINISHED_SHARE = 0.50
RETAINED_SHARE_OF_CANDIDATES = 0.05
OLD_UNFINISHED_SHARE = 0.10
# The rest (40%) were created within the retention period.
_TEAMS = ("search", "support-bot", "ml-platform", "risk")


@dataclass(frozen=True, slots=True)
class JobSpec:
    name: str
    status: str
    age: timedelta
    tags: dict[str, str]
    application_type: str


@dataclass(frozen=True, slots=True)
class Population:
    """What a run over these jobs must do, counted from the specs."""

    total: int
    #: Created before the retention cutoff: what a ListEvaluationJobs with creationTimeBefore returns.
    old: int
    #: Old and finished: each needs one ListTagsForResource.
    candidates: int
    #: Candidates carrying janitor:retain=true: never to be deleted.
    retained: int

    @property
    def deletable(self) -> int:
        return self.candidates - self.retained

    def to_dict(self) -> dict[str, int]:
        return {
            "jobs": self.total,
            "oldListed": self.old,
            "candidates": self.candidates,
            "retained": self.retained,
            "deletable": self.deletable,
        }


def job_specs(total: int, seed: int = 1) -> list[JobSpec]:
    """`total` jobs, oldest first; the same seed gives the same jobs."""
    rng = random.Random(seed)
    old_finished = round(total * OLD_FINISHED_SHARE)
    retained = math.ceil(old_finished * RETAINED_SHARE_OF_CANDIDATES)
    old_unfinished = round(total * OLD_UNFINISHED_SHARE)
    kinds = (
        ["retained"] * retained
        + ["old-finished"] * (old_finished - retained)
        + ["old-unfinished"] * old_unfinished
        + ["recent"] * (total - old_finished - old_unfinished)
    )
    rng.shuffle(kinds)
    specs: list[JobSpec] = []
    for i, kind in enumerate(kinds):
        tags = {"team": rng.choice(_TEAMS)}
        if kind == "recent":
            # Safely inside the retention period whatever the run's clock says.
            age = timedelta(days=rng.uniform(0.01, RETENTION_DAYS - 2))
            status = rng.choice((*FINISHED_STATUSES, "InProgress"))
        else:
            age = timedelta(days=rng.uniform(RETENTION_DAYS + 2, 400))
            status = rng.choice(("InProgress", "Stopping")) if kind == "old-unfinished" else ""
            status = status or rng.choices(FINISHED_STATUSES, weights=(70, 20, 10))[0]
        if kind == "retained":
            tags[RETAIN_TAG_KEY] = "true"
        elif kind == "old-finished" and rng.random() < 0.02:
            tags[RETAIN_TAG_KEY] = "false"  # tagged, but not protected
        specs.append(
            JobSpec(
                name=f"{kind}-{i}",
                status=status,
                age=age,
                tags=tags,
                application_type="RagEvaluation" if rng.random() < 0.2 else "ModelEvaluation",
            )
        )
    specs.sort(key=lambda spec: spec.age, reverse=True)
    return specs


def population(specs: Sequence[JobSpec]) -> Population:
    cutoff = timedelta(days=RETENTION_DAYS)
    old = [spec for spec in specs if spec.age > cutoff]
    candidates = [spec for spec in old if spec.status in FINISHED_STATUSES]
    retained = [spec for spec in candidates if spec.tags.get(RETAIN_TAG_KEY) == "true"]
    return Population(len(specs), len(old), len(candidates), len(retained))


def seed(emulator: BedrockEmulator, specs: Sequence[JobSpec], now: datetime) -> dict[str, JobSpec]:
    """Adds the jobs (no request counted); returns ARN -> spec."""
    arns: dict[str, JobSpec] = {}
    for spec in specs:
        created = now - spec.age
        arns[
            emulator.add_job(
                name=spec.name,
                status=spec.status,
                creation_time=created.replace(microsecond=created.microsecond // 1000 * 1000),
                application_type=spec.application_type,
                tags=spec.tags,
            )
        ] = spec
    return arns
