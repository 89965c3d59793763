"""Ads and notices: the one rule the PDF parser and deduplication share.

A notice (征稿启事, 启事, 声明, 公告, 讣告 …) is named by its heading; an ad is told by the words
ads print (广告, 订阅, 热线, 招商 …). The PDF parser asks this of a framed box; deduplication
asks it of an article's title, so a notice an HTML page carries as an article still merges
only with notices and ads, issue after issue.
"""

from __future__ import annotations

import re

# A heading that ends in one of these names a notice: 征稿启事, 更正声明, 招标公告, 讣告.
# 启示 is the common misprint of 启事; a framed 办事指南 / 投稿须知 / 温馨提示 serves readers
# as notices do.
NOTICE_HEADING = re.compile(
    r"(启事|启示|声明|公告|通告|公示|讣告|告知书|征稿|征文|更正|指南|须知|告示|提示)$"
)
# Words a box prints when it sells something; 广告 is also the label papers set on every ad.
AD_WORDS = ("广告", "订阅", "热线", "招商", "诚聘", "招聘", "招租", "咨询电话")
# A title that says what it is: an ad set as an article, or a notice.
_AD_TITLE = re.compile(r"广告$")


def is_notice_heading(heading: str) -> bool:
    """Whether a heading or title names a notice (…启事, …声明, …公告)."""
    return bool(NOTICE_HEADING.search(heading.strip().rstrip("：:")))


def box_kind(heading: str, text: str) -> str | None:
    """What a framed box is: 'notice' (its heading names one), 'ad' (ad words), or None."""
    if is_notice_heading(heading):
        return "notice"
    if any(word in text for word in AD_WORDS):
        return "ad"
    return None


def title_is_ad_or_notice(title: str) -> bool:
    """Whether an article's title makes it an ad or notice for deduplication."""
    title = title.strip()
    return is_notice_heading(title) or bool(_AD_TITLE.search(title))
