#!/usr/bin/env python3
"""Generate the bundled sample e-paper 高新样报 (site files, page PDFs, truth) under baokan/sample/.

Deterministic: re-running produces byte-identical files. Needs the Debian packages
fonts-wqy-zenhei (all text) and fonts-dejavu-core (the "►" byline marker only);
pdftoppm (poppler-utils) is optional and only used for the page preview PNGs.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from PIL import Image
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "baokan" / "sample"
CJK_FONT_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
SYMBOL_FONT_FILE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
CJK = "WenQuanYiZenHei"
SYMBOL = "DejaVuSans"

SITE_ID = "sample"
PAPER = "高新样报"
PAGE_W, PAGE_H = 842.0, 1191.0
LEFT, RIGHT = 40.0, 802.0
CONTENT_TOP, CONTENT_BOTTOM = 58.0, 1146.0
GRID_UNITS = 12
GUTTER = 18.0  # between modules; a thin rule runs along its middle
COL_GAP = 14.0  # between the columns of one module
ASCENT = 0.8  # WenQuanYi Zen Hei ascent in em (descent 0.2)
IMAGE_W = 400

FURNITURE_SIZE = 9.0
KICKER_SIZE = 13.0
SUBTITLE_SIZE = 13.0
BYLINE_SIZE = 9.0
BODY_SIZE = 10.0
SUBHEAD_SIZE = 10.5
BODY_LEAD = BODY_SIZE * 1.45
SUBHEAD_LEAD = SUBHEAD_SIZE * 1.5
MARKER = "►"  # byline marker, drawn with SYMBOL (WenQuanYi has no glyph for it)

CLOSING = set("，。、；：？！）」』”’》〉】…")
OPENING = set("（「『“‘《〈【")
TOKEN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.%:/@+\-]*|——|……|\s+|.", re.S)
GAP = " "  # a gap token: advances x but is never drawn


@dataclass(frozen=True)
class Article:
    """One article as printed: headline block, byline and body paragraphs."""

    title: str
    author: str  # as printed, without the leading "►"
    paragraphs: tuple[str, ...]
    kicker: str | None = None
    subtitle: str | None = None
    subheads: frozenset[int] = frozenset()  # indexes of paragraphs that are subheads


@dataclass(frozen=True)
class Run:
    """A piece of text at a baseline position (points, origin top-left)."""

    x: float
    baseline: float
    size: float
    text: str
    font: str = CJK
    char_space: float = 0.0
    bold: bool = False


@dataclass
class Block:
    """Laid-out content of one module, relative to the module's top-left corner."""

    runs: list[Run] = field(default_factory=list)
    boxes: list[tuple[float, float, float, float, bool]] = field(default_factory=list)
    height: float = 0.0


@dataclass(frozen=True)
class Slot:
    """A layout slot: an article key (or AD) and its column count."""

    key: str
    columns: int = 1


@dataclass(frozen=True)
class Cell:
    """A vertical stack of slots occupying `units` of the 12-unit grid."""

    units: int
    slots: tuple[Slot, ...]


@dataclass(frozen=True)
class PageSpec:
    """One page of an issue: label, section name, editor and rows of cells."""

    label: str
    name: str
    editor: str
    rows: tuple[tuple[Cell, ...], ...]


@dataclass
class Placed:
    """A module placed on a page."""

    key: str
    columns: int
    bbox: tuple[float, float, float, float]
    block: Block


@dataclass
class PageLayout:
    """Everything drawn on one page."""

    modules: list[Placed]
    rules: list[tuple[float, float, float, float, float]]  # x0, y0, x1, y1, line width
    furniture: list[Run]


# --- articles ----------------------------------------------------------------

# Source of SEED: 中国高新技术产业导报, 2025 (page text as a naive PDF tool extracted it,
# /work/shared/seed/000_3d0c105ad7a6423f.txt). Repaired here: words cut at column ends
# rejoined (精准性培育, 乌鲁木齐高新区, 管理服务平台), ASCII ,;() in Chinese prose made
# full-width, "## N ..." lines turned into subheads, the "2025 年" title space removed;
# the trailing paper name and the subscription ad are not part of the article.
SEED = Article(
    title="2025年国家高新区和自创区十大新闻",
    author="本报编辑部",
    subheads=frozenset(range(1, 21, 2)),
    paragraphs=(
        "2025年是实现“十四五”规划目标任务的收官之年，国家高新区和自创区向“高”攀升、向“新”而行，"
        "大力推动科技创新和产业创新深度融合，培育发展新质生产力，加快推进新型工业化，实现高质量发展，"
        "为推进中国式现代化积极贡献“高新”力量。在系统梳理的基础上，中国高新技术产业导报社邀请知名"
        "专家学者、权威媒体人士，共同遴选出“2025年度国家高新区和自创区十大新闻”。",
        "1 习近平总书记考察调研上海“模速空间”",
        "2025年4月29日，习近平总书记考察调研位于上海张江高新区徐汇园的“模速空间”大模型创新生态"
        "社区，强调人工智能是年轻的事业，也是年轻人的事业；指出我国数据资源丰富，产业体系完备，市场"
        "空间巨大，发展人工智能前景广阔，要加强政策支持和人才培养，努力开发更多安全可靠的优质产品。",
        "2 政府工作报告对加快国家高新区创新发展作出部署",
        "2025年政府工作报告明确提出加快国家高新区创新发展，为新时期国家高新区推动科技创新和产业创新"
        "深度融合、加快形成新质生产力指明了方向。自1992年政府工作报告首次提出努力办好高新技术产业"
        "开发区以来，30多年间政府工作报告14次提及高新区。",
        "3 国家高新区新赛道培育行动启动实施",
        "2025年年初，工业和信息化部印发实施《国家高新区新赛道培育行动方案》，建立新赛道“开放式发现"
        "—高标准选拔—精准性培育”机制，提出量子科技、脑机接口、具身智能、高性能集成电路、第六代移动"
        "通信等15个重点新赛道方向，支持国家高新区打造新赛道策源地。",
        "4 国家自创区改革创新进一步深化",
        "中关村世界领先科技园区建设加快推进。国家自创区政策试点“揭榜挂帅”行动深入实施，上海张江自创"
        "区、沈大自创区等自创区在“先研后股科技成果转化模式”“概念验证和中试平台市场化开放共享机制”"
        "等部分政策试点上取得重要进展。开展2025年国家自创区改革典型案例征集，总结推广自创区在推动"
        "科技创新和产业创新深度融合、一体推进教育科技人才发展等方面的改革举措。",
        "5 国家高新区产业协同创新网络和联盟建设深入推进",
        "2025年，国家高新区人工智能产业协同创新网络会同相关单位举办“人工智能+”大会，成都高新区、"
        "包头稀土高新区、合肥高新区分别牵头成立新型显示、稀土、量子产业协同创新网络，网络总数达到8个。"
        "成都高新区等8家国家高新区启动建设中试创新协作网络。中部地区5省国家高新区联合成立中部地区"
        "国家高新区联盟。乌鲁木齐高新区等10家国家高新区发布关于深化跨区域国家高新区协作支持新疆维吾尔"
        "自治区打造产业科技创新高地的倡议。",
        "6 国家高新区特色产业园和创新社区蓬勃发展",
        "2025年9月，中关村出台新版特色产业园建设管理办法，特色产业园数量已达64个，营业总收入突破"
        "1.2万亿元。中关村科技园区、上海张江高新区、苏州工业园区、苏州高新区、无锡高新区、杭州高新区"
        "等打造专业化OPC（单人公司）社区，探索智能时代赋能个体创业的新生态。",
        "7 国家高新区和高等院校探索“双高协同”机制",
        "“百园百校万企”创新合作行动深入实施，促成3000多项合作事项。工业和信息化部部属7所高校与部分"
        "国家高新区举行座谈会，围绕“十五五”时期深化合作进行交流。江苏省大力推进国家高新区和高等院校"
        "协同联动，促进省内18家高新区优势产业与37所高校优势学科精准对接。",
        "8 国家高新区管理服务平台和高端交流平台加快构建",
        "启动建设国家高新区综合管理服务平台，以数字化手段对园区进行精准画像和针对性服务。搭建高端交流"
        "平台，举办中关村论坛世界领先科技园区发展论坛、浦江创新论坛国家自主创新示范区高质量发展论坛、"
        "火炬论坛国家高新区创新发展论坛。完善培训体系，2025年国家高新区和省级高新区高质量发展培训班"
        "分别在福州高新区和长沙高新区举办。",
        "9 国家高新区高质量完成科研助理岗位开发落实任务",
        "举办2025年科研助理岗位供需对接活动暨直播带岗活动，昆明高新区等国家高新区设立科研助理培训基地。"
        "充分发挥国家高新区“主力军”作用，2025年累计招录科研助理岗位14.1万个，为促进高质量充分就业"
        "提供有力支撑。中关村科技园区、深圳高新区、广州高新区、惠州仲恺高新区、成都高新区、武汉东湖"
        "高新区分别招录科研助理超2000人。",
        "10 国家高新区拓展国际合作新空间",
        "共建“一带一路”科技园区合作创新发展对话在成都举办，共建“一带一路”科技园区合作联盟启动建设。"
        "首批“中关村人工智能企业出海服务港”设立，为人工智能企业出海提供“一站”式服务；厦门火炬高新区"
        "深入推进中国—金砖国家新时代科创孵化园建设，大力推进跨境科创孵化；海口高新区把握海南自贸港"
        "全岛封关运作机遇，加大对有出海需求的成长型企业引进力度。",
    ),
)

# Everything below is fiction: places (明湖, 青禾, 银溪, 东岚, 云杉湾), people and figures.
SIGNING = Article(
    kicker="岁末冲刺抓项目",
    title="明湖高新区21个重点项目集中签约",
    subtitle="总投资186亿元，涵盖集成电路、生物医药和智能装备",
    author="本报记者 张明",
    paragraphs=(
        "12月26日，明湖高新区举行2025年第四季度重点项目集中签约活动，21个产业项目现场签约，"
        "总投资186亿元。签约项目涵盖集成电路、生物医药、智能装备等领域，其中投资额超过10亿元的"
        "项目有6个。",
        "“这批项目与园区主导产业契合度高，不少是围绕龙头企业的上下游配套。”明湖高新区管委会相关"
        "负责人介绍，今年以来园区坚持“以链招商、以商引商”，组建了8支产业链招商小分队，全年累计"
        "走访企业1200余家次。",
        "记者在签约现场了解到，一家从事功率半导体封装测试的企业计划在园区建设年产3亿颗器件的生产线，"
        "预计2026年三季度投产。企业负责人表示，选择落户明湖，看重的是园区完善的供应链配套和高效的"
        "审批服务，“从洽谈到签约只用了不到两个月”。",
        "据统计，2025年前11个月，明湖高新区规模以上工业增加值同比增长8.1%，高新技术企业数量达到"
        "1460家。园区表示，下一步将建立签约项目“一项目一专班”推进机制，推动项目早开工、早投产、"
        "早见效。",
    ),
)

INCUBATORS = Article(
    title="青禾高新区孵化器年度评价结果出炉",
    author="本报记者 李文",
    paragraphs=(
        "记者12月25日从青禾高新区获悉，园区发布2025年度科技企业孵化器绩效评价结果，参评的28家"
        "孵化器中，9家获评A类，较上年增加3家。",
        "此次评价围绕服务能力、孵化绩效和可持续发展三个维度设置了24项指标，首次把“硬科技项目占比”"
        "和“毕业企业留园率”纳入考核。评价结果显示，参评孵化器全年新增在孵企业612家，毕业企业107家，"
        "其中留在园区继续发展的有86家。",
        "“过去一些孵化器更像‘二房东’，靠收租金过日子。”园区科技创新局相关负责人说，新的评价体系"
        "更看重专业服务，对连续两年获评C类的孵化器将取消相关扶持政策。",
        "据悉，获评A类的孵化器将获得最高50万元的运营补贴。2026年，青禾高新区计划新建3家专业孵化器，"
        "重点面向人工智能和新材料领域。",
    ),
)

COMPUTE = Article(
    kicker="园区观察",
    title="“算力走廊”串起产业链上下游",
    subtitle="东岚科技城构建算力服务生态，全年新增相关企业120家",
    author="本报记者 王静 通讯员 陈晓",
    paragraphs=(
        "清晨7时，东岚科技城智算中心的运维大厅里，大屏上实时跳动着各机房的负载数据。这座今年6月"
        "投入运营的智算中心，目前已为园区内外230余家企业提供算力服务，平均算力使用率保持在75%以上。",
        "以智算中心为起点，沿着园区主干道向东延伸约6公里，分布着大模型研发、数据标注、算法测评和行业"
        "应用等各类企业，当地人把这条路称为“算力走廊”。2025年，走廊沿线新增相关企业120家，集聚"
        "从业人员超过1.1万人。",
        "“以前训练一个行业模型，要排队等外部算力，一等就是两三周。”一家工业视觉企业的技术负责人告诉"
        "记者，现在通过园区的算力调度平台，当天提交需求，最快当晚就能开始训练，成本比此前下降了约三成。",
        "算力“用得上”，还要“用得起”。东岚科技城推出“算力券”政策，对初创企业购买算力服务给予最高"
        "40%的补贴，全年累计发放算力券2800万元。与此同时，园区联合高校开设数据标注和模型调优培训班，"
        "已培训学员1600余人次。",
        "园区负责人表示，2026年将推动智算中心二期建设，新增算力规模计划翻番，并围绕智能制造、智慧医疗"
        "等场景发布一批应用需求清单，让更多企业在真实场景中打磨产品。",
    ),
)

PILOT = Article(
    title="云杉湾中试共享平台正式启用",
    author="本报记者 刘洋",
    paragraphs=(
        "12月24日，云杉湾创新区中试共享平台正式启用。平台建筑面积1.8万平方米，配置了小批量试制、"
        "工艺验证和检测认证等3条公共中试线，可同时承接12个项目开展中试。",
        "平台采取“政府建设、企业运营、按需付费”的模式，对园区内科技型中小企业给予中试费用50%的"
        "减免。启用当天，已有5家企业签约入驻，涉及新型电池材料、医用传感器等方向。",
        "“很多实验室成果卡在从样品到产品这一步。”平台运营方负责人说，平台将为企业提供从方案设计到"
        "小批量生产的全流程服务，力争把中试周期缩短三分之一。",
        "据了解，云杉湾创新区目前集聚新材料、医疗器械等领域科技型企业400余家，其中超过一半有中试"
        "需求。平台启用后，园区还将联合高校院所组建专家服务团，定期开展工艺诊断和技术咨询。",
    ),
)

TALENT = Article(
    title="银溪高新区出台青年人才新政",
    author="本报记者 孙悦",
    paragraphs=(
        "12月23日，银溪高新区发布《关于支持青年科技人才创新创业的若干措施》，从住房保障、项目资助、"
        "子女教育等方面推出10条举措。",
        "新政提出，对35岁以下入选园区青年科技人才计划的，给予最高100万元项目资助；对新引进的博士"
        "研究生，3年内每月发放5000元生活补贴。园区还将统筹建设1200套人才公寓，实行“拎包入住”。",
        "值得关注的是，新政首次将“揭榜挂帅”项目中的青年骨干纳入支持范围，鼓励企业让青年人才挑大梁。"
        "园区人才服务中心设立了“一站式”窗口，每周三15:30至17:30安排专人现场答疑。",
        "据统计，银溪高新区目前有各类人才约6.8万人，其中35岁以下青年人才占比超过六成。园区相关"
        "负责人表示，新政实施后，预计每年可新引进青年科技人才3000人以上。",
    ),
)

BATTERY = Article(
    kicker="创新一线",
    title="固态电池中试线实现连续稳定运行",
    subtitle="能量密度达到每公斤360瓦时，关键材料全部实现自主配套",
    author="本报记者 赵宁",
    paragraphs=(
        "走进位于明湖高新区的一家新能源企业中试车间，一条长约80米的固态电池中试线正在满负荷运转。"
        "涂布、叠片、封装等工序依次完成，一块块电芯被送入化成柜进行充放电测试。",
        "“这条线从今年9月开始连续运行，产品一致性已经达到量产要求。”企业研发总监介绍，目前中试线"
        "生产的电芯能量密度达到每公斤360瓦时，在零下20摄氏度环境下容量保持率超过85%，循环寿命突破"
        "1500次。",
        "固态电池被认为是下一代动力电池的重要方向，但从实验室走向生产线并不容易。电解质材料的稳定性、"
        "界面阻抗的控制以及生产环境的湿度管理，都是横在研发团队面前的难题。为此，企业与省内两所高校"
        "共建联合实验室，组建了120余人的研发团队，先后攻克了12项关键工艺。",
        "在关键材料方面，企业与园区内的3家材料企业开展联合攻关，硫化物电解质、高镍正极和复合负极等"
        "材料全部实现自主配套。“材料企业就在几公里外，工程师当天就能到现场解决问题。”研发总监说。",
        "园区为项目提供了从厂房代建到中试验证的全链条支持。明湖高新区科技创新局相关负责人表示，园区"
        "已集聚新能源上下游企业60余家，2025年前三季度产业产值同比增长23.6%。",
        "据悉，企业计划于2026年下半年启动首条量产线建设，设计年产能2吉瓦时，主要面向高端电动汽车和"
        "储能市场。",
    ),
)

# Printed twice: 2025-12-29 A3 and 2026-01-05 A2 (a reprint, different content ids).
REPRINT = Article(
    kicker="科技成果转化观察",
    title="让实验室成果走出“最后一公里”",
    subtitle="青禾高新区概念验证中心运行一年记",
    author="本报记者 周然",
    paragraphs=(
        "一年前，青禾高新区概念验证中心挂牌运行。一年来，中心累计征集高校院所科研成果310项，遴选支持"
        "58个项目开展概念验证，其中19个项目已完成技术熟化并注册成立公司。",
        "“概念验证就是在成果转化的最前端‘试错’。”中心主任介绍，很多科研成果在实验室里性能优异，但能否"
        "做成产品、有没有市场，科研人员心里并没有底。中心为每个项目配备技术经理人和产业导师，用6到12个月"
        "时间回答“能不能做、值不值得做”的问题。",
        "某高校材料学院的一支团队研发出一种新型防腐涂层，实验数据亮眼，却迟迟找不到应用方向。进入中心后，"
        "技术经理人带着团队走访了11家企业，最终把应用场景锁定在海上风电设备。目前，相关产品已在两个风电场"
        "开展挂片试验。",
        "在资金支持上，中心设立了5000万元概念验证基金，单个项目最高支持200万元，并探索“先使用后付费”"
        "“先投后股”等方式，降低科研团队的转化门槛。",
        "“概念验证补上了从论文到产品之间的一环。”青禾高新区相关负责人表示，2026年中心将新增生物医药和"
        "人工智能两个专业方向，力争全年支持项目数量突破80个。",
    ),
)

LOW_ALTITUDE = Article(
    title="低空经济企业扎堆落户东岚科技城",
    subtitle="全年新增低空经济企业37家，无人机物流航线开通12条",
    author="本报记者 吴迪",
    paragraphs=(
        "12月22日上午，一架满载医疗物资的无人机从东岚科技城起降场升空，约18分钟后平稳降落在12公里外"
        "的一家医院楼顶。这是东岚科技城今年开通的第12条无人机物流航线。",
        "2025年，东岚科技城新增低空经济企业37家，涵盖整机研发、飞控系统、电池动力和运营服务等环节。"
        "园区建设了低空飞行服务站和3个公共起降场，为企业提供试飞空域申请、适航检测等服务。",
        "“园区有现成的测试场景，研发迭代速度快了很多。”一家无人机企业的负责人说，企业今年推出的新款"
        "物流无人机最大载重提升到50公斤，续航时间延长了40%。",
        "园区方面透露，2026年将围绕城市物流、应急救援和文旅观光等场景，新开放一批低空应用场景，并设立"
        "规模10亿元的低空经济产业基金。",
    ),
)

NEW_YEAR = Article(
    kicker="新年新气象",
    title="新年首周高新区重大项目密集开工",
    author="本报记者 张明 李文",
    paragraphs=(
        "新年伊始，各地高新区抢抓开局，一批重大项目密集开工。记者从多个园区了解到，2026年首周，明湖、"
        "青禾、银溪等高新区集中开工项目46个，总投资超过420亿元。",
        "1月4日上午，银溪高新区新型显示材料产业园项目现场，十余台挖掘机同时作业。该项目总投资38亿元，"
        "建成后将形成年产光学膜材料6000万平方米的生产能力。项目负责人说，项目从签约到开工用时不到100天，"
        "“审批环节实行容缺受理，节省了大量时间”。",
        "在明湖高新区，集成电路先进封装基地二期、生物医药公共服务平台等9个项目同步开工。园区负责人表示，"
        "2026年园区计划实施重点项目150个，年度计划投资比上年增长12%。",
        "青禾高新区则把开年第一场活动放在了企业车间。园区组织20余个部门走进企业现场办公，当场协调解决"
        "用地、用工、融资等问题37项。",
        "业内人士分析，高新区开年即冲刺，既体现了对全年发展的信心，也为“十五五”开好局打下基础。",
    ),
)

SME = Article(
    title="2026年科技型中小企业评价工作启动",
    author="本报记者 刘洋",
    paragraphs=(
        "记者1月4日获悉，2026年度科技型中小企业评价工作日前启动。符合条件的企业可在线自主填报信息，"
        "评价工作按季度开展，常年受理。今年起，填报流程进一步简化，企业平均填报时间缩短一半。",
        "入库企业可按规定享受研发费用加计扣除等政策。以明湖高新区为例，2025年入库科技型中小企业1380家，"
        "同比增长8.1%，带动企业研发投入明显增加。",
        "多地高新区已开通线上辅导通道，并组织政策宣讲会，帮助企业准确理解评价指标、规范填报信息。明湖"
        "高新区将于1月8日15:30举办首场线上培训。",
        "明湖高新区科技创新局相关负责人提醒，企业应如实填报研发人员、研发投入等信息，避免因数据"
        "不实影响入库；对首次入库的企业，园区将在研发投入方面给予一次性奖励。",
    ),
)

BUSINESS = Article(
    title="银溪高新区营商环境满意度调查结果发布",
    subtitle="企业综合满意度达92.6分，较上年提高1.8分",
    author="本报记者 孙悦",
    paragraphs=(
        "1月3日，银溪高新区发布2025年度营商环境企业满意度调查结果。调查覆盖园区内1026家企业，企业综合"
        "满意度为92.6分，较上年提高1.8分，政务服务、要素保障和法治环境三项指标得分均超过90分。",
        "此次调查由第三方机构实施，采用问卷调查与实地访谈相结合的方式，共设置6个一级指标、28个二级指标。"
        "与往年相比，今年新增了“涉企检查频次”“政策兑现速度”等企业关注度较高的指标。",
        "调查显示，企业对“一网通办”“免申即享”等改革举措评价较高。2025年，园区“免申即享”政策覆盖面"
        "扩大到42项，惠及企业2100余家次，兑现资金3.6亿元，平均兑现时间由原来的45天缩短至7天。",
        "调查也反映出一些短板。部分企业反映，中小企业融资渠道仍然偏窄，高技能人才招引难度较大。对此，"
        "园区表示将在2026年推出“科创贷”升级版，并联合职业院校开设订单班，定向培养急需紧缺人才。",
        "“营商环境没有最好，只有更好。”园区相关负责人说，园区将建立问题清单闭环管理机制，调查中收集到"
        "的136条意见建议将逐条明确责任单位和办理时限，并在今年6月底前向企业反馈办理结果。",
    ),
)

TWIN = Article(
    title="青禾高新区数字孪生园区上线",
    author="本报记者 吴迪",
    paragraphs=(
        "1月2日，青禾高新区数字孪生园区平台正式上线。平台以三维建模方式还原了园区42平方公里范围内的"
        "道路、楼宇、管网等要素，接入各类感知设备1.6万个。",
        "“过去排查一处管网泄漏要跑好几趟现场，现在在平台上就能精准定位。”园区运营中心工作人员演示，"
        "点击屏幕上的一栋厂房，企业的用能、用水、排污等数据一目了然。",
        "据介绍，平台还集成了企业服务、招商管理、应急指挥等12个应用模块，可对园区内的交通、能耗和安全"
        "隐患进行实时监测与预警。园区计划2026年底前实现重点企业数据接入全覆盖。",
        "“数字孪生园区不是一块展示屏，而是一套管理工具。”园区相关负责人表示，平台将逐步向园区企业"
        "开放部分数据接口，支持企业开发能耗优化、物流调度等应用。",
    ),
)

CHAIN = Article(
    kicker="产业链观察",
    title="“链长制”推动产业链精准招商",
    author="本报记者 王静",
    paragraphs=(
        "一条产业链，一名“链长”，一个工作专班。2025年以来，明湖高新区在集成电路、生物医药、智能装备等"
        "6条重点产业链推行“链长制”，由园区领导班子成员担任“链长”，统筹推进补链、延链、强链工作。",
        "“链长制”首先要摸清家底。各工作专班用3个月时间梳理出产业链图谱和“缺链”清单，明确了68个需要"
        "补齐的关键环节。在此基础上，园区按图索骥，有针对性地开展招商。",
        "在集成电路产业链上，园区发现封装测试用的高端基板长期依赖外地采购。专班围绕这一环节开展定向对接，"
        "最终引进一家基板生产企业，项目投产后可满足园区企业约六成的需求。",
        "“链长制”也让服务更加精准。各专班建立了重点企业“白名单”，定期召开链上企业供需对接会，全年促成"
        "本地配套采购合同金额超过45亿元，同比增长31%。",
        "园区相关负责人表示，2026年将把“链长制”延伸到低空经济和新型储能领域，并引入产业链“链主”企业"
        "参与招商，形成“以链聚链”的发展格局。",
    ),
)

QUANTUM = Article(
    kicker="硬科技",
    title="量子精密测量仪器实现小批量交付",
    subtitle="首批产品用于地质勘探和医疗检测领域",
    author="本报记者 赵宁",
    paragraphs=(
        "1月4日，位于东岚科技城的一家量子科技企业向客户交付了首批20台量子磁力仪。这标志着该企业研发的"
        "量子精密测量仪器从样机走向小批量生产。",
        "量子精密测量利用原子、光子等微观粒子的量子特性进行测量，精度可比传统仪器提高一个数量级以上。"
        "企业技术负责人介绍，此次交付的量子磁力仪灵敏度达到飞特斯拉量级，可用于地质勘探中的矿产探测以及"
        "医疗领域的心磁、脑磁检测。",
        "从原理样机到工程化产品，团队花了整整4年时间。“实验室里的样机有一张桌子那么大，还需要专门的"
        "屏蔽室。”技术负责人说，团队通过重新设计光路和电路，把核心部件的体积缩小到原来的十分之一，整机"
        "重量控制在8公斤以内。",
        "小批量生产对供应链提出了新要求。企业与园区内的精密光学、特种玻璃等配套企业开展联合开发，关键"
        "元器件的国产化率达到90%以上，单台成本较样机阶段下降了六成。",
        "东岚科技城将量子科技列为重点培育的新赛道，设立了量子科技公共测试平台，为企业提供低温、弱磁等"
        "特殊测试环境。目前，园区已集聚量子科技相关企业15家。",
        "企业负责人表示，2026年计划交付各类量子测量仪器200台，并启动新一代芯片级原子钟的研发。",
    ),
)

LABS = Article(
    title="18家联合实验室在银溪高新区揭牌",
    author="本报记者 周然 通讯员 钱程",
    paragraphs=(
        "1月3日，银溪高新区举行校企联合实验室集中揭牌仪式，18家由高校院所与园区企业共建的联合实验室"
        "正式揭牌，研究方向涵盖先进材料、智能传感、生物制造等领域。",
        "与以往挂牌式合作不同，此次共建的联合实验室均明确了研发任务、经费投入和成果归属。按照协议，企业"
        "每年向每家实验室投入研发经费不少于300万元，高校院所派驻科研人员常驻园区开展研究，取得的成果"
        "优先在园区转化。",
        "一家传感器企业负责人告诉记者，企业与高校共建的智能传感联合实验室已经确定了首批5个攻关课题，"
        "“都是企业在生产中遇到的实际问题，高校老师带着学生直接进车间”。",
        "园区将对运行成效好的联合实验室给予最高500万元的奖励，并在人才公寓、子女入学等方面为派驻科研"
        "人员提供保障。",
    ),
)

ASSISTANTS = Article(
    kicker="稳就业",
    title="科研助理岗位受到应届毕业生青睐",
    author="本报记者 孙悦",
    paragraphs=(
        "“能在一线科研团队里工作，对我今后读博很有帮助。”1月2日，刚刚入职明湖高新区一家生物医药企业"
        "研发中心的应届毕业生小林告诉记者，她的主要工作是协助开展细胞实验和数据整理。",
        "2025年，明湖高新区组织区内企业和新型研发机构开发科研助理岗位1860个，吸纳应届高校毕业生1720人。"
        "园区对招录科研助理的企业按每人每年1万元给予补贴，并将科研助理纳入园区人才公寓保障范围。",
        "园区人才服务中心负责人介绍，科研助理岗位既为企业研发团队充实了力量，也为毕业生提供了积累科研"
        "经历的平台。园区还定期举办科研助理培训，内容涵盖实验室安全、科研诚信和数据管理等。",
        "据悉，2026年园区计划开发科研助理岗位2000个以上，并于每月第一个周五15:30在园区人才服务中心"
        "举办专场招聘会。",
    ),
)

ARTICLES: dict[str, Article] = {
    "seed": SEED,
    "signing": SIGNING,
    "incubators": INCUBATORS,
    "compute": COMPUTE,
    "pilot": PILOT,
    "talent": TALENT,
    "battery": BATTERY,
    "reprint": REPRINT,
    "low_altitude": LOW_ALTITUDE,
    "new_year": NEW_YEAR,
    "sme": SME,
    "business": BUSINESS,
    "twin": TWIN,
    "chain": CHAIN,
    "quantum": QUANTUM,
    "labs": LABS,
    "assistants": ASSISTANTS,
}

AD = "ad"

# The subscription ad of the seed page, with fictional contact details. Each line is
# (size, bold, segments); segments of one line are drawn apart, never with spaces.
AD_HEADLINE = "欢迎订阅《高新样报》"
AD_PRICE = "全年订阅价：240元/份"
AD_QR_CAPTIONS = ("微信小程序", "微信公众号")
AD_LINES: tuple[tuple[float, bool, tuple[str, ...]], ...] = (
    (11.0, True, ("订阅方式",)),
    (9.0, True, ("方式一", "与报社直接联系订阅")),
    (9.0, False, ("发行联系人：发行部", "电话：010-00000000转000，13000000000")),
    (9.0, False, ("邮箱：faxing@sample.invalid", "传真：010-00000001", "微信：13000000000")),
    (9.0, True, ("方式二", "邮局订阅")),
    (9.0, False, ("当地邮局订阅，或关注中国邮政微邮局公众号，点击微商城-报刊商城订阅。",)),
    (10.0, True, ("邮发代号：0-000",)),
)
AD_LABEL = "广告"

ISSUES: dict[str, tuple[PageSpec, ...]] = {
    "2025-12-29": (
        PageSpec(
            "A1",
            "要闻",
            "周岚",
            (
                (Cell(12, (Slot("seed", 4),)),),
                (Cell(6, (Slot("signing", 2),)), Cell(6, (Slot("incubators", 2),))),
                (Cell(12, (Slot(AD),)),),
            ),
        ),
        PageSpec(
            "A2",
            "园区",
            "孙岩",
            ((Cell(8, (Slot("compute", 3),)), Cell(4, (Slot("pilot", 1), Slot("talent", 1)))),),
        ),
        PageSpec(
            "A3",
            "创新",
            "何静",
            (
                (Cell(12, (Slot("battery", 5),)),),
                (Cell(6, (Slot("reprint", 2),)), Cell(6, (Slot("low_altitude", 2),))),
            ),
        ),
    ),
    "2026-01-05": (
        PageSpec(
            "A1",
            "要闻",
            "周岚",
            (
                (Cell(9, (Slot("new_year", 3),)), Cell(3, (Slot("sme", 1),))),
                (Cell(12, (Slot("business", 4),)),),
                (Cell(12, (Slot(AD),)),),
            ),
        ),
        PageSpec(
            "A2",
            "园区",
            "孙岩",
            (
                (Cell(4, (Slot("twin", 1),)), Cell(8, (Slot("reprint", 3),))),
                (Cell(12, (Slot("chain", 4),)),),
            ),
        ),
        PageSpec(
            "A3",
            "创新",
            "何静",
            (
                (Cell(12, (Slot("quantum", 5),)),),
                (Cell(6, (Slot("labs", 2),)), Cell(6, (Slot("assistants", 2),))),
            ),
        ),
    ),
}
ID_BASE = {"2025-12-29": 1000, "2026-01-05": 2000}


# --- text measuring and line breaking ----------------------------------------


def register_fonts() -> None:
    """Register WenQuanYi Zen Hei (all text) and DejaVu Sans (the byline marker)."""
    for path in (CJK_FONT_FILE, SYMBOL_FONT_FILE):
        if not path.exists():
            raise SystemExit(
                f"missing font {path}: apt-get install fonts-wqy-zenhei fonts-dejavu-core"
            )
    pdfmetrics.registerFont(TTFont(CJK, str(CJK_FONT_FILE), subfontIndex=0))
    pdfmetrics.registerFont(TTFont(SYMBOL, str(SYMBOL_FONT_FILE)))


def tokenize(text: str) -> list[str]:
    """Split text into unbreakable tokens: ASCII runs, ——/……, single characters, gaps."""
    return [GAP if tok.isspace() else tok for tok in TOKEN_RE.findall(text)]


def token_width(tok: str, size: float) -> float:
    """Advance width of one token."""
    return size * 0.5 if tok == GAP else pdfmetrics.stringWidth(tok, CJK, size)


def line_width(tokens: Iterable[str], size: float) -> float:
    """Natural width of a line of tokens."""
    return sum(token_width(tok, size) for tok in tokens)


def glyph_count(tokens: Iterable[str]) -> int:
    """Number of drawn characters in a line."""
    return sum(len(tok) for tok in tokens if tok != GAP)


def can_squeeze(tokens: list[str], excess: float, size: float) -> bool:
    """Whether a line may be compressed by `excess` points to keep closing punctuation."""
    gaps = glyph_count(tokens) - 1
    return gaps > 0 and excess / gaps <= 0.12 * size


def carry_down(cur: list[str], tok: str) -> list[str]:
    """Start a new line with tok; no line may start with closing or end with opening punctuation."""
    new = [tok]
    while new[0][0] in CLOSING and len(cur) > 1:
        new.insert(0, cur.pop())
    while len(cur) > 1 and cur[-1][0] in OPENING:
        new.insert(0, cur.pop())
    while cur and cur[-1] == GAP:
        cur.pop()
    return new


def break_tokens(
    tokens: list[str], avail: float, size: float, indent: float = 0.0
) -> list[list[str]]:
    """Greedy per-character line breaking; closing punctuation is pulled onto the line."""
    lines: list[list[str]] = [[]]
    for tok in tokens:
        cur = lines[-1]
        room = avail - (indent if len(lines) == 1 else 0.0)
        if tok == GAP and not cur:
            continue
        width = line_width([*cur, tok], size)
        fits = not cur or width <= room + 0.01
        if fits or (tok[0] in CLOSING and can_squeeze([*cur, tok], width - room, size)):
            cur.append(tok)
        elif tok == GAP:
            lines.append([])
        else:
            lines.append(carry_down(cur, tok))
    return [line for line in lines if line]


def balanced_break(tokens: list[str], avail: float, size: float) -> list[list[str]]:
    """Break a headline into the fewest lines, of similar length."""
    lines = break_tokens(tokens, avail, size)
    if len(lines) < 2:
        return lines
    target = line_width(tokens, size) / len(lines)
    while len(trial := break_tokens(tokens, target, size)) > len(lines):
        target += size / 4
    return trial


def char_space(tokens: list[str], avail: float, size: float, last: bool) -> float:
    """Character spacing that justifies a line to `avail` (only squeezes a last line)."""
    gaps = glyph_count(tokens) - 1
    extra = avail - line_width(tokens, size)
    if gaps < 1 or (extra >= 0 and last):
        return 0.0
    spacing = extra / gaps
    return spacing if spacing <= 0.2 * size else 0.0


def line_runs(
    x: float,
    baseline: float,
    size: float,
    tokens: list[str] | tuple[str, ...],
    spacing: float = 0.0,
    bold: bool = False,
) -> list[Run]:
    """Runs for one line: gap tokens split it into separately drawn segments."""
    runs: list[Run] = []
    segment = ""
    for tok in [*tokens, GAP]:
        if tok != GAP:
            segment += tok
            continue
        if segment:
            runs.append(Run(round(x, 3), round(baseline, 3), size, segment, CJK, spacing, bold))
            x += token_width(segment, size) + len(segment) * spacing
            segment = ""
        x += token_width(GAP, size)
    return runs


def baseline_in(top: float, lead: float, size: float) -> float:
    """Baseline of a line box starting at `top`, text vertically centred in the leading."""
    return top + (lead - size) / 2 + ASCENT * size


# --- module layout -------------------------------------------------------------


@dataclass(frozen=True)
class BodyLine:
    """One body or subhead line before it is put into a column."""

    tokens: tuple[str, ...]
    size: float
    lead: float
    indent: float
    spacing: float
    before: float  # extra space above, dropped at the top of a column
    keep: bool  # keep with the next line (subheads)


def title_size(width: float) -> float:
    """Headline size for a module width."""
    if width >= 700:
        return 28.0
    if width >= 480:
        return 24.0
    return 22.0 if width >= 300 else 20.0


def text_block(
    block: Block, text: str, width: float, size: float, lead: float, top: float, bold: bool = False
) -> float:
    """Lay out a left-aligned headline-like text; return the new top."""
    for tokens in balanced_break(tokenize(text), width, size):
        spacing = char_space(tokens, width, size, last=True)
        block.runs += line_runs(0.0, baseline_in(top, lead, size), size, tokens, spacing, bold)
        top += lead
    return top


def byline(block: Block, author: str, top: float) -> float:
    """Draw "► 本报记者 张明": marker, then the author's parts separated by gaps."""
    lead = BYLINE_SIZE * 1.6
    baseline = baseline_in(top, lead, BYLINE_SIZE)
    block.runs.append(Run(0.0, round(baseline, 3), BYLINE_SIZE, MARKER, SYMBOL))
    x = pdfmetrics.stringWidth(MARKER, SYMBOL, BYLINE_SIZE) + BYLINE_SIZE * 0.5
    for part in author.split():
        block.runs.append(Run(round(x, 3), round(baseline, 3), BYLINE_SIZE, part))
        x += token_width(part, BYLINE_SIZE) + BYLINE_SIZE
    return top + lead


def header(block: Block, art: Article, width: float) -> float:
    """Kicker, headline, subtitle and byline; return the top of the body."""
    top = 0.0
    if art.kicker:
        top = text_block(block, art.kicker, width, KICKER_SIZE, KICKER_SIZE * 1.4, top)
    size = title_size(width)
    top = text_block(block, art.title, width, size, size * 1.25, top, bold=True)
    if art.subtitle:
        top = text_block(block, art.subtitle, width, SUBTITLE_SIZE, SUBTITLE_SIZE * 1.4, top)
    return byline(block, art.author, top + 3.0) + 6.0


def paragraph_lines(text: str, colw: float, subhead: bool) -> list[BodyLine]:
    """Break one paragraph into body lines (first line indented 2 em) or subhead lines."""
    size = SUBHEAD_SIZE if subhead else BODY_SIZE
    lead = SUBHEAD_LEAD if subhead else BODY_LEAD
    indent = 0.0 if subhead else 2 * size
    rows = break_tokens(tokenize(text), colw, size, indent)
    lines = []
    for i, tokens in enumerate(rows):
        x = indent if i == 0 else 0.0
        spacing = char_space(tokens, colw - x, size, last=i == len(rows) - 1)
        before = BODY_LEAD / 2 if subhead and i == 0 else 0.0
        lines.append(BodyLine(tuple(tokens), size, lead, x, spacing, before, subhead))
    return lines


def fill_columns(lines: list[BodyLine], count: int, height: float) -> list[list[BodyLine]] | None:
    """Flow lines into at most `count` columns of `height`; None if they do not fit."""
    cols: list[list[BodyLine]] = [[]]
    used = 0.0
    for i, line in enumerate(lines):
        need = line.lead + (line.before if cols[-1] else 0.0)
        after = lines[i + 1].lead if line.keep and i + 1 < len(lines) else 0.0
        if cols[-1] and used + need + after > height:
            if len(cols) == count:
                return None
            cols.append([])
            used, need = 0.0, line.lead
        if used + need > height:
            return None
        cols[-1].append(line)
        used += need
    return cols


def balance(lines: list[BodyLine], count: int) -> list[list[BodyLine]]:
    """Shortest column height that holds all lines in `count` columns."""
    total = sum(line.lead + line.before for line in lines)
    height = float(math.floor(total / count))
    while (cols := fill_columns(lines, count, height)) is None:
        height += 1.0
    return cols


def article_block(art: Article, width: float, columns: int) -> Block:
    """Lay out an article module of the given width and column count."""
    block = Block()
    body_top = header(block, art, width)
    colw = (width - (columns - 1) * COL_GAP) / columns
    lines = [
        line
        for i, text in enumerate(art.paragraphs)
        for line in paragraph_lines(text, colw, i in art.subheads)
    ]
    bottom = body_top
    for k, col in enumerate(balance(lines, columns)):
        top = body_top
        for j, line in enumerate(col):
            top += line.before if j else 0.0
            baseline = baseline_in(top, line.lead, line.size)
            x = k * (colw + COL_GAP) + line.indent
            bold = line.size == SUBHEAD_SIZE
            block.runs += line_runs(x, baseline, line.size, line.tokens, line.spacing, bold)
            top += line.lead
        bottom = max(bottom, top)
    block.height = math.ceil(bottom + 2.0)
    return block


# --- the ad --------------------------------------------------------------------


def qr_boxes(
    seed: str, x: float, top: float, side: float
) -> list[tuple[float, float, float, float, bool]]:
    """A fake QR code: an outline plus 21x21 cells from a hash, with three finder squares."""
    n, cell = 21, side / 21
    bits = "".join(f"{b:08b}" for b in hashlib.sha256(seed.encode()).digest() * 2)
    boxes = [(x, top, side, side, False)]
    for r in range(n):
        for c in range(n):
            if _qr_dark(r, c, bits):
                boxes.append((x + c * cell, top + r * cell, cell, cell, True))
    return boxes


def _qr_dark(r: int, c: int, bits: str) -> bool:
    """Whether cell (r, c) of the fake QR code is dark."""
    for r0, c0 in ((0, 0), (0, 14), (14, 0)):
        if r0 <= r < r0 + 7 and c0 <= c < c0 + 7:
            return min(r - r0, c - c0, r0 + 6 - r, c0 + 6 - c) != 1
    return bits[(r * 21 + c) % len(bits)] == "1"


def ad_block(width: float) -> Block:
    """The boxed subscription ad: headline, price, two QR codes, subscription details."""
    block, pad, head, side = Block(), 12.0, 20.0, 56.0
    block.runs += line_runs(pad, pad + ASCENT * head, head, tokenize(AD_HEADLINE), bold=True)
    block.runs += line_runs(pad, pad + head * 1.6 + ASCENT * 12, 12.0, tokenize(AD_PRICE))
    x = pad + token_width(AD_HEADLINE, head) + 24
    for caption in AD_QR_CAPTIONS:
        block.boxes += qr_boxes(caption, x, pad, side)
        left = x + (side - token_width(caption, 9.0)) / 2
        block.runs += line_runs(left, pad + side + 4 + ASCENT * 9, 9.0, [caption])
        x += side + 20
    top = pad
    for size, bold, segments in AD_LINES:
        lead = size * 1.55
        parts = [tok for seg in segments for tok in (seg, GAP, GAP)][:-2]
        assert x + 10 + line_width(parts, size) <= width - pad, segments
        block.runs += line_runs(x + 10, baseline_in(top, lead, size), size, parts, bold=bold)
        top += lead
    block.height = math.ceil(max(top, pad + side + 18) + pad)
    label_x = width - pad / 2 - token_width(AD_LABEL, 8.0)
    block.runs += line_runs(label_x, block.height - 5.0, 8.0, [AD_LABEL])
    return block


def ad_text() -> str:
    """All ad text in reading order, joined without spaces."""
    lines = [AD_HEADLINE, AD_PRICE, *AD_QR_CAPTIONS]
    lines += ["".join(segments) for _, _, segments in AD_LINES]
    return "".join([*lines, AD_LABEL])


# --- page layout -----------------------------------------------------------------


def place_cell(
    cell: Cell,
    x0: float,
    width: float,
    top: float,
    bottom: float,
    blocks: list[Block],
    layout: PageLayout,
) -> None:
    """Stack a cell's modules from `top`; the last one is stretched to `bottom`."""
    for i, (slot, block) in enumerate(zip(cell.slots, blocks, strict=True)):
        last = i == len(blocks) - 1
        y1 = bottom if last else top + block.height
        bbox = (round(x0, 2), round(top, 2), round(x0 + width, 2), round(y1, 2))
        layout.modules.append(Placed(slot.key, slot.columns, bbox, block))
        if not last:
            layout.rules.append((x0, y1 + GUTTER / 2, x0 + width, y1 + GUTTER / 2, 0.5))
        top = y1 + GUTTER


def place_row(row: tuple[Cell, ...], top: float, layout: PageLayout) -> float:
    """Place one row of cells below `top`; return the row's bottom."""
    assert sum(cell.units for cell in row) == GRID_UNITS
    unit = (RIGHT - LEFT + GUTTER) / GRID_UNITS
    start, cells = 0, []
    for cell in row:
        x0, width = LEFT + start * unit, cell.units * unit - GUTTER
        blocks = [article_block(ARTICLES[s.key], width, s.columns) for s in cell.slots]
        cells.append((cell, x0, width, blocks))
        start += cell.units
    bottom = top + max(sum(b.height for b in bl) + GUTTER * (len(bl) - 1) for *_, bl in cells)
    for cell, x0, width, blocks in cells:
        place_cell(cell, x0, width, top, bottom, blocks, layout)
        if x0 + width < RIGHT - 1:
            rule_x = x0 + width + GUTTER / 2
            layout.rules.append((rule_x, top, rule_x, bottom, 0.5))
    return bottom


def furniture(issue: str, spec: PageSpec) -> list[Run]:
    """Header line (paper, date, weekday, page, editor) and the footer page label."""
    day = date.fromisoformat(issue)
    size, baseline = FURNITURE_SIZE, 34.0
    left = [
        PAPER,
        f"{day.year}年{day.month}月{day.day}日",
        "星期" + "一二三四五六日"[day.weekday()],
    ]
    right = [f"第{spec.label}版：{spec.name}", f"责任编辑：{spec.editor}"]
    runs, x = [], LEFT
    for text in left:
        runs.append(Run(x, baseline, size, text))
        x += token_width(text, size) + 2 * size
    x = RIGHT - sum(token_width(t, size) for t in right) - 2 * size
    for text in right:
        runs.append(Run(round(x, 3), baseline, size, text))
        x += token_width(text, size) + 2 * size
    footer_x = (PAGE_W - token_width(spec.label, size)) / 2
    runs.append(Run(round(footer_x, 3), 1170.0, size, spec.label))
    return runs


def layout_page(issue: str, spec: PageSpec) -> PageLayout:
    """Place all modules, rules and furniture of one page."""
    layout = PageLayout(
        [],
        [(LEFT, 42.0, RIGHT, 42.0, 1.2), (LEFT, 1156.0, RIGHT, 1156.0, 0.5)],
        furniture(issue, spec),
    )
    top = CONTENT_TOP
    for i, row in enumerate(spec.rows):
        if row[0].slots[0].key == AD:
            block = ad_block(RIGHT - LEFT)
            ad_top = CONTENT_BOTTOM - block.height
            assert ad_top >= top, f"{issue} {spec.label}: ad overlaps the articles"
            layout.modules.append(Placed(AD, 1, (LEFT, ad_top, RIGHT, CONTENT_BOTTOM), block))
            continue
        if i:
            layout.rules.append((LEFT, top - GUTTER / 2, RIGHT, top - GUTTER / 2, 0.5))
        top = place_row(row, top, layout) + GUTTER
    assert top - GUTTER <= CONTENT_BOTTOM, f"{issue} {spec.label}: page overflows"
    return layout


# --- drawing ----------------------------------------------------------------------


def draw_run(canvas: Canvas, run: Run, dx: float = 0.0, dy: float = 0.0) -> None:
    """Draw one run; bold runs are filled and stroked (text render mode 2).

    Spaced runs are drawn glyph by glyph at explicit positions rather than with the Tc
    operator: pdfminer drops Tc at the font-subset switches reportlab emits.
    """
    text = canvas.beginText()
    text.setFont(run.font, run.size)
    text.setTextRenderMode(2 if run.bold else 0)
    if run.bold:
        canvas.setLineWidth(round(run.size * 0.03, 3))
    x, y = dx + run.x, PAGE_H - (dy + run.baseline)
    pieces = list(run.text) if run.char_space else [run.text]
    for piece in pieces:
        text.setTextOrigin(round(x, 3), round(y, 3))
        text.textOut(piece)
        x += pdfmetrics.stringWidth(piece, run.font, run.size) + run.char_space
    text.setTextRenderMode(0)  # Tr outlives ET: leave fill mode behind
    canvas.drawText(text)


def draw_module(canvas: Canvas, module: Placed) -> None:
    """Draw a module's boxes and text; ads get a stroked frame."""
    x0, top, x1, bottom = module.bbox
    for bx, by, bw, bh, filled in module.block.boxes:
        canvas.setLineWidth(0.6)
        canvas.rect(
            x0 + bx, PAGE_H - (top + by + bh), bw, bh, stroke=int(not filled), fill=int(filled)
        )
    for run in module.block.runs:
        draw_run(canvas, run, x0, top)
    if module.key == AD:
        canvas.setLineWidth(1.0)
        canvas.rect(x0, PAGE_H - bottom, x1 - x0, bottom - top, stroke=1, fill=0)


def draw_page(path: Path, issue: str, spec: PageSpec, layout: PageLayout) -> None:
    """Write the one-page PDF of a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas = Canvas(str(path), pagesize=(PAGE_W, PAGE_H), invariant=1, pageCompression=1)
    canvas.setTitle(f"{PAPER} {issue} {spec.label}：{spec.name}")
    canvas.setAuthor(PAPER)
    canvas.setCreator("baokan scripts/make_sample.py")
    for x0, y0, x1, y1, width in layout.rules:
        canvas.setLineWidth(width)
        canvas.line(x0, PAGE_H - y0, x1, PAGE_H - y1)
    for run in layout.furniture:
        draw_run(canvas, run)
    for module in layout.modules:
        draw_module(canvas, module)
    canvas.showPage()
    canvas.save()


def render_png(pdf: Path, png: Path, height: int) -> None:
    """Render the page preview with pdftoppm, 16 grey levels (skipped without pdftoppm)."""
    if shutil.which("pdftoppm") is None:
        return
    png.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        "pdftoppm",
        "-png",
        "-gray",
        "-singlefile",
        "-scale-to-x",
        str(IMAGE_W),
        "-scale-to-y",
        str(height),
        str(pdf),
        str(png.with_suffix("")),
    ]
    subprocess.run(cmd, check=True)
    levels = Image.open(png).convert("L").point(lambda v: round(v / 17))
    levels.putpalette([v * 17 for v in range(16) for _ in range(3)])
    levels.save(png, optimize=True, bits=4)


# --- site files and truth --------------------------------------------------------


def issue_dirs(issue: str) -> tuple[str, str]:
    """("202512", "29") for "2025-12-29"."""
    return issue[:4] + issue[5:7], issue[8:10]


def pdf_name(issue: str, label: str) -> str:
    """Unpredictable PDF file name of a page."""
    return hashlib.sha256(f"{issue}/{label}".encode()).hexdigest()[:32]


def cn_date(issue: str) -> str:
    """ "2025年12月29日 星期一"."""
    day = date.fromisoformat(issue)
    return f"{day.year}年{day.month}月{day.day}日 星期" + "一二三四五六日"[day.weekday()]


def fmt(value: float) -> str:
    """A coordinate rounded to 2 decimals, without trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def write_text(path: Path, text: str) -> None:
    """Write a UTF-8 text file with LF line ends."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def area_tag(module: Placed, href: str) -> str:
    """Image-map polygon of a module, scaled to the 400 px page image."""
    x0, y0, x1, y1 = (v * IMAGE_W / PAGE_W for v in module.bbox)
    coords = ",".join(fmt(v) for v in (x0, y0, x1, y0, x1, y1, x0, y1))
    return f'<area shape="polygon" coords="{coords}" href="{href}">'


def page_html(
    issue: str,
    spec: PageSpec,
    specs: tuple[PageSpec, ...],
    items: list[tuple[int, Placed]],
    image_h: int,
) -> str:
    """The page index (版面) HTML: page list, hidden PDF path, image map, article list."""
    ym, dd = issue_dirs(issue)
    esc = html.escape
    hrefs = [f"../../../content/{ym}/{dd}/content_{cid}.html" for cid, _ in items]
    pages = [
        f'<li class="posRelative"><a href="node_{s.label}.html">{s.label}：{s.name}</a></li>'
        for s in specs
    ]
    areas = [area_tag(m, href) for (_, m), href in zip(items, hrefs, strict=True)]
    arts = [
        f'<li class="clearfix"><a href="{href}"><p>{esc(ARTICLES[m.key].title)}</p></a></li>'
        for (_, m), href in zip(items, hrefs, strict=True)
    ]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="zh-CN">',
            "<head>",
            '<meta charset="utf-8">',
            f"<title>{PAPER} {spec.label}：{spec.name}</title>",
            "</head>",
            "<body>",
            f'<div class="header"><h1 class="paper">{PAPER} {cn_date(issue)}</h1></div>',
            '<div class="main">',
            '<div class="pageLeft">',
            f'<h2 class="pageTitle">{spec.label}：{spec.name}</h2>',
            f'<p id="pdfUrl" style="display:none">../../../attachement/{ym}/{dd}/'
            f"{pdf_name(issue, spec.label)}.pdf</p>",
            f'<img src="../../../pic/{ym}/{dd}/{spec.label}.png" width="{IMAGE_W}" '
            f'height="{image_h}" usemap="#PagePicMap">',
            '<map name="PagePicMap">',
            *areas,
            "</map>",
            "</div>",
            '<div class="pageRight">',
            '<ul id="layoutlist">',
            *pages,
            "</ul>",
            '<ul id="articlelist">',
            *arts,
            "</ul>",
            "</div>",
            "</div>",
            "</body>",
            "</html>",
            "",
        ]
    )


def content_html(issue: str, spec: PageSpec, art: Article) -> str:
    """The article page HTML (Founder-style div.article with founder-content)."""
    ym, dd = issue_dirs(issue)
    esc = html.escape
    paras = "".join(
        f"<p><strong>{esc(p)}</strong></p>" if i in art.subheads else f"<p>{esc(p)}</p>"
        for i, p in enumerate(art.paragraphs)
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="zh-CN">',
            "<head>",
            '<meta charset="utf-8">',
            f"<title>{esc(art.title)}</title>",
            "</head>",
            "<body>",
            f'<div class="nav"><a href="../../../layout/{ym}/{dd}/node_{spec.label}.html">'
            f"{spec.label}：{spec.name}</a></div>",
            '<div class="article">',
            f"  <h3>{esc(art.kicker or '')}</h3>",
            f"  <h1>{esc(art.title)}</h1>",
            f"  <h2>{esc(art.subtitle or '')}</h2>",
            f'  <p class="author">{esc(art.author)}</p>',
            f'  <div class="attr">{PAPER} {issue} {spec.label}：{spec.name}</div>',
            f'  <div id="ozoom"><founder-content>{paras}</founder-content></div>',
            "</div>",
            "</body>",
            "</html>",
            "",
        ]
    )


def article_truth(issue: str, cid: int, module: Placed) -> dict[str, object]:
    """Truth record of one article appearance."""
    ym, dd = issue_dirs(issue)
    art = ARTICLES[module.key]
    return {
        "content_id": cid,
        "url": f"pc/content/{ym}/{dd}/content_{cid}.html",
        "kicker": art.kicker,
        "title": art.title,
        "subtitle": art.subtitle,
        "author": art.author,
        "paragraphs": list(art.paragraphs),
        "columns": module.columns,
        "bbox": list(module.bbox),
    }


def page_truth(
    issue: str, spec: PageSpec, layout: PageLayout, items: list[tuple[int, Placed]]
) -> dict[str, object]:
    """Truth record of one page."""
    ym, dd = issue_dirs(issue)
    ads = [{"text": ad_text(), "bbox": list(m.bbox)} for m in layout.modules if m.key == AD]
    return {
        "label": spec.label,
        "name": spec.name,
        "pdf": f"pc/attachement/{ym}/{dd}/{pdf_name(issue, spec.label)}.pdf",
        "index": f"pc/layout/{ym}/{dd}/node_{spec.label}.html",
        "width": int(PAGE_W),
        "height": int(PAGE_H),
        "articles": [article_truth(issue, cid, m) for cid, m in items],
        "ads": ads,
        "furniture": [run.text for run in layout.furniture],
    }


def build_page(
    issue: str, spec: PageSpec, specs: tuple[PageSpec, ...], first_id: int
) -> dict[str, object]:
    """Write the PDF, preview image, index page and article pages of one page."""
    ym, dd = issue_dirs(issue)
    site = OUT / "site" / "pc"
    layout = layout_page(issue, spec)
    modules = [m for m in layout.modules if m.key != AD]
    assert len(modules) == 3, f"{issue} {spec.label}: expected 3 articles"
    items = list(enumerate(modules, start=first_id))
    pdf = site / "attachement" / ym / dd / f"{pdf_name(issue, spec.label)}.pdf"
    draw_page(pdf, issue, spec, layout)
    image_h = round(PAGE_H * IMAGE_W / PAGE_W)
    render_png(pdf, site / "pic" / ym / dd / f"{spec.label}.png", image_h)
    write_text(
        site / "layout" / ym / dd / f"node_{spec.label}.html",
        page_html(issue, spec, specs, items, image_h),
    )
    for cid, module in items:
        write_text(
            site / "content" / ym / dd / f"content_{cid}.html",
            content_html(issue, spec, ARTICLES[module.key]),
        )
    return page_truth(issue, spec, layout, items)


def build_issue(issue: str, specs: tuple[PageSpec, ...]) -> None:
    """Write all pages of one issue and its truth file."""
    pages, next_id = [], ID_BASE[issue] + 1
    for spec in specs:
        pages.append(build_page(issue, spec, specs, next_id))
        next_id += 3
    truth = {"site_id": SITE_ID, "publication": PAPER, "issue_date": issue, "pages": pages}
    text = json.dumps(truth, ensure_ascii=False, indent=2) + "\n"
    write_text(OUT / "truth" / f"{issue}.json", text)


README = """\
# Sample e-paper: 高新样报

A small fictional digital newspaper (电子报, site_id `sample`) in the new-style Founder
e-paper CMS layout (like paper.chinahightech.com), bundled so that spiders, parsers and the
warehouse can be tested offline. Two issues (2025-12-29, 2026-01-05), three pages each
(A1 要闻, A2 园区, A3 创新), three articles per page; one article is reprinted
(2025-12-29 A3 and 2026-01-05 A2) and A1 of both issues carries the same boxed ad.

- `site/` is the static web root: `pc/layout/{yyyymm}/{dd}/node_{A1..A3}.html` (page
  index), `pc/content/{yyyymm}/{dd}/content_{id}.html` (articles),
  `pc/attachement/{yyyymm}/{dd}/{sha256(date/label)[:32]}.pdf` (page PDFs) and
  `pc/pic/{yyyymm}/{dd}/{label}.png` (page images).
- `truth/{date}.json` holds the expected result: every article's fields, paragraphs,
  column count and module bbox (PDF points, origin top-left), the ad and the page furniture.

All files are generated; do not edit them by hand. Regenerate (byte-identical output) with

    .venv/bin/python scripts/make_sample.py

which needs the Debian packages `fonts-wqy-zenhei` and `fonts-dejavu-core` (and optionally
`poppler-utils` for the page images). Tests read the committed files and need no fonts.

Article A1-1 of 2025-12-29 («2025年国家高新区和自创区十大新闻») is real text from
中国高新技术产业导报, 2025; everything else (places, people, figures, contact details)
is fiction.
"""


def main() -> None:
    """Regenerate everything under baokan/sample/."""
    register_fonts()
    for sub in ("site", "truth"):
        shutil.rmtree(OUT / sub, ignore_errors=True)
    for issue, specs in ISSUES.items():
        build_issue(issue, specs)
    write_text(OUT / "README.md", README)


if __name__ == "__main__":
    main()
