"""Ads and notices: the one rule the PDF parser and deduplication share.

A notice (征稿启事, 启事, 声明, 公告, 讣告 …) is named by its heading; an ad is told by the words
ads print (广告, 订阅, 热线, 招商 …). The PDF parser asks this of a framed box; deduplication
asks it of an article's title, so a notice an HTML page carries as an article still merges
only with notices and ads, issue after issue.
"""

from __future__ import annotations

import re

# A heading that ends in one of these names a notice: 征稿启事, 更正声明, 招标公告, 讣告.
# A framed 办事指南 / 投稿须知 / 温馨提示 serves readers as notices do.
# 启示 ("lesson") ends countless headlines (…的启示); it names a notice only as the common
# misprint of 启事 after a notice's own word (征稿启示, 寻人启示).
NOTICE_HEADING = re.compile(
    r"(启事|声明|公告|通告|公示|讣告|告知书|征稿|征文|更正|办事指南|服务指南|须知|温馨提示"
    r"|(征稿|征文|招聘|招生|寻人|寻物|招领|认领|遗失|迁址|更名|停业|致歉|征集)启示)$"
)
# A headline that reports a notice or an ad is news: 税务总局发布公告, 项目开始公示,
# 严查虚假医疗广告. The verb comes at most ten characters before the notice word, with no 的
# between (关于开展……工作的通告 is the notice itself).
_REPORTED = re.compile(
    r"(发布|发表|签署|印发|公布|出台|下发|宣读|回应|举办|开展|启动|举行|开始|进行"
    r"|整治|查处|严查|打击|治理|规范|清理|禁止|叫停|曝光|投放|刊登)[^的]{0,10}$"
)
# A joint statement (中俄联合声明) is a state document printed as news, not a notice.
_NOT_NOTICE = ("联合声明",)
# Words a box prints when it sells something; 广告 is also the label papers set on every ad.
AD_WORDS = ("广告", "订阅", "热线", "招商", "诚聘", "招聘", "招租", "咨询电话")
# A title that labels an ad set as an article (广告, 公益广告, 招商广告), not a headline about
# ads (电梯里的广告): at most ten characters before 广告, without 的.
_AD_LABEL_MAX = 10
_NOISE = re.compile(r"[\s　：:！!。]+")  # box headings are often letter-spaced: 启　事


def _heading(text: str) -> str:
    """A heading or title without spaces and punctuation marks."""
    return _NOISE.sub("", text)


def is_notice_heading(heading: str) -> bool:
    """Whether a heading or title names a notice (…启事, …声明, …公告)."""
    text = _heading(heading)
    found = NOTICE_HEADING.search(text)
    if not found or text.endswith(_NOT_NOTICE):
        return False
    return not _REPORTED.search(text[: found.start()])


def box_kind(heading: str, text: str) -> str | None:
    """What a framed box is: 'notice' (its heading names one), 'ad' (ad words), or None."""
    if is_notice_heading(heading):
        return "notice"
    if any(word in text for word in AD_WORDS):
        return "ad"
    return None


def title_is_ad_or_notice(title: str) -> bool:
    """Whether an article's title makes it an ad or notice for deduplication."""
    text = _heading(title)
    if is_notice_heading(text):
        return True
    label = text.removesuffix("广告")
    return (
        label != text
        and len(label) <= _AD_LABEL_MAX
        and "的" not in label
        and not _REPORTED.search(label)
    )
