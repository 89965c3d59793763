"""Is a PDF text layer usable? Detects what fonts without a correct ToUnicode map produce."""

from __future__ import annotations

import re
from functools import cache

from parsers.text import convert_script

# pdfminer writes a glyph it cannot map as "(cid:123)"; one such char is one bad glyph.
_CID = re.compile(r"^\(cid:\d+\)$")
# Latin-1 letters and symbols: GBK bytes read as Latin-1 ("ÖÐ¹ú"), or a font's own codes.
# The few that real Chinese news text uses (· × ÷ ° ± §) are not junk.
_LATIN1_OK = set("·×÷°±§©®")
MIN_HANZI_FOR_COMMONNESS = 20
MIN_COMMON_SHARE = 0.6  # real news text: well over 90% of hanzi are GB2312 level-1
MAX_BAD_SHARE = 0.05


def is_bad_char(text: str) -> bool:
    """Whether one extracted character is junk: unmapped cid, private use, control, Latin-1."""
    if _CID.match(text):
        return True
    if len(text) != 1:
        return False
    code = ord(text)
    return (
        0xE000 <= code <= 0xF8FF
        or code >= 0xF0000
        or code == 0xFFFD
        or (code < 0x20 and text not in "\t\n\r")
        or 0x7F <= code <= 0x9F
        or (0xA0 <= code <= 0xFF and text not in _LATIN1_OK)
    )


def is_hanzi(ch: str) -> bool:
    """A CJK unified ideograph (basic block or extension A)."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def is_common_hanzi(ch: str) -> bool:
    """One of the 3,755 GB2312 level-1 characters, or the traditional form of one (國, 灣)."""
    return _level1(ch) or _level1(_simplified(ch))


def _level1(ch: str) -> bool:
    try:
        encoded = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2 and 0xB0 <= encoded[0] <= 0xD7


@cache
def _simplified(ch: str) -> str:
    # A traditional-script paper's text layer is not junk: judge it by its simplified forms.
    return convert_script(ch, "t2s")


def is_symbol_bullet(text: str) -> bool:
    """A glyph of a symbol font (Wingdings, Symbol) as Word maps them: U+F020–U+F0FF."""
    return len(text) == 1 and 0xF020 <= ord(text) <= 0xF0FF


def garbled_share(texts: list[str]) -> float:
    """Share of extracted characters (pdfminer char texts) that are junk; 1.0 when none.

    A lone symbol-font glyph among readable text is a list bullet, not junk; a run of them
    is a font without a usable map.
    """
    visible = [t for t in texts if t.strip()]
    if not visible:
        return 1.0
    lone = {
        i
        for i, t in enumerate(visible)
        if is_symbol_bullet(t)
        and not (i and is_bad_char(visible[i - 1]))
        and not (i + 1 < len(visible) and is_bad_char(visible[i + 1]))
    }
    bad = sum(is_bad_char(t) for i, t in enumerate(visible) if i not in lone)
    hanzi = [t for t in visible if len(t) == 1 and is_hanzi(t)]
    if len(hanzi) >= MIN_HANZI_FOR_COMMONNESS:
        rare = sum(1 for h in hanzi if not is_common_hanzi(h))
        if (len(hanzi) - rare) / len(hanzi) < MIN_COMMON_SHARE:
            bad += rare  # a ToUnicode map shifted onto the wrong characters
    return bad / len(visible)


def is_garbled(texts: list[str]) -> bool:
    """Whether these characters are too broken to load."""
    return garbled_share(texts) > MAX_BAD_SHARE
