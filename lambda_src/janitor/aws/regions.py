"""Which Region names exist: botocore's own endpoint data (every partition's Regions), so a typo
such as us-east-9 is refused by name instead of giving an empty run that looks like a clean one.
The stack checks targetRegions with it at synth, the command line its --region."""

from __future__ import annotations

import functools
from collections.abc import Iterable

import botocore.loaders


@functools.cache
def known_regions() -> frozenset[str]:
    """Every Region of every partition botocore knows (aws, aws-cn, aws-us-gov, ...)."""
    endpoints = botocore.loaders.create_loader().load_data("endpoints")
    return frozenset(region for partition in endpoints["partitions"] for region in partition["regions"])


def unknown_regions(names: Iterable[str]) -> list[str]:
    return sorted(set(names) - known_regions())


def unknown_region_message(names: Iterable[str]) -> str | None:
    """What is wrong with `names`, or None when every one is a Region."""
    unknown = unknown_regions(names)
    return f"{', '.join(unknown)} is not a Region of any AWS partition botocore knows" if unknown else None
