"""The command line's options as the function's own settings, named as options in its messages."""

from __future__ import annotations

from collections.abc import Mapping

from janitor.config.setting_errors import SettingsError
from janitor.config.settings import Settings, settings_from

#: The settings model needs a topic; the command line publishes nothing.
_NO_TOPIC = "arn:aws:sns:::bedrock-eval-janitor-cli-publishes-nothing"


class InvalidOptionsError(ValueError):
    """Options the settings model refuses; the message names each option."""


def cli_settings(options: Mapping[str, str | None]) -> Settings:
    """The function's settings for `options` (setting -> value, None for unset)."""
    values = {field: value for field, value in options.items() if value is not None}
    # The deployment's bounds on invocations do not apply to the account's owner at a terminal.
    values |= {"min_older_than_days": "1", "max_deletions_ceiling": "1000000"}
    try:
        return settings_from({**values, "notification_topic_arn": _NO_TOPIC}, "option")
    except SettingsError as error:
        raise InvalidOptionsError(str(error)) from None
