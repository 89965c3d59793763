"""Text normalization: what the seed page got wrong must come out right."""

import random
import unicodedata

from parsers.text import _unify_char, fold_for_match, join_lines, normalize_text


def test_ascii_punctuation_in_chinese_prose_becomes_full_width() -> None:
    raw = "2025年是收官之年,国家高新区向“高”攀升;成效显著:一是(单人公司)创新!"
    assert (
        normalize_text(raw)
        == "2025年是收官之年，国家高新区向“高”攀升；成效显著：一是（单人公司）创新！"
    )


def test_times_percentages_decimals_and_urls_are_kept() -> None:
    raw = "会议15:30开始,增长8.1%,营收1.2万亿元,详见http://a.cn/x?y=1,z"
    out = normalize_text(raw)
    assert "15:30" in out and "8.1%" in out and "1.2万亿元" in out and "http://a.cn/x?y=1" in out
    assert "开始，增长" in out


def test_radicals_and_compatibility_ideographs_become_unified() -> None:
    assert normalize_text("⼯业和信息化部") == "工业和信息化部"  # U+2F2F KANGXI RADICAL WORK
    assert normalize_text("⻢上") == "马上"  # U+2EE2 CJK RADICAL C-SIMPLIFIED HORSE
    assert normalize_text("\uf900") == "豈"  # CJK COMPATIBILITY IDEOGRAPH-F900


def test_no_blanket_nfkc() -> None:
    assert normalize_text("你好，世界。") == "你好，世界。"
    assert normalize_text("ＡＢＣ１２３，") == "ABC123，"


def test_spaces_beside_full_width_punctuation_go_and_word_spaces_stay() -> None:
    assert normalize_text("收官之年 ， 国家高新区 。") == "收官之年，国家高新区。"
    assert normalize_text("　　段落开头") == "段落开头"  # ideographic-space indentation
    assert normalize_text("本报记者  张明") == "本报记者 张明"
    assert normalize_text("large language model") == "large language model"


def test_join_lines_never_inserts_spaces_between_chinese() -> None:
    assert (
        join_lines(["开放式发现—高标准选拔—精", "准性培育”机制"])
        == "开放式发现—高标准选拔—精准性培育”机制"
    )
    assert join_lines(["open", "source"]) == "open source"


def test_fold_for_match_ignores_punctuation_width_and_breaks() -> None:
    assert fold_for_match("你好,世界!\n再见。") == fold_for_match("你好，世界！再见")


# Twelve code points in the compatibility block are themselves unified ideographs.
_UNIFIED_IN_COMPAT = set("\ufa0e\ufa0f\ufa11\ufa13\ufa14\ufa1f\ufa21\ufa23\ufa24\ufa27\ufa28\ufa29")


def _is_unified(ch: str) -> bool:
    code = ord(ch)
    return (
        ch in _UNIFIED_IN_COMPAT
        or 0x3400 <= code <= 0x4DBF
        or 0x4E00 <= code <= 0x9FFF
        or 0x20000 <= code <= 0x3FFFF
    )


def test_every_kangxi_radical_becomes_one_unified_ideograph() -> None:
    radicals = [chr(c) for c in range(0x2F00, 0x2FD6)]
    out = normalize_text("".join(radicals))
    assert len(out) == 214 and all(map(_is_unified, out))
    assert normalize_text("⾔⻓⾦") == "言长金"


def test_radicals_supplement_maps_where_unicode_gives_an_equivalent() -> None:
    assigned = [chr(c) for c in range(0x2E80, 0x2EF4) if unicodedata.name(chr(c), "")]
    out = [normalize_text(ch) for ch in assigned]
    unmapped = [ch for ch, o in zip(assigned, out, strict=True) if o == ch]
    assert unmapped == ["\u2e80"]  # CJK RADICAL REPEAT has no equivalent ideograph
    assert all(_is_unified(o) for o in out if o != "\u2e80")
    assert normalize_text("⻓城⻔⼾⻜机⻥⻉⻈") == "长城门戶飞机鱼贝讠"


def test_compatibility_ideographs_become_unified_and_unified_ones_stay() -> None:
    compat = [chr(c) for c in range(0xF900, 0xFADA)] + [chr(c) for c in range(0x2F800, 0x2FA1E)]
    for ch in (c for c in compat if unicodedata.name(c, "")):
        out = normalize_text(ch)
        assert len(out) == 1 and _is_unified(out), hex(ord(ch))
    assert normalize_text("\ufa11") == "\ufa11"  # 﨑 is itself a unified ideograph
    assert normalize_text("\U0002f8b6") == "\u62d4"  # CJK COMPATIBILITY IDEOGRAPH-2F8B6


def test_full_width_alphanumerics_become_ascii_but_full_width_punctuation_stays() -> None:
    assert normalize_text("ＣＰＩ上涨２．５％，ｗｉｆｉ") == "CPI上涨2．5％，wifi"
    assert normalize_text("“你好”——《人民日报》…") == "“你好”——《人民日报》…"


def test_parentheses_are_made_full_width_in_pairs() -> None:
    assert normalize_text("一是(1)创新") == "一是（1）创新"
    assert normalize_text("(一)总体要求") == "（一）总体要求"
    assert normalize_text("f(x) = y") == "f(x) = y"


def test_urls_and_emails_keep_their_ascii_punctuation() -> None:
    assert normalize_text("访问http://a.cn/x.html,欢迎") == "访问http://a.cn/x.html，欢迎"
    assert normalize_text("见https://a.cn/p(1).html。") == "见https://a.cn/p(1).html。"
    assert normalize_text("网址www.a.cn/?q=1:2,欢迎") == "网址www.a.cn/?q=1:2，欢迎"
    assert normalize_text("比分3:1,上午9:00开幕") == "比分3:1，上午9:00开幕"


def test_normalization_is_idempotent() -> None:
    for raw in ("2025年是收官之年,国家(高新)区", "⼯业⻓城ＡＢ１２", "会议15:30开始,增长8.1%"):
        once = normalize_text(raw)
        assert normalize_text(once) == once


def _fold_reference(text: str) -> str:
    """fold_for_match's definition, one character at a time (slow, obviously right)."""
    unified = "".join(_unify_char(ch) for ch in text)
    folded = unicodedata.normalize("NFKC", unified).lower()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


def test_fast_fold_equals_its_definition() -> None:
    # The fast path deletes punctuation before NFKC; composing marks, sigma and astral
    # characters are the cases where that could differ, so the pool is full of them.
    rng = random.Random(0)
    pool = [
        chr(c)
        for lo, hi in ((0x20, 0x500), (0x2E80, 0x3100), (0xF900, 0xFB00), (0xFE00, 0xFFF0))
        for c in range(lo, hi)
    ]
    pool += ["\u0301", "\u3099", "ﾞ", "Σ", "Ϲ", "\U00020000", "\U0001d400", "\U0001f600", "，"]
    for _ in range(5000):
        text = "".join(rng.choice(pool) for _ in range(rng.randrange(0, 30)))
        assert fold_for_match(text) == _fold_reference(text), text
    assert fold_for_match("ワﾞ，Σ。") == _fold_reference("ワﾞ，Σ。")
