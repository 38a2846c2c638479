"""`make demo` speaks to a person: a short table per run, the full JSON in a file it names, and no
warning it does not explain."""

from __future__ import annotations

import json
import logging
import re
import warnings
from pathlib import Path

import pytest

from janitor import SERVICE_NAME
from janitor.kinds import KINDS
from localdev import demo

pytestmark = pytest.mark.slow

#: The longest run of pretty-printed JSON members the demo may print (a short inline dict is fine).
MAX_JSON_LINES = 3
JSON_MEMBER = re.compile(r'^\s*("[^"]+": |[{}\[\]],?$)')


def longest_json_run(lines: list[str]) -> int:
    longest = current = 0
    for line in lines:
        current = current + 1 if JSON_MEMBER.match(line) else 0
        longest = max(longest, current)
    return longest


def test_the_demo_prints_tables_writes_its_json_to_a_file_and_warns_of_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "demo-out"
    caplog.set_level(logging.WARNING)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        demo.main(["--out", str(out)])
    printed = capsys.readouterr()
    lines = printed.out.splitlines()

    assert longest_json_run(lines) <= MAX_JSON_LINES, printed.out
    # One table per single-account run (a row per kind and a total), one for the organization run.
    for title in ("Dry run", "Nightly run", "Organization run"):
        assert any(line.startswith(f"=== {title}") for line in lines), title
    assert sum(line.split()[:2] == ["kind", "scanned"] for line in lines) == 2
    for kind in KINDS:
        assert sum(line.startswith(f"{kind} ") for line in lines) >= 2, kind
    assert sum(line.startswith("all kinds ") for line in lines) == 2
    assert any(line.startswith("all targets ") for line in lines)

    summaries = out / "summaries.json"
    assert str(summaries) in printed.out
    document = json.loads(summaries.read_text())
    runs = document["singleAccount"]["runs"]
    assert runs["dryRun"]["dryRun"] is True
    assert runs["nightly"]["deleted"] > 0
    assert set(runs["nightly"]["kinds"]) == set(KINDS)
    assert document["singleAccount"]["snsReports"][0]["Message"]["failedTotal"] == 1
    assert document["organization"]["summary"]["targetsFailed"]
    assert document["organization"]["executionOutput"]["targets"] == 6

    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []
    # The janitor's own log lines go to its log group (here the run's captured stdout), not the demo's.
    noted = [r for r in caplog.records if r.levelno >= logging.WARNING and r.name != SERVICE_NAME]
    assert [f"{r.name}: {r.getMessage()}" for r in noted] == []
    assert printed.err == ""
