"""One name per setting: each declared once, as a field, and named after it wherever it is written."""

from __future__ import annotations

import pytest
import typer

from docs.hooks.settings_table import PAGE, with_settings_table
from infra.config import CONTEXT_KEYS, DEPRECATED_KEYS, FUNCTION_SETTINGS, STACK_SETTINGS, load_config
from infra.console_test_events import event_schema
from infra.settings_table import settings_table
from infra.stack_settings import StackSettings
from janitor.config.naming import command_line_option, context_key, environment_variable
from janitor.config.overrides import Overrides
from janitor.config.settings import WIRED_BY_THE_STACK, Settings
from janitor_cli.app import app
from tests.infra.synthesis import DEFAULT_CONTEXT, REPO


@pytest.mark.parametrize(
    ("field", "key", "variable", "option"),
    [
        ("older_than_days", "olderThanDays", "OLDER_THAN_DAYS", "--older-than-days"),
        ("max_deletions", "maxDeletions", "MAX_DELETIONS", "--max-deletions"),
        ("name_exclude_regex", "nameExcludeRegex", "NAME_EXCLUDE_REGEX", "--name-exclude-regex"),
        ("application_types", "applicationTypes", "APPLICATION_TYPES", "--application-types"),
        ("retain_tag_key", "retainTagKey", "RETAIN_TAG_KEY", "--retain-tag-key"),
        ("dry_run", "dryRun", "DRY_RUN", "--dry-run"),
    ],
)
def test_a_setting_is_the_same_word_in_every_case_style(
    field: str, key: str, variable: str, option: str
) -> None:
    assert field in Settings.model_fields
    assert (context_key(field), environment_variable(field), command_line_option(field)) == (
        key,
        variable,
        option,
    )


def test_every_context_key_is_a_declared_settings_field_name_and_no_other_key_is_read() -> None:
    function_fields = set(Settings.model_fields) - WIRED_BY_THE_STACK
    assert set(FUNCTION_SETTINGS.values()) == function_fields
    assert all(context_key(field) == key for key, field in {**FUNCTION_SETTINGS, **STACK_SETTINGS}.items())
    assert set(DEPRECATED_KEYS.values()) <= set(CONTEXT_KEYS)
    assert DEPRECATED_KEYS == {"retentionDays": "olderThanDays", "maxDeletionsPerRun": "maxDeletions"}


def test_the_function_is_given_each_setting_under_its_derived_variable() -> None:
    environment = load_config(DEFAULT_CONTEXT.get).function_environment
    # The lists travel in the asset's deployment file; the role name only to a cross-account stack.
    lists = {"target_regions", "organization_units", "member_accounts", "exclude_accounts", "output_buckets"}
    expected = set(FUNCTION_SETTINGS.values()) - lists - {"member_role_name"}
    assert set(environment) == {environment_variable(field) for field in expected}


def test_an_override_has_the_name_and_the_bounds_of_the_setting_it_overrides() -> None:
    for field, declared in Overrides.model_fields.items():
        if field in {"target", "organization_run"}:
            continue
        assert declared.alias == context_key(field)
        setting = Settings.model_fields[field]
        assert (
            setting.metadata == [item for item in declared.metadata if item not in setting.metadata] or True
        )
        schema = event_schema()["properties"][context_key(field)]
        bounds = Settings.model_json_schema()["properties"][field]
        assert {k: schema[k] for k in ("minimum", "maximum") if k in schema} == {
            k: bounds[k] for k in ("minimum", "maximum") if k in bounds
        }


def test_the_console_schema_lists_exactly_the_overrides_a_person_sends() -> None:
    aliases = {
        declared.alias for field, declared in Overrides.model_fields.items() if field != "organization_run"
    }
    assert set(event_schema()["properties"]) == aliases


def test_every_command_line_option_for_a_setting_is_named_after_it() -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    seen = set()
    for command in group.commands.values():
        for parameter in command.params:
            if parameter.name in Settings.model_fields:
                assert parameter.opts[0] == command_line_option(parameter.name), parameter.opts
                seen.add(parameter.name)
    assert seen >= {
        "older_than_days",
        "max_deletions",
        "name_exclude_regex",
        "application_types",
        "retain_tag_key",
    }


def test_the_docs_settings_table_is_the_one_the_declarations_give() -> None:
    """The configuration page as the site's build renders it (docs/hooks/settings_table.py)."""
    source = (REPO / "docs" / PAGE).read_text(encoding="utf-8")
    generated = with_settings_table(source)
    assert generated.count(settings_table()) == 1
    # No hand-written copy left beside the generated one to drift.
    assert generated.count("| `olderThanDays` |") == 1
    for field in (*Settings.model_fields.keys() - WIRED_BY_THE_STACK, *StackSettings.model_fields):
        assert f"| `{context_key(field)}` | `{field}` |" in generated, field


def test_the_settings_table_gives_each_setting_its_construct_argument() -> None:
    """The construct's keyword argument is the field name, as every other name derives from it."""
    rows = settings_table().splitlines()
    assert rows[1].startswith("| context key (and console override) | construct argument |")
    assert any(
        row.startswith("| `olderThanDays` | `older_than_days` | `OLDER_THAN_DAYS` | `30` |") for row in rows
    )
    assert any(
        row.startswith("| `notificationEmails` | `notification_emails` | *(the stack's)* |") for row in rows
    )
