"""MkDocs hook: repository files outside docs/ that a page links to, copied into the site.

A page links to such a file relative to itself, `![...](../benchmarks/results/wall_time.png)`,
which works where GitHub shows docs/*.md; the site has no `..`, so the file is added to it under
`repository/` and the link pointed there.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

REPO = Path(__file__).resolve().parents[2]
PREFIX = "repository/"
#: A Markdown link or image target that leaves docs/: `](../path)`.
OUTSIDE_LINK = re.compile(r"\]\(\.\./([^)\s#]+)\)")


def on_files(files: Files, *, config: Any) -> Files:
    linked = {
        target
        for file in files.documentation_pages()
        for target in OUTSIDE_LINK.findall(Path(file.abs_src_path or "").read_text(encoding="utf-8"))
    }
    for target in sorted(linked):
        source = REPO / target
        # A missing file is left alone: MkDocs then reports the broken link (an error with --strict).
        if source.is_file() and source.resolve().is_relative_to(REPO):
            files.append(File.generated(config, PREFIX + target, abs_src_path=str(source)))
    return files


def on_page_markdown(markdown: str, **_: Any) -> str:
    return OUTSIDE_LINK.sub(
        lambda link: f"]({PREFIX}{link[1]})" if (REPO / link[1]).is_file() else link[0], markdown
    )
