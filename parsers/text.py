"""Text normalization shared by the HTML and PDF parsers (no blanket NFKC)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

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
# A list label opening a paragraph, "(1) 座落…", touches the Chinese it numbers.
_ASCII_PUNCT_NEAR_CJK = re.compile(
    rf"(?<=[{_CJK}{_CJK_PUNCT}])[,;:!?()]|[,;:!?(](?=[{_CJK}])|(?<=[{_CJK}{_CJK_PUNCT}]\))\)"
    rf"|^\((?=\d{{1,3}}\)\s*[{_CJK}])"
)
# A parenthesis pair half made full-width by the rule above ("（1)创新") is made whole.
_HALF_PAIR = re.compile(r"\(([^()（）]*)）|（([^()（）]*)\)")
# URLs keep their ASCII punctuation; trailing sentence punctuation is not part of the URL.
_URL = re.compile(r"(?:https?|ftp)://[!-~]*[\w/#=&%~+*-]|www\.[!-~]*[\w/#=&%~+*-]", re.ASCII)
_WS = re.compile(r"[ \t\u00a0\u3000]+")
# Markers that open bylines, briefs and list items: typography, not text (► 本报编辑部, ■ 简讯).
MARKERS = "►▶■□◆◇●○◎★☆▲△▼▽•"
# Glyphs of symbol fonts (Wingdings bullets, Symbol arrows) as PDFs map them: never text.
_SYMBOL_PUA = re.compile("[\uf020-\uf0ff]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _unify_char(ch: str) -> str:
    code = ord(ch)
    if code in SUPPLEMENT_TO_UNIFIED:
        return chr(SUPPLEMENT_TO_UNIFIED[code])
    if _KANGXI[0] <= code <= _KANGXI[1] or any(lo <= code <= hi for lo, hi in _COMPAT):
        return unicodedata.normalize("NFKC", ch)
    if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
        return chr(code - 0xFEE0)  # full-width digits and letters become ASCII
    return ch


def _char_class(chars: list[str]) -> re.Pattern[str]:
    """A regex matching any one of `chars`, written as ranges so sre tests them in C."""
    codes = sorted(ord(c) for c in chars)
    spans: list[list[int]] = []
    for c in codes:
        if spans and c == spans[-1][1] + 1:
            spans[-1][1] = c
        else:
            spans.append([c, c])
    body = "".join(
        re.escape(chr(lo)) + ("-" + re.escape(chr(hi)) if hi > lo else "") for lo, hi in spans
    )
    return re.compile(f"[{body}]")


@cache
def _unify_table() -> tuple[dict[str, str], re.Pattern[str]]:
    """_unify_char's mapping and a regex finding what it changes: a C scan, not a Python loop."""
    ranges = ((0x2E80, 0x2EFF), _KANGXI, *_COMPAT)
    codes = [c for lo, hi in ranges for c in range(lo, hi + 1)]
    codes += [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
    table = {chr(c): _unify_char(chr(c)) for c in codes if _unify_char(chr(c)) != chr(c)}
    return table, _char_class(list(table))


@cache
def _non_match_bmp() -> re.Pattern[str]:
    """Every BMP code point that is not a letter or a number."""
    return _char_class(
        [chr(c) for c in range(0x10000) if unicodedata.category(chr(c))[0] not in "LN"]
    )


@cache
def _pre_fold() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Punctuation/symbols/spaces that NFKC cannot turn into a letter or number, and marks.

    Deleting those first leaves text that NFKC's quick check passes, so normalizing a
    Chinese paragraph costs a scan, not a rewrite. Combining marks could compose with a
    neighbour of a deleted character and a capital sigma lowers by its neighbours, so text
    containing either takes the plain path.
    """
    drop = []
    marks = []
    for c in range(0x10000):
        ch = chr(c)
        cat = unicodedata.category(ch)
        nfkc = unicodedata.normalize("NFKC", ch)
        if any(unicodedata.category(x)[0] == "M" or x == "Σ" for x in ch + nfkc):
            marks.append(ch)
        elif cat[0] not in "LN" and all(unicodedata.category(x)[0] not in "LN" for x in nfkc):
            drop.append(ch)
    return _char_class(drop), _char_class(marks)


def unify_chars(text: str) -> str:
    """Map radicals, compatibility ideographs and full-width alphanumerics to their usual forms."""
    table, pattern = _unify_table()
    return pattern.sub(lambda m: table[m.group(0)], text)


def normalize_text(text: str) -> str:
    """Display normalization for one paragraph or field: characters, punctuation, spacing."""
    text = unify_chars(unicodedata.normalize("NFC", _SYMBOL_PUA.sub("", text)))
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
    text = _HALF_PAIR.sub(lambda m: f"（{m.group(1) or m.group(2) or ''}）", text)
    return _curly_quotes(text) if '"' in text else text


_QUOTE_NEAR_CJK = re.compile(rf'(?<=[{_CJK}{_CJK_PUNCT}])"|"(?=[{_CJK}])')


def _curly_quotes(text: str) -> str:
    """An ASCII double quote touching Chinese becomes “ or ”, whichever the quote before it
    leaves open (OCR and hand-typed layers mix them: “链长制")."""
    out, pos, open_ = [], 0, False
    for m in re.finditer(r'[“”"]', text):
        ch = m.group(0)
        if ch == '"' and _QUOTE_NEAR_CJK.match(text, m.start()) is None:
            fixed = ch
        elif ch == '"':
            fixed = "”" if open_ else "“"
        else:
            fixed = ch
        open_ = fixed == "“" or (open_ and fixed == '"')
        out.append(text[pos : m.start()] + fixed)
        pos = m.end()
    return "".join(out) + text[pos:]


# OpenCC configurations a site profile may name: traditional (generic, Taiwan, Hong Kong
# usage) to simplified. The dictionaries ship inside the opencc wheel.
CONVERSIONS = ("t2s", "tw2s", "hk2s")


@cache
def _converter(conversion: str) -> Any:
    import opencc

    return opencc.OpenCC(conversion)


def convert_script(text: str, conversion: str) -> str:
    """`text` converted with an OpenCC configuration from CONVERSIONS ('' leaves it as it is)."""
    if not conversion or not text:
        return text
    if conversion not in CONVERSIONS:
        raise ValueError(f"unknown script conversion {conversion!r} (known: {CONVERSIONS})")
    return str(_converter(conversion).convert(text))


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
    text = unify_chars(text)
    drop, marks = _pre_fold()
    if not marks.search(text):
        text = drop.sub("", text)  # same result, see _pre_fold; much faster NFKC below
    folded = unicodedata.normalize("NFKC", text).lower()
    if not _ASTRAL.search(folded):
        return _non_match_bmp().sub("", folded)
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")
