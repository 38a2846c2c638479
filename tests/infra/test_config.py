"""CDK context validation: every bad key stops synth with a message naming it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra.config import CONTEXT_KEYS, ConfigError, load_config
from infra.schedule_expression import schedule_period_seconds
from tests.infra.synthesis import DEFAULT_CONTEXT, REPO, Synth, cdk_environment, run_cdk


def config_with(**overrides: Any) -> Any:
    return load_config({**DEFAULT_CONTEXT, **overrides}.get)


def test_cdk_json_lists_every_setting_with_its_declared_default() -> None:
    settings = {key for key in DEFAULT_CONTEXT if not key.startswith("@")}
    assert settings == set(CONTEXT_KEYS)
    assert load_config(DEFAULT_CONTEXT.get) == load_config(lambda key: None)


def test_a_key_not_set_takes_its_declared_default() -> None:
    context = {key: value for key, value in DEFAULT_CONTEXT.items() if key != "olderThanDays"}
    assert load_config(context.get).function_environment["OLDER_THAN_DAYS"] == "30"


@pytest.mark.parametrize(
    ("old", "new", "variable"),
    [
        ("retentionDays", "olderThanDays", "OLDER_THAN_DAYS"),
        ("maxDeletionsPerRun", "maxDeletions", "MAX_DELETIONS"),
    ],
)
def test_an_old_key_still_sets_its_setting_with_a_warning(old: str, new: str, variable: str) -> None:
    config = config_with(**{old: "14"})
    assert config.function_environment[variable] == "14"
    assert config.warnings == (
        f"{old} is deprecated and will be removed: use {new} (its value '14' is used)",
    )
    assert config_with().warnings == ()


def test_a_bad_value_under_an_old_key_is_named_by_the_key_written() -> None:
    with pytest.raises(ConfigError) as raised:
        config_with(retentionDays="-5", minOlderThanDays="7")
    assert "retentionDays: Input should be greater than or equal to 1 (got '-5')" in str(raised.value)
    assert "olderThanDays" not in str(raised.value)
    with pytest.raises(ConfigError, match=r"minOlderThanDays: must not exceed retentionDays \(5\)"):
        config_with(retentionDays="5")


def test_cdk_synth_warns_about_an_old_key(tmp_path: Path) -> None:
    result = run_cdk("synth", "--quiet", "-o", str(tmp_path / "out"), "-c", "retentionDays=14")
    assert result.returncode == 0, result.stderr
    assert (
        "retentionDays is deprecated and will be removed: use olderThanDays" in result.stderr + result.stdout
    )
    template = json.loads((tmp_path / "out" / "BedrockEvaluationJanitor.template.json").read_text())
    assert '"OLDER_THAN_DAYS": "14"' in json.dumps(template)


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("olderThanDays", "-5", "olderThanDays: Input should be greater than or equal to 1"),
        ("olderThanDays", "ten", "olderThanDays: Input should be a valid integer"),
        ("eligibleStatuses", "Completed,Running", "eligibleStatuses: Running cannot be cleaned up"),
        ("eligibleStatuses", "InProgress", "eligibleStatuses: InProgress cannot be cleaned up"),
        ("applicationTypes", "Chat", "applicationTypes: unknown application type Chat"),
        ("nameExcludeRegex", "[", "nameExcludeRegex: is not a valid regular expression"),
        ("maxDeletions", "0", "maxDeletions: Input should be greater than or equal to 1"),
        ("minOlderThanDays", "0", "minOlderThanDays: Input should be greater than or equal to 1"),
        ("minOlderThanDays", "31", "minOlderThanDays: must not exceed olderThanDays (30)"),
        ("maxDeletionsCeiling", "999", "maxDeletionsCeiling: must be at least maxDeletions (1000)"),
        ("maxDeletionsCeiling", "lots", "maxDeletionsCeiling: Input should be a valid integer"),
        ("dryRun", "maybe", "dryRun: must be 'true' or 'false'"),
        ("scheduleExpression", "cron(0 3 * *)", "scheduleExpression: a cron expression needs 6 fields"),
        (
            "scheduleExpression",
            "cron(0 3 * * * *)",
            "scheduleExpression: exactly one of day-of-month and day-of-week",
        ),
        ("scheduleExpression", "every night", "scheduleExpression: must be rate(N unit) or cron("),
        ("scheduleExpression", "rate(0 days)", "scheduleExpression: a rate must be at least 1"),
        (
            "scheduleExpression",
            "cron(0 3 ? * MON *)",
            "scheduleExpression: runs less often than every 3.5 days",
        ),
        ("scheduleTimeZone", "Mars/Olympus_Mons", "scheduleTimeZone: must be an IANA time zone"),
        ("scheduleEnabled", "yes", "scheduleEnabled: must be true or false"),
        (
            "notificationEmails",
            "ops@example.com,not-an-email",
            "notificationEmails: not-an-email is not an email address",
        ),
        ("logRetentionDays", "42", "logRetentionDays: must be one of 1, 3, 5"),
        ("memorySizeMb", "64", "memorySizeMb: must be between 128 and 10240"),
        ("tagLookup", "everything", "tagLookup: Input should be 'batched' or 'perJob'"),
        ("reservedConcurrency", "0", "reservedConcurrency: must be a whole number of at least 1"),
        ("reservedConcurrency", "-1", "reservedConcurrency: must be a whole number of at least 1"),
        ("reservedConcurrency", "1.5", "reservedConcurrency: must be a whole number of at least 1"),
        ("reservedConcurrency", "one", "reservedConcurrency: must be a whole number of at least 1"),
        (
            "timeoutSeconds",
            "90",
            "timeoutSeconds: must leave at least a minute of work beyond timeReserveSeconds",
        ),
    ],
)
def test_a_bad_context_value_names_its_key(key: str, value: str, named: str) -> None:
    with pytest.raises(ConfigError) as raised:
        config_with(**{key: value})
    assert named in str(raised.value)
    assert repr(value) in str(raised.value)


def test_a_retention_below_the_default_floor_needs_the_floor_lowered_too() -> None:
    with pytest.raises(ConfigError, match=r"minOlderThanDays: must not exceed olderThanDays \(5\)"):
        config_with(olderThanDays="5")
    lowered = config_with(olderThanDays="5", minOlderThanDays="5")
    assert lowered.function_environment["MIN_OLDER_THAN_DAYS"] == "5"


@pytest.mark.parametrize("unset", [None, ""])
def test_reserved_concurrency_is_unset_unless_given(unset: str | None) -> None:
    assert config_with(reservedConcurrency=unset).reserved_concurrency is None
    assert config_with(reservedConcurrency="3").reserved_concurrency == 3
    assert config_with(reservedConcurrency=1).reserved_concurrency == 1


#: Validates three zones with the stack's own code in a fresh interpreter; prints the verdicts.
TIME_ZONE_PROBE = """
import json, sys, zoneinfo
from infra.config import ConfigError, load_config
context = json.load(open("cdk.json"))["context"]
verdicts = {}
for zone in sys.argv[1:]:
    try:
        verdicts[zone] = load_config({**context, "scheduleTimeZone": zone}.get).schedule_time_zone
    except ConfigError as error:
        verdicts[zone] = str(error)
print(json.dumps({"tzpath": list(zoneinfo.TZPATH), "verdicts": verdicts}))
"""


def test_time_zones_are_validated_on_a_host_without_a_time_zone_database(tmp_path: Path) -> None:
    empty = tmp_path / "no-zoneinfo"
    empty.mkdir()
    # PYTHONTZPATH replaces the system search path (/usr/share/zoneinfo...), as on a slim image.
    result = subprocess.run(
        [sys.executable, "-c", TIME_ZONE_PROBE, "UTC", "Europe/Berlin", "Mars/Olympus_Mons"],
        cwd=REPO,
        env=cdk_environment(PYTHONTZPATH=str(empty), PYTHONPATH=f"{REPO}:{REPO / 'lambda_src'}"),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["tzpath"] == [str(empty)], "the host's time zone database is out of reach"
    verdicts = report["verdicts"]
    assert (verdicts["UTC"], verdicts["Europe/Berlin"]) == ("UTC", "Europe/Berlin")
    assert "scheduleTimeZone: must be an IANA time zone" in verdicts["Mars/Olympus_Mons"]
    assert "'Mars/Olympus_Mons'" in verdicts["Mars/Olympus_Mons"]


def test_json_typed_and_string_typed_values_give_the_same_config() -> None:
    from_json = config_with(olderThanDays=14, dryRun=True, notificationEmails=["a@example.com"])
    from_cli = config_with(olderThanDays="14", dryRun="true", notificationEmails="a@example.com")
    assert from_json == from_cli


@pytest.mark.parametrize(
    ("expression", "hours"),
    [
        ("cron(0 3 * * ? *)", 24),
        ("cron(30 1,13 * * ? *)", 24),
        ("cron(0 * * * ? *)", 1),
        ("cron(0 */6 * * ? *)", 6),
        ("cron(0 3 ? * MON-FRI *)", 72),
        ("cron(0 3 ? * MON,WED,FRI *)", 72),
        ("cron(0 3 */2 * ? *)", 48),
        ("rate(12 hours)", 12),
        ("rate(1 day)", 24),
        ("rate(30 minutes)", 0.5),
    ],
)
def test_the_schedule_period_is_the_longest_gap_between_runs(expression: str, hours: float) -> None:
    assert schedule_period_seconds(expression) == hours * 3600


def test_cdk_synth_with_an_invalid_context_stops_and_names_the_key(tmp_path: Path) -> None:
    result = run_cdk(
        "synth",
        "--quiet",
        "-o",
        str(tmp_path / "out"),
        "-c",
        "olderThanDays=-5",
        "-c",
        "notificationEmails=ops@",
    )
    assert result.returncode != 0
    assert "olderThanDays: Input should be greater than or equal to 1 (got '-5')" in result.stderr
    assert "notificationEmails: ops@ is not an email address" in result.stderr
    assert not list((tmp_path / "out").glob("*.template.json")), "nothing synthesized, so nothing to deploy"
    assert "Traceback" not in result.stderr, "the user sees the message, not a stack trace"


def test_a_valid_context_synthesizes_with_clean_output(tmp_path: Path) -> None:
    result = run_cdk("synth", "--quiet", "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "end-of-life" not in result.stderr + result.stdout
    assert "feature flags" not in result.stderr + result.stdout
    assert json.loads((tmp_path / "out" / "BedrockEvaluationJanitor.template.json").read_text())["Resources"]


@pytest.mark.parametrize(
    ("key", "closest"),
    [("retentionDay", "olderThanDays"), ("olderThanDay", "olderThanDays"), ("maxDeletion", "maxDeletions")],
)
def test_an_unknown_context_key_fails_naming_it_and_the_closest_known_one(key: str, closest: str) -> None:
    context = {**DEFAULT_CONTEXT, key: "14"}
    with pytest.raises(ConfigError, match=rf"{key}: is not a setting of this app; did you mean {closest}\?"):
        load_config(context.get, given=context)


def test_the_cdks_own_keys_and_other_tools_keys_stay_allowed() -> None:
    context = {
        **DEFAULT_CONTEXT,
        "@aws-cdk/aws-lambda:recognizeLayerVersion": True,
        "aws:cdk:enable-path-metadata": True,
        "availability-zones:account=123456789012:region=us-east-1": ["us-east-1a"],
        "acknowledged-issue-numbers": [32775],
        "cli-telemetry": False,
    }
    load_config(context.get, given=context)


def test_a_typo_fails_the_real_apps_synth(synth: Synth) -> None:
    with pytest.raises(
        Exception, match="retentionDay: is not a setting of this app; did you mean olderThanDays"
    ):
        synth(retentionDay="14")


@pytest.mark.parametrize("key", ["outputBuckets", "deleteOutputVersions"])
def test_a_setting_that_means_something_only_with_delete_outputs_is_refused_without_it(key: str) -> None:
    context = {**DEFAULT_CONTEXT, key: "eval-results" if key == "outputBuckets" else "true"}
    with pytest.raises(ConfigError, match=rf"{key}: means nothing without deleteOutputs=true"):
        load_config(context.get)


def test_a_malformed_organization_id_gets_one_message_saying_the_format() -> None:
    context = {**DEFAULT_CONTEXT, "organizationUnits": "ou-abcd-12345678", "organizationId": "org-123"}
    with pytest.raises(ConfigError) as refused:
        load_config(context.get)
    assert refused.value.problems == [
        "organizationId: must be an organization id: o- followed by 10 to 32 lowercase letters or "
        "digits, such as o-a1b2c3d4e5 (aws organizations describe-organization --query "
        "Organization.Id) (got 'org-123')"
    ]


def test_a_target_region_that_is_no_region_of_any_partition_is_refused_by_name() -> None:
    context = {**DEFAULT_CONTEXT, "targetRegions": "eu-west-1,us-east-9"}
    with pytest.raises(ConfigError, match="targetRegions: us-east-9 is not a Region of any AWS partition"):
        load_config(context.get)
    load_config({**DEFAULT_CONTEXT, "targetRegions": "us-gov-west-1,cn-north-1"}.get)
