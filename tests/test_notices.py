"""The ad and notice rule shared by the PDF parser and deduplication (parsers/notices.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baokan.dedup import item_type
from parsers.notices import box_kind, is_notice_heading, title_is_ad_or_notice

TRUTH = Path(__file__).resolve().parent.parent / "baokan" / "sample" / "truth"

NOTICES = [
    "征稿启事",
    "招聘启事",
    "更正声明",
    "招标公告",
    "讣告",
    "遗失声明",
    "郑重声明",
    "寻人启事",
    "征稿启示",  # the common misprint
    "《高新样报》副刊征稿",
    "明湖高新区管委会关于开展2026年度企业研发投入统计工作的通告",
    "关于拟任职干部的任前公示",
    "明湖科创园二期项目中标公告",
    "更正",
    "启　事",  # a letter-spaced box heading
    "声 明：",
]
HEADLINES = [
    "国家高新区拓展国际合作新空间",
    "公告牌上的新变化",
    "浙江“千万工程”的启示",
    "从一粒种子看科技自立自强的启示",
    "国家税务总局发布公告",
    "外交部发言人发表声明",
    "中俄联合声明",
    "城市更新项目开始公示",
    "我市举办庆祝建区三十周年征文",
    "严查虚假医疗广告",
    "电梯里的广告",
    "2026年科技型中小企业评价工作启动",
]


@pytest.mark.parametrize("title", NOTICES)
def test_notices_are_named_by_their_heading(title: str) -> None:
    assert is_notice_heading(title)
    assert box_kind(title, "来稿请寄编辑部") == "notice"
    assert title_is_ad_or_notice(title)
    assert item_type(title, "article") == "ad"


@pytest.mark.parametrize("title", HEADLINES)
def test_headlines_are_not_notices(title: str) -> None:
    assert not is_notice_heading(title)
    assert not title_is_ad_or_notice(title)
    assert item_type(title, "article") == "news"


def test_no_sample_headline_is_taken_for_a_notice() -> None:
    titles = {
        art["title"]
        for path in TRUTH.glob("*.json")
        for page in json.loads(path.read_text("utf-8"))["pages"]
        for art in page["articles"]
    }
    assert len(titles) >= 15
    assert [t for t in titles if title_is_ad_or_notice(t)] == []


@pytest.mark.parametrize("title", ["广告", "公益广告", "明湖科创园招商广告"])
def test_ad_labels_set_as_titles_are_ads(title: str) -> None:
    assert title_is_ad_or_notice(title)
    assert not is_notice_heading(title)  # an ad, not a notice


def test_boxes_without_a_notice_heading_are_told_by_ad_words() -> None:
    ad = "明湖科创园二期火热招商中 招商热线：0571-0000000"
    assert box_kind("科创园二期", ad) == "ad"
    assert box_kind("", "欢迎订阅《高新样报》全年订阅价：240元") == "ad"
    assert box_kind("本期导读", "要闻 经济 科技 文化") is None
