"""Generate the labelled dedup evaluation set (tests/data/dedup_eval.json) from the sample truth.

Every sample article is a base story; the generator derives realistic appearances of it —
re-crawls, PDF text (line breaks, ASCII punctuation, full-width digits), PDF text with
OCR-style character errors, wire reprints with edits in other papers, truncated reprints,
reprints an editor reworded until their 5-gram Jaccard with the story is just above the 0.7
threshold (where a MinHash estimate often reads below it), copies on another page of the
same issue —
plus templated daily reports (weather, markets) that must NOT merge across days, and ads
that recur issue after issue. Each item carries its true group and its expected relation to
the group's first appearance. Deterministic: run it again and the file does not change.

    .venv/bin/python scripts/make_dedup_eval.py
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re
from pathlib import Path
from typing import Any

from tests.dedup_eval import TRUTH, reworded, sample_text

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "dedup_eval.json"
SEED = 5

# Characters OCR engines confuse in Chinese newsprint.
CONFUSABLE = dict(
    zip(
        "己已未末日曰人入士土大太天夭王玉千干刀力口囗八入二三田由甲申贝见",
        "已己末未曰日入人土士太大夭天玉王干千力刀囗口入八三二由田申甲见贝",
        strict=True,
    )
)
OTHER_PAPERS = ("wire_daily", "east_evening", "tech_weekly")
SENTENCE = re.compile(r"(?<=[。！？])")


def sha(text: str) -> str:
    """Stand-in for the sha256 of the bytes an item came from."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def item(**fields: Any) -> dict[str, Any]:
    """One labelled appearance with every field the evaluation reads."""
    base = {"kind": "article", "text_source": "html", "page_label": "A1", "position": 1}
    return {**base, **fields}


def pdf_text(paragraphs: list[str], rng: random.Random) -> str:
    """Text as a PDF layer gives it: hard line breaks, ASCII punctuation, full-width digits."""
    out = []
    for para in paragraphs:
        para = para.replace("，", ",", rng.randrange(0, 4)).replace("：", ":")
        para = re.sub(
            r"\d",
            lambda m: chr(ord(m.group(0)) + 0xFEE0) if rng.random() < 0.5 else m.group(0),
            para,
        )
        width = rng.randrange(18, 27)
        out.append("\n".join(para[i : i + width] for i in range(0, len(para), width)))
    return "\n".join(out)


def ocr_errors(text: str, rate: float, rng: random.Random) -> str:
    """Swap confusable characters, drop a few and insert noise, at roughly `rate` per char."""
    chars = []
    for ch in text:
        r = rng.random()
        if r < rate * 0.6 and ch in CONFUSABLE:
            chars.append(CONFUSABLE[ch])
        elif r < rate * 0.8:
            continue
        elif r < rate:
            chars.append(ch + rng.choice("·丨l1"))
        else:
            chars.append(ch)
    return "".join(chars)


def wire_edit(paragraphs: list[str], rng: random.Random) -> list[str]:
    """A reprint's edits: a source line, one sentence dropped, a phrase reworded."""
    sentences = [s for p in paragraphs for s in SENTENCE.split(p) if s]
    if len(sentences) > 4:
        del sentences[rng.randrange(1, len(sentences) - 1)]
    i = rng.randrange(len(sentences))
    sentences[i] = sentences[i].replace("高新区", "高新技术产业开发区", 1)
    return [rng.choice(["据高新样报报道，", "本报讯 ", "（记者 王可）"]) + "".join(sentences)]


def truncate(paragraphs: list[str], rng: random.Random) -> list[str]:
    """The first 60–85 % of the story, cut at a sentence end, as a brief."""
    text = "".join(paragraphs)
    cut = int(len(text) * rng.uniform(0.6, 0.85))
    end = text.rfind("。", 0, cut)
    return [text[: (end + 1 if end > len(text) // 2 else cut)]]


def near_threshold_items(
    group: str, art: dict[str, Any], day: str, donor: str
) -> list[dict[str, Any]]:
    """Two reworded reprints just above the Jaccard threshold, and two copies on another page
    of the same issue (the HTML page listed there too, and its PDF text): all reprints. A
    random stream of their own, so the other items of the set stay as they were."""
    rng = random.Random(f"{SEED}-{group}")
    paras, title = art["paragraphs"], art["title"]
    body = "\n".join(paras)
    out = []
    common = {"group": group, "title": title, "relation": "reprint"}
    for i in range(2):
        text = None
        while text is None:
            text = reworded(title, body, donor, 0.70, 0.76, rng)
        out.append(
            item(
                item_id=f"{group}-reworded{i}",
                variant="reworded",
                body=text,
                raw_sha256=sha(text),
                site_id=OTHER_PAPERS[i + 1],
                issue_date=later(day, rng.randrange(1, 15)),
                **common,
            )
        )
    pdf = pdf_text(paras, rng)
    for i, (text, source) in enumerate(((body, "html"), (pdf, "pdf"))):
        out.append(
            item(
                item_id=f"{group}-page{i}",
                variant="other_page",
                body=text,
                raw_sha256=sha(text),
                text_source=source,
                site_id="sample",
                issue_date=day,
                page_label="A5",
                position=4 + i,
                **common,
            )
        )
    return out


def later(day: str, days: int) -> str:
    """An ISO date `days` after `day`."""
    return (dt.date.fromisoformat(day) + dt.timedelta(days=days)).isoformat()


def story_items(n: int, art: dict[str, Any], day: str, rng: random.Random) -> list[dict[str, Any]]:
    """The base appearance of one story and its labelled variants."""
    group = f"story{n:02d}"
    paras, title = art["paragraphs"], art["title"]
    body = "\n".join(paras)
    base_id = f"{group}-base"
    common = {"group": group, "title": title, "site_id": "sample", "issue_date": day}
    out = [
        item(
            item_id=base_id,
            variant="base",
            relation="canonical",
            body=body,
            raw_sha256=sha(body),
            **common,
        )
    ]
    for i in range(2):  # the same page fetched again
        out.append(
            item(
                item_id=f"{group}-recrawl{i}",
                variant="identical",
                relation="identical",
                body=body,
                raw_sha256=sha(body),
                **common,
            )
        )
    for i in range(3):  # its PDF region
        text = pdf_text(paras, rng)
        out.append(
            item(
                item_id=f"{group}-pdf{i}",
                variant="format_variant",
                relation="format_variant",
                body=text,
                raw_sha256=sha(text),
                text_source="pdf",
                **common,
            )
        )
    for i, rate in enumerate((0.01, 0.02, 0.03)):  # PDF text with OCR errors
        text = ocr_errors(pdf_text(paras, rng), rate, rng)
        out.append(
            item(
                item_id=f"{group}-ocr{i}",
                variant="ocr",
                relation="format_variant",
                body=text,
                raw_sha256=sha(text),
                text_source="pdf",
                **common,
            )
        )
    for i in range(3):  # a wire reprint in another paper, days later
        text = "\n".join(wire_edit(paras, rng))
        other = {
            **common,
            "site_id": OTHER_PAPERS[i],
            "issue_date": later(day, rng.randrange(1, 15)),
        }
        out.append(
            item(
                item_id=f"{group}-reprint{i}",
                variant="reprint",
                relation="reprint",
                body=text,
                raw_sha256=sha(text),
                **other,
            )
        )
    for i in range(2):  # a truncated reprint
        text = "\n".join(truncate(paras, rng))
        other = {
            **common,
            "site_id": OTHER_PAPERS[i],
            "issue_date": later(day, rng.randrange(1, 15)),
        }
        out.append(
            item(
                item_id=f"{group}-trunc{i}",
                variant="truncated",
                relation="reprint",
                body=text,
                raw_sha256=sha(text),
                **other,
            )
        )
    return out


WEATHER = (
    "今天白天{a}，最高气温{t1}℃；夜间{b}，最低气温{t2}℃。{w1}风{l1}级，相对湿度{h}%。"
    "明天白天{c}，最高气温{t3}℃；夜间{d}，最低气温{t4}℃。{w2}风{l2}级。"
    "气象部门提醒，近期早晚温差较大，市民出行请注意增减衣物；空气质量{q}，"
    "敏感人群应减少户外活动。本市气象台{m}时发布。"
    "温馨提示：本栏目天气预报由市气象台提供，每日更新一次。如遇灾害性天气，气象部门将及时发布"
    "预警信息，请广大市民通过广播、电视、网络和手机短信等渠道关注最新预报，合理安排生产生活，"
    "做好防范应对工作。农业生产方面，请注意做好设施农业的保温防冻和越冬作物的田间管理。"
    "交通出行方面，早晚时段部分路段可能出现轻雾，驾驶人员请减速慢行，保持安全车距。"
)
MARKET = (
    "昨日沪指收报{p1}点，{u1}{r1}%；深证成指收报{p2}点，{u2}{r2}%；创业板指收报{p3}点，"
    "{u3}{r3}%。两市合计成交额{v}亿元，较前一交易日{u4}{dv}亿元。行业板块中，{s1}、{s2}"
    "涨幅居前，{s3}、{s4}跌幅居前。北向资金全天净{u5}{nf}亿元。以上行情数据仅供参考，不构成投资建议。"
    "风险提示：证券市场有风险，投资需谨慎。本栏目所载行情数据来源于公开交易信息，由本报经济部"
    "整理编辑，力求准确可靠，但对数据的完整性和及时性不作任何保证。读者据此入市，风险自担。"
    "市场有关统计口径以交易所正式公布为准，如有出入，请以交易所官方网站发布的信息为准。"
)
SKY = ("晴", "多云", "阴", "小雨", "晴转多云", "多云转阴", "阵雨")
WIND = ("北", "东北", "东", "东南", "南", "西南", "西", "西北")
SECTORS = ("半导体", "新能源", "银行", "医药", "白酒", "军工", "传媒", "钢铁", "地产", "电力")


def templated_items(rng: random.Random) -> list[dict[str, Any]]:
    """Weather and market reports for 20 days: same template, different days, never one story."""
    out = []
    for n in range(20):
        day = later("2026-01-01", n)
        weather = WEATHER.format(
            a=rng.choice(SKY),
            b=rng.choice(SKY),
            c=rng.choice(SKY),
            d=rng.choice(SKY),
            t1=rng.randrange(5, 15),
            t2=rng.randrange(-5, 5),
            t3=rng.randrange(5, 15),
            t4=rng.randrange(-5, 5),
            w1=rng.choice(WIND),
            w2=rng.choice(WIND),
            l1=rng.randrange(1, 5),
            l2=rng.randrange(1, 5),
            h=rng.randrange(20, 90),
            q=rng.choice(("优", "良", "轻度污染")),
            m=rng.choice((6, 16, 17)),
        )
        up = lambda: rng.choice(("上涨", "下跌"))  # noqa: E731
        market = MARKET.format(
            p1=f"{rng.uniform(3000, 3500):.2f}",
            p2=f"{rng.uniform(9000, 11000):.2f}",
            p3=f"{rng.uniform(1800, 2300):.2f}",
            r1=f"{rng.uniform(0, 2):.2f}",
            r2=f"{rng.uniform(0, 2):.2f}",
            r3=f"{rng.uniform(0, 2):.2f}",
            u1=up(),
            u2=up(),
            u3=up(),
            u4=rng.choice(("放量", "缩量")),
            u5=rng.choice(("买入", "卖出")),
            v=rng.randrange(7000, 12000),
            dv=rng.randrange(50, 900),
            nf=f"{rng.uniform(1, 80):.1f}",
            s1=rng.choice(SECTORS),
            s2=rng.choice(SECTORS),
            s3=rng.choice(SECTORS),
            s4=rng.choice(SECTORS),
        )
        for kind, title, body in (
            ("weather", "本市天气预报", weather),
            ("market", "今日市场行情", market),
        ):
            group = f"{kind}-{day}"
            common = {
                "group": group,
                "title": title,
                "site_id": "sample",
                "issue_date": day,
                "page_label": "B4",
            }
            out.append(
                item(
                    item_id=f"{group}-html",
                    variant="templated",
                    relation="canonical",
                    body=body,
                    raw_sha256=sha(body),
                    **common,
                )
            )
            text = pdf_text([body], rng)  # the same day's PDF copy is one story with it
            out.append(
                item(
                    item_id=f"{group}-pdf",
                    variant="templated_pdf",
                    relation="format_variant",
                    body=text,
                    raw_sha256=sha(text),
                    text_source="pdf",
                    **common,
                )
            )
    return out


ADS = (
    "诚聘英才：高新样报社因业务发展需要，现面向社会公开招聘记者、编辑、美术设计各若干名。"
    "要求全日制本科及以上学历，热爱新闻事业，有相关工作经验者优先。有意者请将简历发送至"
    "hr@sample.invalid，联系电话010-00000002。",
    "明湖科创园二期火热招商中 标准厂房、研发楼宇、人才公寓一站配齐 面积300至5000平方米可分割 "
    "租金前两年减半 招商热线：0571-0000000 地址：明湖高新区创新大道88号",
    "订阅《高新样报》，把握高新区发展脉搏。每周一、三、五出版，全年订价240元。"
    "邮发代号0-000，全国各地邮局均可订阅，也可拨打发行热线010-00000000直接订阅。",
)


def ad_items(truth_ads: list[str], rng: random.Random) -> list[dict[str, Any]]:
    """Ads that run in 8 issues, with the small edits real reruns carry."""
    out = []
    for n, text in enumerate([*truth_ads[:1], *ADS]):
        group = f"ad{n}"
        for k in range(8):
            day = later("2026-01-01", 7 * k)
            body = text.replace("全年", f"{2026 + k // 6}年全年") if k % 3 == 2 else text
            if k % 4 == 3:
                body = pdf_text([body], rng)
            out.append(
                item(
                    item_id=f"{group}-{k}",
                    group=group,
                    variant="recurring_ad",
                    relation="canonical" if k == 0 else "recurring_ad",
                    kind="ad",
                    title="",
                    body=body,
                    raw_sha256=sha(body + day),
                    site_id="sample",
                    issue_date=day,
                    text_source="pdf",
                    page_label="A4",
                )
            )
    return out


def build() -> list[dict[str, Any]]:
    """The whole labelled set."""
    rng = random.Random(SEED)
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    ads: list[str] = []
    donor = sample_text()
    for path in sorted(TRUTH.glob("*.json")):
        truth = json.loads(path.read_text("utf-8"))
        for page in truth["pages"]:
            ads += [ad["text"] for ad in page["ads"]]
            for art in page["articles"]:
                if art["title"] in seen:  # the sample's own reprint is one story
                    continue
                seen.add(art["title"])
                day = truth["issue_date"]
                items += story_items(len(seen), art, day, rng)
                items += near_threshold_items(f"story{len(seen):02d}", art, day, donor)
    return items + templated_items(rng) + ad_items(ads, rng)


def main() -> None:
    """Write tests/data/dedup_eval.json."""
    OUT.parent.mkdir(parents=True, exist_ok=True)
    data = build()
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", "utf-8")
    print(f"{len(data)} items → {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
