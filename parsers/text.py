"""Text normalization shared by the HTML and PDF parsers (no blanket NFKC)."""

from __future__ import annotations

import re
import unicodedata

from parsers.radicals import SUPPLEMENT_TO_UNIFIED

# Kangxi radicals and compatibility ideographs decompose to unified ideographs (NFKC of the
# single character); the Radicals Supplement mostly does not, so it has its own table.
_KANGXI = (0x2F00, 0x2FDF)
_COMPAT = ((0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
_FULLWIDTH_PUNCT = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"}
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_CJK_PUNCT = r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\u2018-\u201d\u2026\u2014\u00b7"
# Spaces beside full-width punctuation are always artefacts; a space between two words
# (本报记者 张明, 1 习近平…) may be real, so the PDF side only emits one for a visible gap.
_SPACE_NEAR_PUNCT = re.compile(
    rf"(?<=[{_CJK_PUNCT}])[ \t\u00a0\u3000]+|[ \t\u00a0\u3000]+(?=[{_CJK_PUNCT}])"
)
_ASCII_PUNCT_NEAR_CJK = re.compile(
    rf"(?<=[{_CJK}{_CJK_PUNCT}])[,;:!?()]|[,;:!?(](?=[{_CJK}])|(?<=[{_CJK}{_CJK_PUNCT}]\))\)"
)
# A parenthesis pair half made full-width by the rule above ("（1)创新") is made whole.
_HALF_PAIR = re.compile(r"\(([^()（）]*)）|（([^()（）]*)\)")
# URLs keep their ASCII punctuation; trailing sentence punctuation is not part of the URL.
_URL = re.compile(r"(?:https?|ftp)://[!-~]*[\w/#=&%~+*-]|www\.[!-~]*[\w/#=&%~+*-]", re.ASCII)
_WS = re.compile(r"[ \t\u00a0\u3000]+")


def _unify_char(ch: str) -> str:
    code = ord(ch)
    if code in SUPPLEMENT_TO_UNIFIED:
        return chr(SUPPLEMENT_TO_UNIFIED[code])
    if _KANGXI[0] <= code <= _KANGXI[1] or any(lo <= code <= hi for lo, hi in _COMPAT):
        return unicodedata.normalize("NFKC", ch)
    if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
        return chr(code - 0xFEE0)  # full-width digits and letters become ASCII
    return ch


def unify_chars(text: str) -> str:
    """Map radicals, compatibility ideographs and full-width alphanumerics to their usual forms."""
    return "".join(_unify_char(ch) if ord(ch) > 0x2E7F else ch for ch in text)


def normalize_text(text: str) -> str:
    """Display normalization for one paragraph or field: characters, punctuation, spacing."""
    text = unify_chars(unicodedata.normalize("NFC", text))
    text = _SPACE_NEAR_PUNCT.sub("", text)
    text = _full_width_punct(text)
    return _WS.sub(" ", text).strip()


def _full_width_punct(text: str) -> str:
    """ASCII , ; : ! ? ( ) touching Chinese become full-width, outside URLs only."""
    out: list[str] = []
    pos = 0
    for url in _URL.finditer(text):
        out.extend((_punct(text[pos : url.start()]), url.group(0)))
        pos = url.end()
    out.append(_punct(text[pos:]))
    return "".join(out)


def _punct(text: str) -> str:
    text = _ASCII_PUNCT_NEAR_CJK.sub(lambda m: _FULLWIDTH_PUNCT[m.group(0)], text)
    return _HALF_PAIR.sub(lambda m: f"（{m.group(1) or m.group(2) or ''}）", text)


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines of one paragraph: no inserted spaces, except between two Latin words."""
    out = ""
    for line in (ln.strip() for ln in lines):
        if (
            out
            and line
            and out[-1].isascii()
            and out[-1].isalnum()
            and line[0].isascii()
            and line[0].isalnum()
        ):
            out += " "
        out += line
    return out


def fold_for_match(text: str) -> str:
    """Matching key text: normalized, width-folded, without punctuation, symbols or whitespace."""
    # NFKC is right here (and only here): it folds widths so "，" and "," compare equal.
    folded = unicodedata.normalize("NFKC", unify_chars(text)).lower()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")
