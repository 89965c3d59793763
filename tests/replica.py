"""Local replicas of real e-papers, and a fixture server that can misbehave on purpose.

Each replica serves a real page file (tests/fixtures/real/) unchanged at its real path; the
issue's other page index pages are derived from it (their own article ids, PDF and banner),
and article pages and PDFs are generated to the family's templates. Every builder returns
the site-relative paths a complete crawl must fetch, by kind.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

REAL = Path(__file__).parent / "fixtures" / "real"
SAMPLE_PDF = (
    Path(__file__).parent.parent
    / "baokan/sample/site/pc/attachement/202512/29/71850891cfa2f45b1bc057c5b12403fe.pdf"
)
# Body text for generated article pages; 镕 is outside GB2312, so a strict GB2312 decoder fails.
BODY = [
    "本报讯 记者从有关部门获悉，朱镕基同志题写的校名石已于近日修缮完毕，园区面貌焕然一新。",
    "据介绍，今年以来全省持续推进生态文明建设，森林覆盖率稳定在63.1%，空气质量优良天数比例提高。",
]


@dataclass
class Expected:
    """Site-relative paths a complete crawl of one issue fetches, by manifest kind."""

    layout: set[str] = field(default_factory=set)
    pdf: set[str] = field(default_factory=set)
    article: set[str] = field(default_factory=set)
    titles: dict[str, str] = field(default_factory=dict)  # article path → title

    def all(self) -> set[str]:
        """Every path of the issue."""
        return self.layout | self.pdf | self.article


def _write(root: Path, rel: str, data: bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _shift_ids(text: str, pattern: str, offset: int, ext: str) -> str:
    """Give a derived page its own article ids."""
    return re.sub(pattern, lambda m: f"content_{int(m.group(1)) + offset}{ext}", text)


def _resolve(page_rel: str, href: str) -> str:
    """Site-relative path of a relative link on the page at page_rel."""
    parts = page_rel.split("/")[:-1]
    for piece in href.split("?")[0].split("/"):
        if piece == "..":
            parts.pop()
        elif piece not in (".", ""):
            parts.append(piece)
    return "/".join(parts)


# ---------------------------------------------------------------- 人民日报 (new layout)

RMRB_DIR = "pc/layout/202412/25/"


def rmrb_article(title: str, n: int) -> bytes:
    """An article page in rmrb's new-layout template (UTF-8)."""
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html;charset=utf-8" />
<title>{title}</title></head><body><div class="main w1000"><div class="article-box">
<div class="article"><h3>引题{n}</h3><h1>{title}</h1><h2>副题{n}</h2>
<div class="sec"><span class="date">2024年12月25日</span></div>
<div class="article-content"><div id="ozoom"><p>{BODY[0]}</p><p>{BODY[1]}</p></div></div>
</div></div></div></body></html>""".encode()


def build_rmrb(root: Path) -> Expected:
    """人民日报 2024-12-25: the real 01 page, pages 02–20 derived from it."""
    real = (REAL / "rmrb_2024-12-25_node_01.html").read_bytes()
    text = real.decode("utf-8")
    names = dict(re.findall(r'href="node_(\d+)\.html">\d+版：([^<]+)<', text))
    exp = Expected()
    for num, name in names.items():
        k = int(num)
        rel = f"{RMRB_DIR}node_{num}.html"
        if k == 1:
            page = text
        else:
            page = _shift_ids(text, r"content_(\d+)\.html", 1000 * k, ".html")
            page = page.replace("/58d97d37-", f"/p{num}-58d97d37-")
            page = page.replace("第01版：要闻", f"第{num}版：{name}")
        _write(root, rel, real if k == 1 else page.encode("utf-8"))
        exp.layout.add(rel)
        pdf = re.search(r'<a href="([^"]+\.pdf)">PDF下载', page)
        assert pdf, rel
        exp.pdf.add(_resolve(rel, pdf.group(1)))
        for href, title in re.findall(r'<a href="([^"]+content_\d+\.html)">([^<]+)</a>', page):
            art = _resolve(rel, href)
            exp.article.add(art)
            exp.titles[art] = " ".join(title.split())
    for n, art in enumerate(sorted(exp.article)):
        _write(root, art, rmrb_article(exp.titles[art], n))
    for pdf_rel in exp.pdf:
        _write(root, pdf_rel, SAMPLE_PDF.read_bytes())
    return exp


# ---------------------------------------------------------------- 江西日报 (classic)

JXRB_DIR = "html/2017-10/09/"


def classic_article(title: str, n: int, day: str, node: str, utf8: bool = False) -> bytes:
    """A classic Founder article page: gb2312 label, enpproperty comment, #ozoom body.

    Bytes are GBK (with a character outside GB2312) or, when utf8, UTF-8 under the same
    lying gb2312 label.
    """
    html = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>{title}</title></head><body>
<!--enpproperty <articleid>{n}</articleid><date>{day}</date><author>本报记者 李{n}</author><title>{title}</title><keyword></keyword><subtitle>副题{n}</subtitle><introtitle></introtitle><siteid>2</siteid><nodeid>{node}</nodeid><nodename>版面</nodename><nodesearchname></nodesearchname>/enpproperty-->
<table width="100%"><tr><td class="font01"></td></tr><tr><td class="font02">{title}</td></tr>
<tr><td class="font01">副题{n}</td></tr></table>
<div id="ozoom"><founder-content><P>{BODY[0]}</P><P>{BODY[1]}</P></founder-content></div>
<table><tr><td><a href="node_{node}.htm">返回版面</a></td></tr></table>
</body></html>"""
    return html.encode("utf-8" if utf8 else "gb18030")


def classic_article_other_cells(title: str, author: str, enp: bool = True) -> bytes:
    """A classic article whose template differs from the family's: title in td.font01 and
    the byline in td.font03 (where the defaults look for kicker and subtitle); no 引题, no 副题.
    The enpproperty comment (when enp) declares the title and author, as real pages do.
    """
    prop = (
        f"<!--enpproperty <articleid>7</articleid><author>{author}</author>"
        f"<title>{title}</title><subtitle></subtitle><introtitle></introtitle>/enpproperty-->"
        if enp
        else ""
    )
    html = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>{title}</title></head><body>{prop}
<table><tr><td class="font01">{title}</td></tr><tr><td class="font03">{author}</td></tr></table>
<div id="ozoom"><founder-content><P>{BODY[0]}</P><P>{BODY[1]}</P></founder-content></div>
</body></html>"""
    return html.encode("gb18030")


def build_jxrb(root: Path) -> Expected:
    """江西日报 2017-10-09: the real A01 page (node_187), A02–C04 derived from it."""
    real = (REAL / "jxrb_2017-10-09_node_187.htm").read_bytes()
    text = real.decode("utf-8")
    table = re.findall(
        r"<a id=pageLink href=node_(\d+)\.htm>第([A-Z]\d+)版：([^<]+)</a></td>\s*"
        r"<td[^>]*><a href=([^>]+\.pdf)>",
        text,
    )
    assert len(table) == 12, table
    exp = Expected()
    own_pdf = table[0][3]
    for i, (node, label, name, pdf) in enumerate(table):
        rel = f"{JXRB_DIR}node_{node}.htm"
        if i == 0:
            page = text
        else:
            page = _shift_ids(text, r"content_(\d+)\.htm", 100 * i, ".htm")
            # The page's own PDF in its header; the page list keeps every page's PDF.
            page = re.sub(
                r"(<td width=149[^>]*><a href=)" + re.escape(own_pdf), rf"\g<1>{pdf}", page
            )
            page = page.replace(
                "第A01版：<STRONG>头版</STRONG>", f"第{label}版：<STRONG>{name}</STRONG>"
            )
            # Image maps and lists on real classic pages add ?div=… to the same article.
            page = re.sub(r'(<Area [^>]*href="content_\d+\.htm)"', r'\1?div=0"', page)
            page = re.sub(r"(<a href=content_\d+\.htm)>", r"\1?div=-1>", page)
        _write(root, rel, page.encode("utf-8"))
        exp.layout.add(rel)
        exp.pdf.add(_resolve(rel, pdf))
        for href, title in re.findall(r"<a href=(content_\d+\.htm)[^>]*><div[^>]*>([^<]+)<", page):
            art = _resolve(rel, href)
            exp.article.add(art)
            exp.titles[art] = title
    for n, art in enumerate(sorted(exp.article)):
        data = classic_article(exp.titles[art], n, "2017-10-09", "187", utf8=n % 2 == 1)
        _write(root, art, data)
    for pdf_rel in exp.pdf:
        _write(root, pdf_rel, SAMPLE_PDF.read_bytes())
    return exp


# ---------------------------------------------------------------- a generic classic paper


def classic_page(day: str, pages: list[tuple[str, str, int]], k: int, n_articles: int) -> str:
    """Page index page k of a generated classic paper (GBK, gb2312 label, ?div links)."""
    label, name, node = pages[k]
    ymd = day.replace("-", "")
    menu = " ".join(f"<a id=pageLink href=node_{nd}.htm>第{lb}版：{nm}</a>" for lb, nm, nd in pages)
    ids = [node * 100 + j for j in range(1, n_articles + 1)]
    areas = "".join(
        f'<area shape="rect" coords="10,{40 * j},300,{40 * j + 30}" href="content_{i}.htm?div=0">'
        for j, i in enumerate(ids)
    )
    titles = "".join(f"<li><a href=content_{i}.htm?div=-1>{name}新闻{i}</a></li>" for i in ids)
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>闽洲日报 第{label}版</title><link href="../../../tplimg/global.css"></head><body>
<div id="pageList">{menu}</div>
<table><tr><td class=px12>第{label}版：<STRONG>{name}</STRONG></td>
<td><a class=pdf href=../../../images/{day[:7]}/{day[8:]}/{label}/{ymd}{label}.pdf>PDF</a></td></tr></table>
<img src=../../../images/{day[:7]}/{day[8:]}/{label}/p.jpg usemap=#PagePicMap>
<map name="PagePicMap">{areas}</map>
<ul id="titleList">{titles}</ul>
</body></html>"""


def build_classic_paper(
    root: Path, day: str, labels: list[str], n_articles: int = 3, pdf: bytes | None = None
) -> Expected:
    """A generated classic Founder paper for one day: html/YYYY-MM/DD/node_N.htm, node = page."""
    names = ["要闻", "综合", "经济", "文化", "社会", "国际", "体育", "副刊"]
    pages = [(lb, names[int(lb) % len(names)], int(lb)) for lb in labels]
    exp = Expected()
    folder = f"html/{day[:7]}/{day[8:]}/"
    for k, (label, _name, node) in enumerate(pages):
        rel = f"{folder}node_{node}.htm"
        page = classic_page(day, pages, k, n_articles)
        _write(root, rel, page.encode("gb18030"))
        exp.layout.add(rel)
        pdf_rel = f"images/{day[:7]}/{day[8:]}/{label}/{day.replace('-', '')}{label}.pdf"
        # A unique trailer per page: every PDF is its own object, as on a real site.
        _write(root, pdf_rel, (pdf or SAMPLE_PDF.read_bytes()) + f"\n% {pdf_rel}\n".encode())
        exp.pdf.add(pdf_rel)
        for i, title in re.findall(r"<a href=content_(\d+)\.htm\?div=-1>([^<]+)<", page):
            art = f"{folder}content_{i}.htm"
            exp.article.add(art)
            exp.titles[art] = title
            _write(root, art, classic_article(title, int(i), day, str(node)))
    return exp


README = Path(__file__).parent.parent / "README.md"


def readme_profile() -> str:
    """The TOML block that follows the README's profile-example marker."""
    text = README.read_text("utf-8")
    match = re.search(r"<!-- profile-example.*?-->\s*```toml\n(.*?)```", text, re.S)
    assert match, "README lost its profile example"
    return match.group(1)


# ---------------------------------------------------------------- fixture server


@dataclass
class Behaviour:
    """How the fixture server misbehaves, by site-relative path."""

    fail_first: dict[str, tuple[int, int]] = field(default_factory=dict)  # path → (n, status)
    delay_first: dict[str, float] = field(default_factory=dict)  # path → seconds, first hit
    content_type: dict[str, str] = field(default_factory=dict)  # path → header value
    # path → site-relative target, or an absolute / protocol-relative URL (302)
    redirect: dict[str, str] = field(default_factory=dict)
    log: list[tuple[str, float]] = field(default_factory=list)  # (path, monotonic time)
    agents: set[str] = field(default_factory=set)  # User-Agent headers seen
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hits(self, path: str) -> int:
        """How many times path was requested."""
        return sum(1 for p, _ in self.log if p == path)

    def paths(self, since: int = 0) -> list[str]:
        """Paths requested (from log position since on), robots.txt left out."""
        return [p for p, _ in self.log[since:] if p != "robots.txt"]


class _Handler(SimpleHTTPRequestHandler):
    behaviour: Behaviour

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _rel(self) -> str:
        return unquote(urlsplit(self.path).path).lstrip("/")

    def send_head(self) -> Any:
        rel, b = self._rel(), self.behaviour
        with b.lock:
            b.log.append((rel, time.monotonic()))
            b.agents.add(self.headers.get("User-Agent", ""))
            seen = b.hits(rel)
        if rel in b.delay_first and seen == 1:
            time.sleep(b.delay_first[rel])
        if rel in b.redirect:
            self.send_response(302)
            target = b.redirect[rel]
            absolute = target.startswith(("http://", "https://", "//"))
            self.send_header("Location", target if absolute else "/" + target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        n, status = b.fail_first.get(rel, (0, 0))
        if seen <= n:
            self.send_error(status, "failing on purpose")
            return None
        return super().send_head()

    def send_header(self, keyword: str, value: str) -> None:
        if keyword == "Content-type" and self._rel() in self.behaviour.content_type:
            value = self.behaviour.content_type[self._rel()]
        super().send_header(keyword, value)


@contextmanager
def serve(root: Path, behaviour: Behaviour | None = None) -> Iterator[tuple[str, Behaviour]]:
    """Serve root on 127.0.0.1 with the given misbehaviour; yield (base URL, behaviour)."""
    b = behaviour or Behaviour()
    handler = type("Handler", (_Handler,), {"behaviour": b})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", b
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def copy_sample(dest: Path) -> Path:
    """A copy of the bundled sample site (the chinahightech template) under dest."""
    src = Path(__file__).parent.parent / "baokan/sample/site"
    shutil.copytree(src, dest)
    return dest
