"""The documentation site builds with `mkdocs build --strict`: a broken link or anchor, a page
left out of the navigation, or any other warning fails it, so `make test` keeps the docs whole."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from infra.settings_table import settings_table
from tests.infra.synthesis import REPO

DOCS = REPO / "docs"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site_dir = tmp_path_factory.mktemp("site")
    env = {
        **os.environ,
        # Material's banner about MkDocs 2.0 is about the tool, not these docs.
        "NO_MKDOCS_2_WARNING": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = built.stdout + built.stderr
    assert built.returncode == 0, output
    # --strict turns MkDocs' warnings into a failed build; nothing at WARNING or above is let by.
    assert not re.search(r"^(WARNING|ERROR)\b", output, re.MULTILINE), output
    return site_dir


def test_the_site_builds_strictly_with_every_page(site: Path) -> None:
    pages = {path.stem for path in DOCS.glob("*.md")} - {"index"}
    assert (site / "index.html").is_file()
    for page in pages:
        assert (site / page / "index.html").is_file(), page


def test_the_configuration_page_carries_the_generated_settings_table(site: Path) -> None:
    html = (site / "configuration" / "index.html").read_text(encoding="utf-8")
    assert "settings table: generated from the declarations" not in html, "the marker was not replaced"
    keys = re.findall(r"^\| `([A-Za-z]+)` \| `([a-z_]+)` \|", settings_table(), re.MULTILINE)
    assert len(keys) > 30
    for key, argument in keys:
        assert f"<td><code>{key}</code></td>\n<td><code>{argument}</code></td>" in html, key


def test_every_mermaid_diagram_is_handed_to_material_to_draw(site: Path) -> None:
    drawn = 0
    for page in DOCS.glob("*.md"):
        fences = page.read_text(encoding="utf-8").count("```mermaid\n")
        built = site / ("" if page.stem == "index" else page.stem) / "index.html"
        assert built.read_text(encoding="utf-8").count('<pre class="mermaid"><code>') == fences, page.name
        drawn += fences
    assert drawn >= 5


def test_a_chart_linked_from_outside_docs_is_copied_into_the_site(site: Path) -> None:
    chart = site / "repository" / "benchmarks" / "results" / "wall_time.png"
    assert chart.read_bytes() == (REPO / "benchmarks" / "results" / "wall_time.png").read_bytes()
    assert 'src="../repository/benchmarks/results/wall_time.png"' in (
        site / "performance" / "index.html"
    ).read_text(encoding="utf-8")


def test_the_readme_is_a_front_page_whose_links_reach_the_docs() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    linked = set(re.findall(r"\]\(docs/([a-z0-9-]+\.md)(?:#[a-z0-9-]+)?\)", readme))
    assert linked == {path.name for path in DOCS.glob("*.md")}
