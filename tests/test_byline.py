"""Bylines split into role and names: the forms Chinese papers print, read by hand (golden)."""

from __future__ import annotations

from typing import Any

import pytest

from baokan.models import ArticleRecord, IssueRecord
from parsers.byline import Byline, split_byline

# (printed byline, role, names, each name's role)
GOLDEN: list[tuple[str, str | None, list[str], list[str | None]]] = [
    # staff reporters, one role or several
    ("本报记者 张三 李四", "本报记者", ["张三", "李四"], ["本报记者", "本报记者"]),
    ("本报记者 张三 通讯员 李四", "本报记者、通讯员", ["张三", "李四"], ["本报记者", "通讯员"]),
    ("本报记者 张三 实习生 李四", "本报记者、实习生", ["张三", "李四"], ["本报记者", "实习生"]),
    (
        "■ 记者 张三 通讯员 李四 王五",
        "记者、通讯员",
        ["张三", "李四", "王五"],
        ["记者", "通讯员", "通讯员"],
    ),
    (
        "记者 张三 李四 本报通讯员 王五",
        "记者、本报通讯员",
        ["张三", "李四", "王五"],
        ["记者", "记者", "本报通讯员"],
    ),
    ("□ 本报记者 赵六", "本报记者", ["赵六"], ["本报记者"]),
    ("新华社记者 张三", "新华社记者", ["张三"], ["新华社记者"]),
    ("人民日报记者 张三", "人民日报记者", ["张三"], ["人民日报记者"]),
    ("本报驻京记者 张三", "本报驻京记者", ["张三"], ["本报驻京记者"]),
    ("本报特约评论员 张三", "本报特约评论员", ["张三"], ["本报特约评论员"]),
    (
        "经济日报-中国经济网记者 张三",
        "经济日报-中国经济网记者",
        ["张三"],
        ["经济日报-中国经济网记者"],
    ),
    ("本报记者 张三、李四", "本报记者", ["张三", "李四"], ["本报记者", "本报记者"]),
    ("本报记者，张三，李四", "本报记者", ["张三", "李四"], ["本报记者", "本报记者"]),
    ("本报记者 张三 报道", "本报记者", ["张三"], ["本报记者"]),
    ("本报记者 张三 发自北京", "本报记者", ["张三"], ["本报记者"]),
    ("（本报记者 张三）", "本报记者", ["张三"], ["本报记者"]),
    # roles glued to the names
    ("本报记者张三", "本报记者", ["张三"], ["本报记者"]),
    ("记者张三通讯员李四", "记者、通讯员", ["张三", "李四"], ["记者", "通讯员"]),
    # a role alone
    ("► 本报编辑部", "本报编辑部", [], []),
    ("本报评论员", "本报评论员", [], []),
    # credits with a slash or a colon, before or after the names
    ("文/姜钦峰", "文", ["姜钦峰"], ["文"]),
    ("文 / 姜钦峰", "文", ["姜钦峰"], ["文"]),
    ("文／图 王五", "文/图", ["王五"], ["文/图"]),
    ("张三/文 李四/图", "文、图", ["张三", "李四"], ["文", "图"]),
    ("文/本报记者 张三", "本报记者", ["张三"], ["本报记者"]),
    ("张三 摄", "摄", ["张三"], ["摄"]),
    ("本报记者 张三 摄", "本报记者", ["张三"], ["本报记者"]),
    ("作者：张三", "作者", ["张三"], ["作者"]),
    ("责任编辑：张三", "责任编辑", ["张三"], ["责任编辑"]),
    # datelines: the agency goes before the bare roles in the parenthesis
    (
        "新华社北京1月5日电（记者张三、李四）",
        "新华社记者",
        ["张三", "李四"],
        ["新华社记者", "新华社记者"],
    ),
    ("本报讯（记者 张三）", "本报记者", ["张三"], ["本报记者"]),
    ("中新网北京1月5日电 (记者 张三)", "中新网记者", ["张三"], ["中新网记者"]),
    (
        "本报北京1月5日讯 记者 张三 通讯员 李四",
        "本报记者、本报通讯员",
        ["张三", "李四"],
        ["本报记者", "本报通讯员"],
    ),
    ("新华社北京1月5日电", "新华社", [], []),
    ("据新华社电", "新华社", [], []),
    # names only
    ("张三 李四", None, ["张三", "李四"], [None, None]),
    ("◎ 张三", None, ["张三"], [None]),
    ("——张三", None, ["张三"], [None]),
    ("张三 和 李四", None, ["张三", "李四"], [None, None]),
    # alignment spacing inside names, full-width spaces
    ("本报记者 孙  萌", "本报记者", ["孙萌"], ["本报记者"]),
    ("本报记者\u3000孙\u3000萌", "本报记者", ["孙萌"], ["本报记者"]),
    (
        "本报记者 孙  萌 李  想 王小明",
        "本报记者",
        ["孙萌", "李想", "王小明"],
        ["本报记者"] * 3,
    ),
    ("本报记者 孙 文", "本报记者", ["孙文"], ["本报记者"]),
    ("本报记者 王文", "本报记者", ["王文"], ["本报记者"]),
    ("孙 萌 摄", "摄", ["孙萌"], ["摄"]),
    # compound surnames, ethnic names, Latin names
    ("本报记者 欧阳晨 李四", "本报记者", ["欧阳晨", "李四"], ["本报记者"] * 2),
    ("本报记者 欧阳 晨", "本报记者", ["欧阳晨"], ["本报记者"]),
    ("本报记者 阿不都·热合曼", "本报记者", ["阿不都·热合曼"], ["本报记者"]),
    ("本报记者 阿不都 · 热合曼", "本报记者", ["阿不都·热合曼"], ["本报记者"]),
    (
        "本报记者 John Smith 李四",
        "本报记者",
        ["John Smith", "李四"],
        ["本报记者", "本报记者"],
    ),
    # nothing printed
    ("", None, [], []),
]


@pytest.mark.parametrize(("text", "role", "names", "name_roles"), GOLDEN)
def test_golden_bylines(
    text: str, role: str | None, names: list[str], name_roles: list[str | None]
) -> None:
    assert split_byline(text) == Byline(role, names, name_roles)


def test_none_is_an_empty_byline() -> None:
    assert split_byline(None) == Byline(None, [], [])


def test_every_sample_byline_splits_into_its_printed_words(truth: dict[str, Any]) -> None:
    """The sample prints role words and names separated by spaces: 本报记者 王静 通讯员 陈晓."""
    roles = {"本报记者", "通讯员", "本报编辑部"}  # every role word the sample prints
    authors = {a["author"] for t in truth.values() for p in t["pages"] for a in p["articles"]}
    assert "本报记者 王静 通讯员 陈晓" in authors and "本报编辑部" in authors
    for author in authors:
        words = author.split()
        byline = split_byline(author)
        assert byline.names == [w for w in words if w not in roles], author
        assert byline.role == "、".join(w for w in words if w in roles), author


def test_unknown_forms_keep_their_characters_as_names() -> None:
    assert split_byline("中国高新技术产业导报") == Byline(None, ["中国高新技术产业导报"], [None])
    assert split_byline("张三（实习）") == Byline(None, ["张三", "实习"], [None, None])


def _article(author: str | None) -> ArticleRecord:
    return ArticleRecord(
        "a1", "sample", "2025-12-29", "A1", 1, None, "标题", None, author, "正文", None,
        None, None, None, "html", None, "v",
    )  # fmt: skip


def test_records_staged_before_the_split_get_it_when_read() -> None:
    issue = IssueRecord("sample", "高新样报", "2025-12-29", "complete", "v")
    issue.articles = [_article("本报记者 王静 通讯员 陈晓"), _article(None)]
    old = issue.to_dict()
    for art in old["articles"]:
        del art["author_role"], art["author_names"]
    read = IssueRecord.from_dict(old).articles
    assert [(a.author_role, a.author_names) for a in read] == [
        ("本报记者、通讯员", ["王静", "陈晓"]),
        (None, []),
    ]


def test_records_staged_with_the_split_keep_it() -> None:
    issue = IssueRecord("sample", "高新样报", "2025-12-29", "complete", "v")
    issue.articles = [_article("本报记者 王静")]
    issue.articles[0].author_names = ["as staged"]
    assert IssueRecord.from_dict(issue.to_dict()).articles[0].author_names == ["as staged"]
