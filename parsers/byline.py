"""Bylines split into role and names: 本报记者 张三 李四 → role 本报记者, names [张三, 李四].

One pass over the printed byline, no I/O. Forms read:

- ``本报记者 张三 通讯员 李四``: each name takes the role printed before it (``name_roles``);
  ``role`` is the distinct roles in print order joined by "、" (本报记者、通讯员).
- credits with a slash or colon: ``文/姜钦峰``, ``文／图 王五``, ``张三/文 李四/图``, ``作者：张三``;
  a bare credit after roleless names labels them (``张三 摄``).
- datelines: ``新华社北京1月5日电（记者张三、李四）`` and ``本报讯（记者 张三）``: the agency is
  prefixed to the bare roles in the parenthesis (新华社记者, 本报记者); without names the
  agency is the role (新华社).
- a role alone (``本报编辑部``, ``本报评论员``): that role, no names.
- names: separated by spaces, 、，; or full-width spaces. Single characters set apart for
  alignment (``孙  萌``) are one name, as is a compound surname set apart (``欧阳 晨``); Latin
  names keep their spaces (``John Smith``); ``阿不都 · 热合曼`` is ``阿不都·热合曼``.

Anything else gives role None and the remaining tokens as names: characters are never dropped
except markers, separators and filler words (报道, 发自…); the printed text stays in
``ArticleRecord.author``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ffff"
# Words a role ends with: 本报记者, 特约评论员, 本报编辑部, 责任编辑, 特约撰稿人 ...
_ROLE_WORDS = (
    "记者站|记者|通讯员|评论员|实习生|编辑部|编辑室|编辑|撰稿人|撰稿|观察员|评论部|课题组|调研组"
)
# Credits for a kind of work, printed before (文/张三) or after (张三/文, 张三 摄) the names.
_CREDITS = frozenset((
    "文", "图", "摄", "摄影", "文图", "图文", "口述", "整理", "编译", "翻译", "绘", "漫画", "制图",
    "供图", "视频", "摄像", "作者",
))  # fmt: skip
_ROLE_TOKEN = re.compile(rf"[{_CJK}\-—·]{{0,16}}(?:{_ROLE_WORDS})")
_QUALIFIER = (
    r"(?:驻[" + _CJK + r"]{1,4}?)?(?:记者站)?(?:首席|特约|特派|实习|见习|高级|资深|摄影|文字)?"
)
# A role glued to the names after it (记者张三, 本报记者张三通讯员李四): an organisation only at
# the token's start, so a name before a role word is never read as one.
_HEAD_ROLE = re.compile(rf"(?:本报|[{_CJK}]{{2,6}}?(?:社|报|台|网))?{_QUALIFIER}(?:{_ROLE_WORDS})")
_INNER_ROLE = re.compile(rf"(?:本报)?{_QUALIFIER}(?:{_ROLE_WORDS})")
# A role without an organisation: a dateline's agency is prefixed to it.
_BARE_ROLE = re.compile(rf"{_QUALIFIER}(?:{_ROLE_WORDS})")
_DATELINE = re.compile(
    rf"据?(?P<agency>[{_CJK}]{{1,10}}?(?:社|报|台|网))(?P<where>[^\s（(]{{0,12}}?)(?:讯|电|消息)"
    r"(?:\s*[（(](?P<inner>[^（）()]*)[)）])?(?P<tail>(?:\s.*)?)",
    re.S,
)
_MARKS = r"\s►▶▷》>■□◎●○★☆▲△▼▽◆◇♦•·\-—–_~～*#|｜"
_FRAME = re.compile(rf"^[{_MARKS}]+|[{_MARKS}]+$")
_ENCLOSED = re.compile(r"[（(【［\[〔](?P<inner>[^（）()【】［］\[\]〔〕]*)[)）】］\]〕]")
# Spaces around a slash, colon or middle dot are spacing, not separators (文 / 王五).
_GLUE = re.compile(r"\s*([/／:：·•・])\s*")
_SEPARATOR = re.compile(r"(\s+|[、，,；;()（）【】]+)")
_CONJUNCTIONS = frozenset(("和", "与", "及"))
_FILLER = re.compile(r"(?:联合|综合)?报道|发自\S*")
_LATIN = re.compile(r"[A-Za-z][A-Za-z.'\-]*")
_SINGLE = re.compile(rf"[{_CJK}]")
_COMPOUND_SURNAMES = frozenset((
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文",
    "司徒", "夏侯", "轩辕", "端木", "南宫", "西门", "独孤", "百里", "呼延", "万俟", "申屠", "太史",
    "闻人", "澹台", "公冶", "宗政", "濮阳", "赫连",
))  # fmt: skip


@dataclass
class Byline:
    """A byline's role(s) and names; name_roles[i] is the role printed before names[i]."""

    role: str | None
    names: list[str]
    name_roles: list[str | None] = field(default_factory=list)


# A piece of a byline: ("role" | "credit" | "suffix" | "name", text).
Piece = tuple[str, str]


def split_byline(text: str | None) -> Byline:
    """Role and names of a printed byline; unknown forms give role None and best-effort names."""
    body = _unframe(text or "")
    dated = _DATELINE.fullmatch(body)
    if dated and not _ROLE_TOKEN.search(dated["where"]):
        return _dateline(dated)
    return _assign(_pieces(body))


def _unframe(text: str) -> str:
    """The byline without markers (► □ ◎ …) or a bracket pair enclosing all of it."""
    previous = None
    while previous != text:
        previous = text
        text = _FRAME.sub("", text)
        if enclosed := _ENCLOSED.fullmatch(text):
            text = enclosed["inner"]
    return text


def _dateline(match: re.Match[str]) -> Byline:
    agency = match["agency"]
    pieces = _pieces(f"{match['inner'] or ''} {match['tail']}")
    prefixed = [
        (kind, agency + value if kind == "role" and _BARE_ROLE.fullmatch(value) else value)
        for kind, value in pieces
    ]
    byline = _assign(prefixed)
    if byline.role is None and not byline.names:
        byline.role = agency  # 新华社北京1月5日电: the agency is the only credit printed
    return byline


def _pieces(body: str) -> list[Piece]:
    """Roles, credits and names in print order."""
    tokens = _merge_tokens(_tokens(_GLUE.sub(r"\1", body)))
    pieces: list[Piece] = []
    for spaced, token in tokens:
        for kind, value in _classify(token):
            if (
                kind == "name"
                and spaced
                and pieces
                and pieces[-1][0] == "name"
                and _LATIN.fullmatch(value)
                and _LATIN.fullmatch(pieces[-1][1].rsplit(" ", 1)[-1])
            ):
                pieces[-1] = ("name", f"{pieces[-1][1]} {value}")  # Latin names keep spaces
            else:
                pieces.append((kind, value))
    return pieces


def _tokens(body: str) -> list[tuple[bool, str]]:
    """(set apart from the previous token by whitespace only, token)."""
    parts = _SEPARATOR.split(body)
    out: list[tuple[bool, str]] = []
    spaced = False
    for i, part in enumerate(parts):
        if i % 2:  # a separator: only whitespace lets alignment spacing be merged across
            spaced = spaced and part.isspace()
        elif part in _CONJUNCTIONS:
            spaced = False  # 张三 和 李四: a separator too
        elif part and not _FRAME.fullmatch(part):
            out.append((spaced and bool(out), part))
            spaced = True
    return out


def _merge_tokens(tokens: list[tuple[bool, str]]) -> list[tuple[bool, str]]:
    """Join what alignment spacing split: 欧阳 晨 → 欧阳晨, 孙  萌 → 孙萌."""
    out: list[tuple[bool, str]] = []
    for spaced, token in tokens:
        if spaced and out and out[-1][1] in _COMPOUND_SURNAMES and _single(token):
            out[-1] = (out[-1][0], out[-1][1] + token)
        else:
            out.append((spaced, token))
    return _merge_singles(out)


def _single(token: str) -> bool:
    return bool(_SINGLE.fullmatch(token))


def _merge_singles(tokens: list[tuple[bool, str]]) -> list[tuple[bool, str]]:
    """Runs of spaced single characters pair up into names; an odd run's last one joins in."""
    out: list[tuple[bool, str]] = []
    i = 0
    while i < len(tokens):
        j = i + 1
        if _single(tokens[i][1]):
            while j < len(tokens) and tokens[j][0] and _single(tokens[j][1]):
                j += 1
        run = [t for _, t in tokens[i:j]]
        if len(run) > 2 and len(run) % 2 and run[-1] in _CREDITS:
            run.pop()  # 孙 萌 摄: the credit after a spaced name is not part of it
            j -= 1
        if len(run) < 2:
            out.append(tokens[i])
            i += 1
            continue
        names = ["".join(run[k : k + 2]) for k in range(0, len(run) - 1, 2)]
        if len(run) % 2:
            names[-1] += run[-1]
        out += [(tokens[i][0], names[0]), *((True, n) for n in names[1:])]
        i = j
    return out


def _classify(token: str) -> list[Piece]:
    """What one separator-free token holds."""
    if _FILLER.fullmatch(token):
        return []
    if label := re.match(r"([^:：]{1,8})[:：](.*)", token):
        return [("role", label[1]), *_classify(label[2])] if label[2] else [("role", label[1])]
    if "/" in token or "／" in token:
        return _slashed(re.split("[/／]", token))
    if token in _CREDITS:
        return [("credit", token)]
    if _ROLE_TOKEN.fullmatch(token):
        return [("role", token)]
    return _glued(token)


def _slashed(parts: list[str]) -> list[Piece]:
    """文/姜钦峰, 文/图, 张三/文, 张三/李四: leading credits are a role, trailing ones a suffix."""
    head = 0
    while head < len(parts) and parts[head] in _CREDITS:
        head += 1
    tail = len(parts)
    while tail > head and parts[tail - 1] in _CREDITS:
        tail -= 1
    pieces: list[Piece] = [("role", "/".join(parts[:head]))] if head else []
    for part in parts[head:tail]:
        pieces += _classify(part) if part else []
    if tail < len(parts):
        pieces.append(("suffix", "/".join(parts[tail:])))
    return pieces


def _glued(token: str) -> list[Piece]:
    """A token with roles glued to names (记者张三通讯员李四), or a name."""
    pieces: list[Piece] = []
    start = 0
    head = _HEAD_ROLE.match(token)
    if head and head.end() < len(token):
        pieces.append(("role", head[0]))
        start = head.end()
        for inner in _INNER_ROLE.finditer(token, start):
            if inner.start() > start:
                pieces.append(("name", token[start : inner.start()]))
            pieces.append(("role", inner[0]))
            start = inner.end()
    if start < len(token):
        pieces.append(("name", token[start:]))
    return pieces


def _assign(pieces: list[Piece]) -> Byline:
    """Each name's role: the role before it, or a credit after it when none was printed."""
    names: list[str] = []
    roles: list[str | None] = []
    printed: list[str] = []  # roles as printed, for a byline that names nobody
    current: str | None = None
    group = 0  # first name since the last role
    for kind, value in pieces:
        roleless = [i for i in range(group, len(names)) if roles[i] is None]
        if kind == "name":
            names.append(value)
            roles.append(current)
        elif kind == "role" or (kind == "credit" and not roleless):
            current, group = value, len(names)
            printed.append(value)
        else:  # a credit or suffix after the names it labels: 张三 摄, 张三/文
            for i in roleless:
                roles[i] = value
            group = len(names)
    shown = [r for r in roles if r] if names else printed
    return Byline("、".join(dict.fromkeys(shown)) or None, names, roles)


_SPREAD_NAME = re.compile(rf"(?<![{_CJK}])([{_CJK}])[ \u3000]+([{_CJK}])(?![{_CJK}])")


def close_spread_names(text: str) -> str:
    """A printed byline with two-character names spread to three's width closed: 孙  萌 → 孙萌."""
    return _SPREAD_NAME.sub(r"\1\2", text)
