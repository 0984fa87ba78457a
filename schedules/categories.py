"""Category and festival of a schedule item, from its text.

Categories (see shared/seeds/gold/README.md): holiday, care, sports_culture,
congress, study, admin, other. A festival named as the occasion wins; then a
few purposes that override whatever else the text mentions (a 教代会 held at a
例会 is still congress work); then the earliest keyword decides, because a
plan's entries lead with their main verb-object ("组织教师学习…并举行知识竞赛").
"""

from __future__ import annotations

import re

from schedules.text_norm import fold

CATEGORIES = ("holiday", "care", "sports_culture", "congress", "study", "admin", "other")

# Festival -> patterns that name it. Order decides when a text names two.
_FESTIVALS: list[tuple[str, str]] = [
    ("元旦", r"元旦"),
    ("春节", r"春节|农历新年|新春|过大年|除夕"),
    ("元宵节", r"元宵"),
    ("三八妇女节", r"三\s*[·.・]?\s*八|3\s*[·.・]\s*8|妇女节|女神节"),
    ("植树节", r"植树节"),
    ("清明节", r"清明"),
    ("五一劳动节", r"五\s*[·.・]?\s*一(?!班)|劳动节"),
    ("五四青年节", r"五\s*[·.・]?\s*四|青年节"),
    ("六一儿童节", r"六\s*[·.・]?\s*一|儿童节"),
    ("端午节", r"端午"),
    ("七一建党节", r"七\s*[·.・]?\s*一|建党"),
    ("八一建军节", r"八\s*[·.・]?\s*一|建军节"),
    ("教师节", r"教师节"),
    ("中秋节", r"中秋"),
    ("国庆节", r"国庆"),
    ("重阳节", r"重阳|敬老节|老人节"),
]
_FESTIVAL_RES = [(name, re.compile(p)) for name, p in _FESTIVALS]
# '十一月', '五一班' and the like are not festivals.
_NOT_FESTIVAL = re.compile(r"[一二三四五六七八九十]\s*[一二三四五六七八九十]\s*月|[0-9]\s*月")

# Purposes that decide the category wherever they appear, strongest first.
_OVERRIDES: list[tuple[str, re.Pattern[str]]] = [
    ("congress", re.compile(
        r"教代会|代表大会|提案|校务公开|民主评议|民主生活会|民主管理|合理化建议|换届|选举|会员大会|"
        r"征求.{0,8}(意见|建议)|职代会")),
    ("care", re.compile(
        r"慰问|送温暖|帮扶|扶助|困难|特困|体检|探望|看望|保险|捐|送清凉|关爱|生病|患病|住院|补助|救助|"
        r"妇女用品|福利|疗休养|祝寿|互助")),
    ("study", re.compile(
        r"基本功|教学比武|技能大赛|课件|师德|师徒|青蓝|培训|论文|论坛|教研|业务学习|政治学习|理论学习|"
        r"考核|普通话|观摩|讲座|教学|学习型|爱国主义")),
]
# Everything else: the earliest keyword wins.
_KEYWORDS: list[tuple[str, re.Pattern[str]]] = [
    ("sports_culture", re.compile(
        r"比赛|竞赛|大赛|赛|运动|体育|健身|锻炼|球|棋|拔河|跳绳|文艺|联欢|联谊|春游|秋游|郊游|旅游|踏青|"
        r"读书|诵读|唱|合唱|舞|操|才艺|校庆|演出|表演|摄影|书法|观影|电影|迎新|活动周|展示|游园|趣味|"
        r"登山|徒步|文体|晚会|雷锋|博客|暑期活动|风采|艺术|工会活动|"
        r"健步|骑行|长跑|跑步|马拉松|瑜伽|太极|游泳|踢毽|八段锦|广场舞")),
    ("study", re.compile(r"学习|创建|箴言|调研|交流|研讨")),
    ("admin", re.compile(
        r"计划|总结|例会|经费|报表|档案|征订|财务|账|审计|预决算|年报|统计|评选|评比|先进|资料|入会|检查|"
        r"小组|委员|主席|会议|登记|开学工作|申报|积极分子|台帐|报送|上交")),
]


def detect_holiday(text: str) -> str | None:
    """The festival a text names, normalized, or None."""
    norm = fold(text)
    masked = _NOT_FESTIVAL.sub(lambda m: "#" * len(m.group()), norm)
    best: tuple[int, str] | None = None
    for name, regex in _FESTIVAL_RES:
        m = regex.search(masked)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), name)
    return best[1] if best else None


def classify(text: str) -> tuple[str, str | None]:
    """(category, holiday) of one schedule item's text."""
    holiday = detect_holiday(text)
    if holiday:
        return "holiday", holiday
    norm = fold(text)
    for category, regex in _OVERRIDES:
        if regex.search(norm):
            return category, None
    best: tuple[int, str] | None = None
    for category, regex in _KEYWORDS:
        m = regex.search(norm)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), category)
    return (best[1], None) if best else ("other", None)
