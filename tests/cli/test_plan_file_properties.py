"""Any malformed plan file, with its digest recomputed or not, ends `apply` in exit 2 with one line
and no request at all; any edit of a plan, its digest kept, is refused as changed (hypothesis)."""

from __future__ import annotations

import copy
import hashlib
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from janitor.kinds import KINDS
from janitor.kinds.evaluation_jobs import EVALUATION_JOBS
from janitor_cli.app import app
from janitor_cli.plan_file import plan_digest, with_digest
from localdev.services import ACCOUNT_ID
from tests.cli.support import no_aws, one_line_error, valid_plan_document

VALID = valid_plan_document(datetime.now(UTC))
Path_ = tuple[str | int, ...]
#: The JSON types each field may hold (a list's items are named after the list).
FIELD_TYPES: dict[str, frozenset[str]] = {
    field: frozenset(types.split("|"))
    for types, fields in (
        ("str", "kind createdAt digest retainTagKey accountId region jobArn jobName status creationTime "
                "applicationType applicationTypes[] eligibleStatuses[] kinds[]"),
        ("str|null", "profile nameExcludeRegex"),
        ("int", "version olderThanDays maxDeletions"),
        ("list", "kinds applicationTypes eligibleStatuses targets jobs"),
        ("dict", "settings targets[] jobs[]"),
    )
    for field in fields.split()
}  # fmt: skip
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


def paths(node: Any, prefix: Path_ = ()) -> Iterator[Path_]:
    """The path of every value under `node`."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        yield (*prefix, key)
        yield from paths(child, (*prefix, key))


PATHS = list(paths(VALID))


def field_of(path: Path_) -> str:
    return f"{path[-2]}[]" if isinstance(path[-1], int) else str(path[-1])


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "dict"}[type(value)]


def parent(document: Any, path: Path_) -> Any:
    for key in path[:-1]:
        document = document[key]
    return document


@st.composite
def malformed_plans(draw: st.DrawFn) -> bytes:
    """The bytes of a plan file that must never be applied."""
    kind = draw(
        st.sampled_from(["bytes", "truncated", "dropped", "retyped", "bad arn", "other kind", "naive time"])
    )
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    text = json.dumps(VALID)
    if kind == "truncated":
        return text[: draw(st.integers(0, len(text) - 1))].encode()
    document = copy.deepcopy(VALID)
    if kind == "dropped":
        path = draw(st.sampled_from([path for path in PATHS if isinstance(path[-1], str)]))
        del parent(document, path)[path[-1]]
    elif kind == "retyped":
        path = draw(st.sampled_from(PATHS))
        wrong = JSON_VALUES.filter(lambda value: json_type(value) not in FIELD_TYPES[field_of(path)])
        parent(document, path)[path[-1]] = draw(wrong)
    elif kind == "bad arn":
        path = draw(st.sampled_from([path for path in PATHS if path[-1] == "jobArn"]))
        region = parent(document, path[:-2])["region"]
        parent(document, path)[path[-1]] = draw(
            st.text().filter(lambda arn: not EVALUATION_JOBS.arn_pattern.fullmatch(arn))
            | st.sampled_from(
                [
                    f"arn:aws:bedrock:ap-south-1:{ACCOUNT_ID}:evaluation-job/abcdefabcdef",
                    f"arn:aws:bedrock:{region}:210987654321:evaluation-job/abcdefabcdef",
                    f"arn:aws:bedrock:{region}:{ACCOUNT_ID}:advanced-prompt-optimization-job/abcdefabcdef",
                ]
            )
        )
    elif kind == "other kind":
        # An evaluation job's record relabelled as another kind (or none): its ARN is not one of those.
        path = draw(st.sampled_from([path for path in PATHS if path[-1] == "jobArn"]))
        other = st.sampled_from([name for name in KINDS if name != EVALUATION_JOBS.name])
        parent(document, path)["kind"] = draw(other | st.text().filter(lambda name: name not in KINDS))
    else:
        path = draw(st.sampled_from([path for path in PATHS if path[-1] in ("createdAt", "creationTime")]))
        parent(document, path)[path[-1]] = draw(st.datetimes()).isoformat()  # no time zone
    # An attacker recomputes the digest; the one case where that would repair the file is left out.
    if path[0] != "digest" and draw(st.booleans()):
        document = with_digest(document)
    return json.dumps(document).encode()


@contextmanager
def plan_file_offline(content: bytes) -> Iterator[tuple[Path, list[str]]]:
    with tempfile.TemporaryDirectory() as directory, no_aws(Path(directory)) as requests:
        plan_file = Path(directory) / "plan.json"
        plan_file.write_bytes(content)
        yield plan_file, requests


def apply(plan_file: Path) -> Result:
    return CliRunner().invoke(app, ["apply", str(plan_file), "--yes"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=malformed_plans())
def test_any_malformed_plan_file_exits_2_in_one_line_with_no_request(content: bytes) -> None:
    with plan_file_offline(content) as (plan_file, requests):
        result = apply(plan_file)

    assert result.exit_code == 2, result.output + result.stderr
    one_line_error(result)
    assert requests == []


@st.composite
def edits(draw: st.DrawFn) -> dict[str, Any]:
    """The valid plan with one field (not kind, version or digest) changed, its digest kept."""
    document = copy.deepcopy(VALID)
    path = draw(st.sampled_from([path for path in PATHS if path[0] not in ("kind", "version", "digest")]))
    before = json.dumps(parent(document, path)[path[-1]], sort_keys=True)
    parent(document, path)[path[-1]] = draw(
        JSON_VALUES.filter(lambda value: json.dumps(value, sort_keys=True) != before)
    )
    return document


@settings(max_examples=200, deadline=None)
@given(document=edits())
def test_any_edit_with_the_digest_kept_is_refused_as_changed(document: dict[str, Any]) -> None:
    with plan_file_offline(json.dumps(document).encode()) as (plan_file, requests):
        result = apply(plan_file)

    assert result.exit_code == 2
    assert "the plan changed after it was written" in one_line_error(result)
    assert requests == []


def test_the_digest_is_the_sha256_of_the_rest_of_the_file_as_canonical_json() -> None:
    body = {key: value for key, value in VALID.items() if key != "digest"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)

    assert VALID["digest"] == plan_digest(VALID) == "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
