"""The deployment's list settings, in a file at the asset's root rather than the environment.

Lambda allows 4 KB for all of a function's environment variables together, which a few hundred
account ids would overflow; the stack writes the account, OU, Region and bucket lists at synth
into DEPLOYMENT_FILE (infra/lambda_asset.py), keyed by the variables they would have been.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

#: At the asset's root, which Lambda names in LAMBDA_TASK_ROOT.
DEPLOYMENT_FILE = "janitor-deployment.json"
#: The settings that travel in DEPLOYMENT_FILE rather than in the environment.
LIST_VARIABLES = (
    "TARGET_REGIONS",
    "ORGANIZATION_UNITS",
    "MEMBER_ACCOUNTS",
    "EXCLUDE_ACCOUNTS",
    "OUTPUT_BUCKETS",
)


class DeploymentFileError(ValueError):
    """The deployment file is unreadable or holds something other than list settings."""


def deployment_file_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """The list settings the stack wrote into the asset (DEPLOYMENT_FILE), or {} without one."""
    root = environ.get("LAMBDA_TASK_ROOT")
    path = Path(root) / DEPLOYMENT_FILE if root else None
    if path is None or not path.is_file():
        return {}
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DeploymentFileError(f"{DEPLOYMENT_FILE} cannot be read: {error}") from None
    if not isinstance(document, dict) or not all(
        key in LIST_VARIABLES and isinstance(value, str) for key, value in document.items()
    ):
        raise DeploymentFileError(f"{DEPLOYMENT_FILE} must map some of {', '.join(LIST_VARIABLES)} to text")
    return document
