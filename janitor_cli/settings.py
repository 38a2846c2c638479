"""The command line's options as the function's own settings model, with its messages."""

from __future__ import annotations

import re
from collections.abc import Mapping

from janitor.config.settings import Settings, SettingsError, load_settings

#: Option -> the environment variable of the function's setting it stands for.
OPTION_VARIABLES: dict[str, str] = {
    "--older-than-days": "RETENTION_DAYS",
    "--max-deletions": "MAX_DELETIONS_PER_RUN",
    "--name-exclude": "NAME_EXCLUDE_REGEX",
    "--application-types": "APPLICATION_TYPES",
    "--retain-tag-key": "RETAIN_TAG_KEY",
    "--statuses": "ELIGIBLE_STATUSES",
}
_VARIABLE = re.compile(r"\b(" + "|".join(OPTION_VARIABLES.values()) + r")\b")
#: The settings model needs a topic; the command line publishes nothing.
_NO_TOPIC = "arn:aws:sns:::bedrock-eval-janitor-cli-publishes-nothing"


class InvalidOptionsError(ValueError):
    """Options the settings model refuses; the message names each option."""


def cli_settings(options: Mapping[str, str | None]) -> Settings:
    """The function's settings for `options` (option name -> value, None for unset)."""
    environment = {OPTION_VARIABLES[name]: value for name, value in options.items() if value is not None}
    # The deployment's bounds on invocations do not apply to the account's owner at a terminal.
    environment |= {"MIN_OLDER_THAN_DAYS": "1", "MAX_DELETIONS_CEILING": "1000000"}
    try:
        return load_settings({**environment, "NOTIFICATION_TOPIC_ARN": _NO_TOPIC})
    except SettingsError as error:
        option_of = {variable: option for option, variable in OPTION_VARIABLES.items()}
        raise InvalidOptionsError(
            "; ".join(
                _VARIABLE.sub(lambda match: option_of[match[1]], problem.describe())
                for problem in error.problems
            )
        ) from None
