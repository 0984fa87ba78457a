"""Category and festival of a schedule item, from its text.

Categories (see shared/seeds/gold/README.md): holiday, care, sports_culture,
congress, study, admin, other. A festival named as the occasion wins; then a
few purposes that override whatever else the text mentions (a 教代会 held at a
例会 is still congress work); then the earliest keyword decides, because a
plan's entries lead with their main verb-object ("组织教师学习…并举行知识竞赛").
Last, the n-gram model in schedules.category_model may overrule the rules on
wording they have no word for.
"""

from __future__ import annotations

import math
import re

from schedules.category_model import RULE_WEIGHT, NaiveBayes, decide_with_margin, shipped_model
from schedules.text_norm import fold

CATEGORIES = ("holiday", "care", "sports_culture", "congress", "study", "admin", "other")

# Festival -> patterns that name it. Order decides when a text names two.
_FESTIVALS: list[tuple[str, str]] = [
    ("元旦", r"元旦|(?<!农历)新年(?!度|[^，,。；;]{0,6}计划)"),  # '庆新年联欢会' in December: the gold's 元旦
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
    ("国庆节", r"国庆|[“\"‘'「]\s*十一\s*[”\"’'」]|[庆迎]\s*十一(?!\s*[月日号届])"),  # '庆“十一”'

    ("重阳节", r"重阳|敬老节|老人节"),
]
_FESTIVAL_RES = [(name, re.compile(p)) for name, p in _FESTIVALS]
# Commemorative days that are the occasion of an item but none of the festivals above: holiday, no festival.
_COMMEMORATIVE = re.compile(
    r"助残日|读书日|环境日|地球日|无烟日|爱耳日|爱眼日|爱牙日|宪法日|消防日|护士节|母亲节|父亲节|感恩节")
# '迎新活动' in December or January welcomes the new year; in September it welcomes new staff.
_NEW_YEAR_EVE = re.compile(r"^(?:开展|组织|举办|举行|准备|筹备)?\s*迎新(?!春|教师|同事|会员|员工|生|人)")
# '配合学校召开德育工作会议', '协助进行寒假系列工作': the school's own work the union helps with is 'other'.
# Building or furnishing the 教工之家 is 'other' in the gold too (judging it, 评比 or 验收, is admin by those words).
_OTHER = re.compile(
    r"^(?:全力|积极)?(?:配合|协助)(?:学校|行政|校方|党支部|党委)?(?:召开[^，,。；;]{0,10}会议|进行[^，,。；;]{0,8}工作)$"
    r"|^(?:筹备|创办|布置|完善|充实|争创)[^，,。；;]{0,10}之家|^[^，,。；;]{0,8}(?:献血|家访|板报)$")
# '游艺活动 时间: 六月末 [学生退校后]': the activity before its details decides.
_DETAILS_AFTER = re.compile(r"\s+(?:时间|地点|规则|对象|要求|分组|赛制)\s*[:：]")
# '元旦后走访慰问生病教职工': a festival named as the time after which something happens is not its occasion
# ('春节前…' is: the gold labels work before a festival as that festival's).
_AFTER_FESTIVAL = re.compile(r"(?:元旦|春节|新春|元宵|清明|端午|中秋|国庆|重阳|\S{1,4}节)\s*(?:过后|以后|后)(?!勤)")
# '十一月', '五一班' and the like are not festivals.
_NOT_FESTIVAL = re.compile(r"[一二三四五六七八九十]\s*[一二三四五六七八九十]\s*月|[0-9]\s*月")


def _words(*lines: str) -> re.Pattern[str]:
    """One pattern from lines of '|'-separated words (a line per kind of work, so each can be read)."""
    return re.compile("|".join(lines))


# Purposes that decide the category wherever they appear, strongest first. The words are those
# union plans use for each kind of work, not only the seeds' (bench/unseen measures the difference).
_OVERRIDES: list[tuple[str, re.Pattern[str]]] = [
    ("congress", _words(
        r"教代会|代表大会|职代会|双代会|会员大会|教职工大会|提案|议案|审议|表决|换届|选举",
        r"教职工代表|职工代表|代表团|代表巡视|闭会期间",
        r"校务公开|厂务公开|院务公开|政务公开|财务公开|公开栏|公开(?!课)",
        r"民主评议|民主测评|民主监督|民主决策|民主管理|民主恳谈|民主(?!生活会)",  # 民主生活会 is the party's
        r"知情权|参与权|监督权|集体协商|集体合同|工资协商",
        r"合理化建议|献计献策|建言献策|献一策|金点子|意见箱|校长接待日|来信来访",
        r"(?:征求|听取|征集).{0,12}(?:意见|建议)",
    )),
    ("care", _words(
        r"慰问|送温暖|温暖|暖心|驿站|帮扶|扶助|困难|特困|援助|救助|补助|资助|(?<!协)助学|爱心|捐|互助",
        r"体检|健康检查|筛查|两癌|健康管理|义诊|医疗|生病|患病|重病|大病|住院|病休|探望|看望|探视|走访",
        r"保险|保障|福利|年货|送清凉|防暑降温|疗休养|休养|疗养|关爱|关心|关怀|后顾之忧",
        r"生日|祝寿|新婚|结婚|婚恋|交友|生育|孕|哺乳|母婴|托管|托育|入托|婚丧|丧葬|欢送|荣休|离退休.{0,6}服务",
        r"心理疏导|心理咨询|心理辅导|咨询|妇女用品|卫生用品|维权|权益|法律援助|劳动保护|特殊保护",
        r"午餐|伙食|班车|午休|减负",
    )),
    ("study", _words(
        r"培训|研修|继续教育|学历提升|岗前|入职教育|职业规划|讲座|报告会|宣讲|论坛|论文|学术|课题|教研|科研",
        r"教学|课堂|基本功|教学比武|技能大赛|技能竞赛|技能提升|职业技能|练兵|课件|三笔字|粉笔字|钢笔字|信息技术",
        r"观摩|说课|评课|磨课|赛课|公开课|示范课|优质课|骨干教师|名师|新秀|教坛|师德|师徒|青蓝",
        r"业务学习|政治学习|理论学习|学习型|主题教育|思想政治|核心价值观|爱国主义|党史|红色教育|廉政|警示教育|教育基地",
        r"普通话|知识竞赛|知识测试|法律知识|普法|读书笔记|读书心得|考察学习|参观学习",
    )),
]
_LESSONS = ("培训", "讲座")
# Everything else: the earliest keyword wins.
_PASTIMES = _words(
    r"比赛|竞赛|大赛|赛|杯|运动|体育|健身|锻炼|球|乒乓|棋|拔河|跳绳|毽|操|登山|徒步|健步|骑行|长跑|跑步|马拉松|游泳",
    r"一日游|一日行",
    r"瑜伽|太极|八段锦|广场舞|飞镖|柔力球|空竹|掼蛋|钓鱼|越野|定向|普拉提|风筝",
    r"文艺|文体|联欢|联谊|晚会|年会|嘉年华|庙会|游园|游艺|游戏|趣味|亲子|迎新|校庆|活动周|工会活动|暑期活动",
    r"春游|秋游|郊游|旅游|踏青|登高|露营|采摘|采风|写生|团建|拓展",
    r"读书|诵读|朗诵|阅读|书香|诗词|诗歌|猜谜|灯谜|博客|短视频",
    r"唱|歌|合唱|舞|乐器|器乐|音乐会|话剧|戏曲|相声|小品|才艺|演出|表演|汇演|风采|艺术|雷锋",
    r"摄影|书法|书画|绘画|剪纸|插花|花艺|编织|手工(?!程)|陶艺|DIY|烘焙|厨艺|茶艺|观影|电影|影片",
    r"展示|展览|作品展|观展|博物馆|沙龙|社团|俱乐部|兴趣小组|兴趣班|工作坊|协会",
)
# Who does the work ('工会小组乒乓赛', '工会委员…'): admin only when nothing names the work itself.
_ORGANIZERS = re.compile(r"委员|主席|小组")
_KEYWORDS: list[tuple[str, re.Pattern[str]]] = [
    ("sports_culture", _PASTIMES),
    ("study", _words(r"学习|箴言|调研|交流|研讨")),
    ("admin", _words(
        r"计划|总结|小结|例会|会议|分工(?!会)|调整|开学工作|劳模|劳动模范|材料",
        r"经费|会费|预算|决算|财务|账|审计|报表|年报|统计|台帐|报送|上交|上报|申报|登记|摸底",
        r"档案|资料|征订|报刊|入会|新会员|发展会员|会员发展|会籍|会员信息|信息库",
        r"评选|评比|评优|评先|先进|表彰|推荐|积极分子|工作者",
        r"检查|自查|考核|考评|年检|规范化|达标|验收|制度|规章|办法|细则",
        r"组织建设|队伍建设|宣传|简报|述职|网站|公众号",
    )),
]


def detect_holiday(text: str) -> str | None:
    """The festival a text names, normalized, or None."""
    norm = fold(text)
    masked = _NOT_FESTIVAL.sub(lambda m: "#" * len(m.group()), norm)
    masked = _AFTER_FESTIVAL.sub(lambda m: "#" * len(m.group()), masked)
    best: tuple[int, str] | None = None
    for name, regex in _FESTIVAL_RES:
        m = regex.search(masked)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), name)
    return best[1] if best else None


def rule_category(text: str) -> str:
    """The category the keyword rules give a text that names no festival."""
    return _rule(_head(fold(text)))[0]


def _head(norm: str) -> str:
    """'游艺活动 时间: 六月末': the activity before its details, which decides."""
    return norm[:cut.start()] if (cut := _DETAILS_AFTER.search(norm)) else norm


def _rule(norm: str) -> tuple[str, float]:
    """The rules' category and how much it weighs against the model (RULE_WEIGHT; 'other' named as such,
    '配合学校召开…会议' or '筹备教工之家', is not the model's to change)."""
    if _OTHER.search(norm.strip()):
        return "other", math.inf
    for category, regex in _OVERRIDES:
        if m := regex.search(norm):
            if category == "study" and m.group() in _LESSONS and (
                    (hobby := _PASTIMES.search(norm)) and hobby.start() < m.start()):
                return "sports_culture", RULE_WEIGHT  # '太极拳培训班': lessons in a pastime are the pastime
            return category, RULE_WEIGHT
    best: tuple[int, str] | None = None
    for category, regex in _KEYWORDS:
        m = regex.search(norm)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), category)
    if best:
        return best[1], RULE_WEIGHT
    return ("admin", RULE_WEIGHT) if _ORGANIZERS.search(norm) else ("other", RULE_WEIGHT)


def classify(text: str, model: NaiveBayes | None = None) -> tuple[str, str | None]:
    """(category, holiday) of one schedule item's text: a named festival decides; then the rules, which the
    n-gram model (schedules.category_model) may overrule where its evidence is clearly stronger. ``model``
    replaces the shipped one (the benches score each file with a model that has not seen it)."""
    category, holiday, _ = classify_with_margin(text, model)
    return category, holiday


def classify_with_margin(text: str, model: NaiveBayes | None = None,
                         months: list[int] | None = None) -> tuple[str, str | None, float]:
    """As classify, plus how far the chosen category stands ahead of the next one, in nats per gram with the
    rules' weight included (the preview flags items with a thin margin). A named festival is sure; without a
    model, a rule word gives 1 and no word 0. ``months``: the item's, when known ('迎新活动' in December)."""
    holiday = detect_holiday(text)
    if holiday:
        return "holiday", holiday, math.inf
    norm = fold(text).strip()
    if _COMMEMORATIVE.search(norm):
        return "holiday", None, math.inf
    if months and set(months) <= {12, 1} and _NEW_YEAR_EVE.match(norm) and \
            rule_category(norm[_NEW_YEAR_EVE.match(norm).end():]) in ("other", "sports_culture"):
        return "holiday", "元旦", math.inf
    head = _head(norm)
    rule, weight = _rule(head)
    model = model if model is not None else shipped_model()
    if weight == math.inf:
        return rule, None, weight
    if model is None:
        return rule, None, 0.0 if rule == "other" else 1.0
    category, margin = decide_with_margin(model, head, rule, weight)
    return category, None, margin
