"""Declared charsets lie: decode by what the bytes are."""

import pytest

from parsers.decode import declared_charset, decode_html, document_codec, sniff_codec

TEXT = '<html><head><meta charset="gb2312"></head><body>高新区十大新闻，镕</body></html>'


def test_gbk_bytes_under_a_gb2312_label() -> None:
    body = TEXT.encode("gb18030")  # 镕 is outside GB2312: strict gb2312 would fail
    assert declared_charset(body) == "gb2312"
    assert "高新区十大新闻，镕" in decode_html(body)


def test_utf8_bytes_under_a_gb2312_label() -> None:
    assert "高新区十大新闻，镕" in decode_html(TEXT.encode("utf-8"), "text/html; charset=GB2312")


def test_utf8_bom_and_undecodable_bytes() -> None:
    assert decode_html(b"\xef\xbb\xbf<p>\xe4\xb8\xad</p>") == "<p>中</p>"
    assert decode_html(
        b"<p>\xff\xfe\xfa</p>"
    )  # junk still decodes (with replacement), never raises


NON_TEXT = ["base64", "rot13", "zlib", "hex", "uu", "bz2", "undefined", "idna", "no-such-codec"]


@pytest.mark.parametrize("name", NON_TEXT)
def test_a_non_text_or_unknown_codec_in_the_header_is_sniffed(name: str) -> None:
    body = "<html><body>高新区十大新闻，镕</body></html>".encode("gb18030")
    assert "高新区十大新闻，镕" in decode_html(body, f"text/html; charset={name}")
    assert "高新区十大新闻，镕" in decode_html(body, "text/html", charset=name)
    assert sniff_codec(body, f"text/html; charset={name}") == "gb18030"


@pytest.mark.parametrize("name", NON_TEXT)
def test_a_non_text_or_unknown_codec_in_meta_charset_is_sniffed(name: str) -> None:
    body = f'<html><head><meta charset="{name}"></head><body>中文，镕</body></html>'.encode()
    assert declared_charset(body) == name
    assert "中文，镕" in decode_html(body)
    assert document_codec(name) is None


def test_text_codecs_keep_their_supersets() -> None:
    assert document_codec("GB2312") == "gb18030" and document_codec("utf8") == "utf-8"
    assert document_codec("big5") == "big5hkscs" and document_codec("") is None
