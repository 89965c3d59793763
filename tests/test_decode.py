"""Declared charsets lie: decode by what the bytes are."""

from parsers.decode import declared_charset, decode_html

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
