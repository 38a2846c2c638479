"""The function's settings, read once at cold start from its environment variables and the
deployment file, with the same declaration (janitor.config.settings) the stack validates."""

from __future__ import annotations

from collections.abc import Mapping

from janitor.config.deployment_file import DEPLOYMENT_FILE, DeploymentFileError, deployment_file_settings
from janitor.config.naming import environment_variable
from janitor.config.setting_errors import SettingProblem, SettingsError
from janitor.config.settings import RENAMED, Settings, settings_from


def load_settings(environ: Mapping[str, str]) -> Settings:
    """The settings from the function's environment variables and the deployment file, or
    SettingsError naming each bad variable."""
    try:
        from_file = deployment_file_settings(environ)
    except DeploymentFileError as error:
        raise SettingsError([SettingProblem(DEPLOYMENT_FILE, str(error), None)]) from None
    # Two sources of one setting would leave a reader guessing which one a run used.
    twice = sorted(name for name in from_file if name in environ)
    if twice:
        raise SettingsError(
            [
                SettingProblem(name, f"is set both in the environment and in {DEPLOYMENT_FILE}", None)
                for name in twice
            ]
        )
    renamed = [
        SettingProblem(
            environment_variable(old),
            f"was renamed {environment_variable(new)}: set that instead (cdk deploy sets it)",
            environ[environment_variable(old)],
        )
        for new, old in RENAMED.items()
        if environment_variable(old) in environ
    ]
    if renamed:
        raise SettingsError(
            renamed,
            where="janitor configuration in the function's environment",
            advice="Nothing was listed or deleted.",
        )
    given = {**environ, **from_file}
    values = {
        field: given[variable]
        for field in Settings.model_fields
        if (variable := environment_variable(field)) in given
    }
    try:
        return settings_from(values, "environment")
    except SettingsError as error:
        raise SettingsError(
            error.problems,
            where="janitor configuration in the function's environment",
            advice="Fix the value in the stack's context (cdk.json or `cdk deploy -c`) and redeploy.",
        ) from None
