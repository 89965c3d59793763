"""docs/profiles.md stays in step with the code it describes."""

from __future__ import annotations

import re
from pathlib import Path

from baokan.sites import FAMILY_SELECTORS, PAGE_ID_STYLES, SiteProfile

DOC = Path(__file__).parent.parent / "docs" / "profiles.md"


def selector_table() -> str:
    """The family-selector table as docs/profiles.md shows it, from FAMILY_SELECTORS."""
    families = list(FAMILY_SELECTORS)
    lines = [
        "| selector | " + " | ".join(f"`{f}`" for f in families) + " |",
        "|---|" + "---|" * len(families),
    ]
    for name in FAMILY_SELECTORS[families[0]]:
        cells = [f"`{FAMILY_SELECTORS[f][name]}`".replace("|", "\\|") for f in families]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def test_doc_selector_table_matches_the_code() -> None:
    text = DOC.read_text("utf-8")
    match = re.search(
        r"<!-- family-selectors:[^>]*-->\n(.*?)\n<!-- /family-selectors -->", text, re.S
    )
    assert match, "docs/profiles.md lost its family-selectors block"
    assert match.group(1) == selector_table()


def test_doc_page_label_examples_hold() -> None:
    def label(style: str, raw: str) -> str:
        profile = SiteProfile("x", "x", "founder_new", "http://x/", "e", page_id_style=style)
        return profile.page_label(raw)

    assert set(PAGE_ID_STYLES) == {"01", "A1", "A01"}
    assert label("A1", "A01") == "A1" and label("A1", "1") == "1"
    assert label("01", "1") == "01" and label("A01", "A1") == "A01"
