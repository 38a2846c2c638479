import json
import subprocess
import sys
from pathlib import Path

import pytest

from janitor.config.deployment_file import DEPLOYMENT_FILE
from janitor.config.function_environment import load_settings
from janitor.config.setting_errors import SettingsError

TOPIC = "arn:aws:sns:us-east-1:123456789012:janitor-failures"
REPO = Path(__file__).resolve().parents[2]
BASE_ENVIRONMENT = {"NOTIFICATION_TOPIC_ARN": TOPIC}


def test_defaults_match_the_documented_ones() -> None:
    settings = load_settings({"NOTIFICATION_TOPIC_ARN": TOPIC})
    assert settings.older_than_days == 30
    assert settings.eligible_statuses == {"Completed", "Failed", "Stopped"}
    assert settings.application_types == {"ModelEvaluation", "RagEvaluation"}
    assert settings.retain_tag_key == "janitor:retain"
    assert settings.name_exclude_regex is None
    assert settings.max_deletions == 1000
    assert settings.dry_run is False


def test_every_setting_is_read_from_its_variable() -> None:
    settings = load_settings(
        {
            "NOTIFICATION_TOPIC_ARN": TOPIC,
            "OLDER_THAN_DAYS": "14",
            "ELIGIBLE_STATUSES": "Completed, Stopped",
            "APPLICATION_TYPES": "RagEvaluation",
            "RETAIN_TAG_KEY": "keep",
            "NAME_EXCLUDE_REGEX": "^golden-",
            "MAX_DELETIONS": "50",
            "DRY_RUN": "TRUE",
            "MAX_CONCURRENCY": "4",
            "TIME_RESERVE_SECONDS": "30",
        }
    )
    assert settings.older_than_days == 14
    assert settings.eligible_statuses == {"Completed", "Stopped"}
    assert settings.application_types == {"RagEvaluation"}
    assert settings.retain_tag_key == "keep"
    assert settings.name_exclude_regex is not None
    assert settings.name_exclude_regex.search("golden-1")
    assert (
        settings.max_deletions,
        settings.dry_run,
        settings.max_concurrency,
        settings.time_reserve_seconds,
    ) == (
        50,
        True,
        4,
        30,
    )


@pytest.mark.parametrize(
    ("variable", "value", "hint"),
    [
        ("OLDER_THAN_DAYS", "0", "greater than or equal to 1"),
        ("OLDER_THAN_DAYS", "thirty", "valid integer"),
        ("ELIGIBLE_STATUSES", "Completed,InProgress", "InProgress cannot be cleaned up"),
        ("ELIGIBLE_STATUSES", "Deleting", "only finished jobs"),
        ("ELIGIBLE_STATUSES", "", "at least one status"),
        ("APPLICATION_TYPES", "ModelEvaluation,Batch", "unknown application type Batch"),
        ("NAME_EXCLUDE_REGEX", "(unclosed", "not a valid regular expression"),
        ("MAX_DELETIONS", "-5", "greater than or equal to 1"),
        ("DRY_RUN", "yes", "'true' or 'false'"),
        ("NOTIFICATION_TOPIC_ARN", "janitor-failures", "should match pattern"),
        ("MAX_CONCURRENCY", "0", "greater than or equal to 1"),
        ("TIME_RESERVE_SECONDS", "1000", "less than or equal to 900"),
    ],
)
def test_a_bad_value_names_its_variable(variable: str, value: str, hint: str) -> None:
    environ = {"NOTIFICATION_TOPIC_ARN": TOPIC, variable: value}
    with pytest.raises(SettingsError) as raised:
        load_settings(environ)
    assert f"{variable}: " in str(raised.value)
    assert hint in str(raised.value)
    assert repr(value) in str(raised.value)


def test_a_missing_topic_is_named() -> None:
    with pytest.raises(SettingsError, match="NOTIFICATION_TOPIC_ARN: Field required"):
        load_settings({})


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"MIN_OLDER_THAN_DAYS": "31"}, "MIN_OLDER_THAN_DAYS: must not exceed OLDER_THAN_DAYS (30)"),
        ({"MIN_OLDER_THAN_DAYS": "0"}, "MIN_OLDER_THAN_DAYS: Input should be greater than or equal to 1"),
        (
            {"MAX_DELETIONS": "500", "MAX_DELETIONS_CEILING": "499"},
            "MAX_DELETIONS_CEILING: must be at least MAX_DELETIONS (500)",
        ),
    ],
)
def test_override_bounds_must_admit_the_deployed_settings(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({"NOTIFICATION_TOPIC_ARN": TOPIC, **environ})
    assert named in str(raised.value)


def test_override_bounds_default_to_a_week_and_ten_thousand() -> None:
    settings = load_settings({"NOTIFICATION_TOPIC_ARN": TOPIC})
    assert (settings.min_older_than_days, settings.max_deletions_ceiling) == (7, 10_000)


def test_a_bad_setting_fails_the_cold_start_naming_the_variable() -> None:
    env = {
        "PATH": "",
        "AWS_DEFAULT_REGION": "us-east-1",
        "NOTIFICATION_TOPIC_ARN": TOPIC,
        "OLDER_THAN_DAYS": "-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "PYTHONPATH": str(REPO / "lambda_src"),
    }
    result = subprocess.run(
        [sys.executable, "-c", "import janitor.handlers.cleanup"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SettingsError" in result.stderr
    assert "OLDER_THAN_DAYS: Input should be greater than or equal to 1 (got '-1')" in result.stderr


def test_list_settings_are_read_from_the_deployment_file_at_the_assets_root(tmp_path: Path) -> None:
    (tmp_path / DEPLOYMENT_FILE).write_text(
        json.dumps({"MEMBER_ACCOUNTS": "111111111111,222222222222", "EXCLUDE_ACCOUNTS": "333333333333"})
    )
    environment = {**BASE_ENVIRONMENT, "LAMBDA_TASK_ROOT": str(tmp_path)}

    settings = load_settings(environment)

    assert settings.member_accounts == {"111111111111", "222222222222"}
    assert settings.exclude_accounts == {"333333333333"}


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("not json", "cannot be read"),
        ('{"OLDER_THAN_DAYS": "1"}', "must map some of TARGET_REGIONS"),
        ('{"MEMBER_ACCOUNTS": ["111111111111"]}', "must map some of TARGET_REGIONS"),
        ('{"MEMBER_ACCOUNTS": "12345"}', "MEMBER_ACCOUNTS: 12345 is not a 12-digit account id"),
    ],
)
def test_a_bad_deployment_file_fails_the_cold_start_naming_it(
    tmp_path: Path, content: str, named: str
) -> None:
    (tmp_path / DEPLOYMENT_FILE).write_text(content)
    with pytest.raises(SettingsError, match=named):
        load_settings({**BASE_ENVIRONMENT, "LAMBDA_TASK_ROOT": str(tmp_path)})


def test_a_list_set_both_in_the_file_and_the_environment_is_refused(tmp_path: Path) -> None:
    (tmp_path / DEPLOYMENT_FILE).write_text('{"MEMBER_ACCOUNTS": "111111111111"}')
    environment = {**BASE_ENVIRONMENT, "LAMBDA_TASK_ROOT": str(tmp_path), "MEMBER_ACCOUNTS": "222222222222"}
    with pytest.raises(SettingsError, match="MEMBER_ACCOUNTS: is set both in the environment and in"):
        load_settings(environment)


@pytest.mark.parametrize(
    ("old", "new"), [("RETENTION_DAYS", "OLDER_THAN_DAYS"), ("MAX_DELETIONS_PER_RUN", "MAX_DELETIONS")]
)
def test_a_variable_under_its_old_name_fails_the_cold_start_instead_of_falling_back_to_the_default(
    old: str, new: str
) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({**BASE_ENVIRONMENT, old: "90"})
    assert f"{old}: was renamed {new}: set that instead" in str(raised.value)
    assert "'90'" in str(raised.value)
