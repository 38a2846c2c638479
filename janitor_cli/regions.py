"""Which `--region` names are Regions: botocore's own endpoint data, partition by partition.

botocore's endpoints.json lists, for each partition (aws, aws-cn, aws-us-gov, ...), a
`regionRegex` and its `regions`. The regex cannot tell a Region from a typo: `us-east-9` matches
the aws partition's `^(us|eu|ap|...)\\-\\w+\\-\\d+$` as well as `us-east-1` does, and botocore would
build an endpoint for it and send the request, which then fails as a connection or credentials
problem far from the typo. So a name is a Region only if a partition lists it in `regions`. That
list holds every Region of the partition, opt-in ones (af-south-1, me-south-1, ap-east-1...)
included, whether or not your account has enabled them (an account's opt-in is its own: a
disabled one fails at STS with its own message), and every Region offering any service, not only
those with Bedrock (a Region without it answers for itself). A Region launched after the
installed botocore is refused with the advice to upgrade botocore: its endpoint data comes with
each release, and the refusal is cheaper than a request to a misspelled Region.
"""

from __future__ import annotations

from collections.abc import Sequence

import botocore

from janitor.aws.regions import known_regions


class UnknownRegionError(ValueError):
    """A name shaped like a Region that no partition lists."""


def check_regions(names: Sequence[str]) -> None:
    """UnknownRegionError naming the first of `names` that is no partition's Region (the check the
    stack makes of targetRegions, janitor.aws.regions)."""
    unknown = [name for name in names if name not in known_regions()]
    if unknown:
        raise UnknownRegionError(
            f"--region {unknown[0]} is not a Region of any AWS partition botocore "
            f"{botocore.__version__} knows (such as us-east-1, eu-west-1): check its spelling, or, if "
            "it is a Region newer than this botocore, upgrade botocore"
        )
