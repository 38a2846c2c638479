import subprocess
import sys
from pathlib import Path

import pytest

from janitor.overrides import Overrides
from janitor.settings import SettingsError, load_settings

TOPIC = "arn:aws:sns:us-east-1:123456789012:janitor-failures"
REPO = Path(__file__).resolve().parents[2]


def test_defaults_match_the_documented_ones() -> None:
    settings = load_settings({"NOTIFICATION_TOPIC_ARN": TOPIC})
    assert settings.retention_days == 30
    assert settings.eligible_statuses == {"Completed", "Failed", "Stopped"}
    assert settings.application_types == {"ModelEvaluation", "RagEvaluation"}
    assert settings.retain_tag_key == "janitor:retain"
    assert settings.name_exclude_pattern is None
    assert settings.max_deletions == 1000
    assert settings.dry_run is False


def test_every_setting_is_read_from_its_variable() -> None:
    settings = load_settings(
        {
            "NOTIFICATION_TOPIC_ARN": TOPIC,
            "RETENTION_DAYS": "14",
            "ELIGIBLE_STATUSES": "Completed, Stopped",
            "APPLICATION_TYPES": "RagEvaluation",
            "RETAIN_TAG_KEY": "keep",
            "NAME_EXCLUDE_REGEX": "^golden-",
            "MAX_DELETIONS_PER_RUN": "50",
            "DRY_RUN": "TRUE",
            "MAX_CONCURRENCY": "4",
            "TIME_RESERVE_SECONDS": "30",
        }
    )
    assert settings.retention_days == 14
    assert settings.eligible_statuses == {"Completed", "Stopped"}
    assert settings.application_types == {"RagEvaluation"}
    assert settings.retain_tag_key == "keep"
    assert settings.name_exclude_pattern is not None
    assert settings.name_exclude_pattern.search("golden-1")
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
        ("RETENTION_DAYS", "0", "greater than or equal to 1"),
        ("RETENTION_DAYS", "thirty", "valid integer"),
        ("ELIGIBLE_STATUSES", "Completed,InProgress", "InProgress cannot be cleaned up"),
        ("ELIGIBLE_STATUSES", "Deleting", "only finished jobs"),
        ("ELIGIBLE_STATUSES", "", "at least one status"),
        ("APPLICATION_TYPES", "ModelEvaluation,Batch", "unknown application type Batch"),
        ("NAME_EXCLUDE_REGEX", "(unclosed", "not a valid regular expression"),
        ("MAX_DELETIONS_PER_RUN", "-5", "greater than or equal to 1"),
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


def test_overrides_replace_only_what_they_name() -> None:
    settings = load_settings({"NOTIFICATION_TOPIC_ARN": TOPIC, "RETENTION_DAYS": "45"})
    changed = settings.with_overrides(Overrides.model_validate({"dryRun": True, "maxDeletions": 5}))
    assert (changed.dry_run, changed.max_deletions, changed.retention_days) == (True, 5, 45)
    older = settings.with_overrides(Overrides.model_validate({"olderThanDays": 7}))
    assert (older.retention_days, older.dry_run, older.max_deletions) == (7, False, 1000)


def test_a_bad_setting_fails_the_cold_start_naming_the_variable() -> None:
    env = {
        "PATH": "",
        "AWS_DEFAULT_REGION": "us-east-1",
        "NOTIFICATION_TOPIC_ARN": TOPIC,
        "RETENTION_DAYS": "-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "PYTHONPATH": str(REPO / "lambda_src"),
    }
    result = subprocess.run(
        [sys.executable, "-c", "import janitor.handler"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "SettingsError" in result.stderr
    assert "RETENTION_DAYS: Input should be greater than or equal to 1 (got '-1')" in result.stderr
