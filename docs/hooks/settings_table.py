"""MkDocs hook: the configuration page's settings table, generated from the settings declarations.

docs/configuration.md holds MARKER where the table goes; at build time it is replaced with
`infra.settings_table.settings_table()`, the table of every setting of the function's and the
stack's declarations, so the published table cannot drift from the code.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

REPO = Path(__file__).resolve().parents[2]
#: The page that holds the table, and the line in it that the table replaces.
PAGE = "configuration.md"
MARKER = "<!-- settings table: generated from the declarations when the site is built -->"

# `mkdocs` run from a plain shell: the declarations import `infra` and the function's `janitor`.
for path in (REPO, REPO / "lambda_src"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


def with_settings_table(markdown: str) -> str:
    """`markdown` with its one MARKER replaced by the declarations' settings table."""
    from infra.settings_table import settings_table

    if markdown.count(MARKER) != 1:
        raise PluginError(f"{PAGE} must hold the line {MARKER!r} exactly once")
    return markdown.replace(MARKER, settings_table())


def on_page_markdown(markdown: str, *, page: Any, **_: Any) -> str:
    if page.file.src_uri == PAGE:
        return with_settings_table(markdown)
    return markdown
