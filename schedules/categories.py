"""Category and festival of a schedule item, from its text.

Categories (see shared/seeds/gold/README.md): holiday, care, sports_culture,
congress, study, admin, other. A festival named as the occasion wins; then a
few purposes that override whatever else the text mentions (a 教代会 held at a
例会 is still congress work); then the earliest keyword decides, because a
plan's entries lead with their main verb-object ("组织教师学习…并举行知识竞赛").
"""

from __future__ import annotations

import re

from schedules.category_model import decide, shipped_model
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

# Purposes that decide the category wherever they appear, strongest first. The words are those
# union plans use for each kind of work, not only the seeds' (bench/unseen measures the difference).
_OVERRIDES: list[tuple[str, re.Pattern[str]]] = [
    ("congress", re.compile(
        r"教代会|代表大会|职代会|双代会|提案|教职工代表|职工代表|代表团|代表巡视|闭会期间|审议|"
        r"校务公开|厂务公开|院务公开|政务公开|民主评议|民主测评|民主监督|民主决策|民主生活会|民主管理|"
        r"知情权|参与权|监督权|议案|表决|财务公开|公开栏|意见箱|校长接待日|民主恳谈|集体协商|集体合同|工资协商|"
        r"合理化建议|献计献策|建言献策|献一策|金点子|来信来访|换届|选举|会员大会|教职工大会|"
        r"(?:征求|听取|征集).{0,12}(?:意见|建议)|民主|公开(?!课)")),
    ("care", re.compile(
        r"慰问|送温暖|温暖|帮扶|扶助|困难|特困|体检|健康检查|筛查|两癌|探望|看望|探视|走访|保险|保障|捐|送清凉|"
        r"关爱|关心|关怀|生病|患病|重病|大病|住院|病休|医疗|补助|救助|资助|(?<!协)助学|援助|爱心|心理疏导|"
        r"妇女用品|卫生用品|福利|疗休养|休养|疗养|祝寿|生日|新婚|结婚|生育|婚丧|丧葬|互助|欢送|托管|"
        r"维权|权益|午餐|减负|入托|义诊|防暑降温|暖心|驿站|母婴|离退休.{0,6}服务|心理咨询|心理辅导|交友|婚恋|"
        r"荣休|托育|孕|哺乳|法律援助|劳动保护|特殊保护|伙食|班车|午休|健康管理|咨询|年货|后顾之忧")),
    ("study", re.compile(
        r"基本功|教学比武|技能大赛|技能竞赛|课件|师德|师徒|青蓝|培训|研修|继续教育|论文|论坛|教研|科研|"
        r"学术|业务学习|政治学习|理论学习|普通话|观摩|说课|评课|磨课|公开课|示范课|优质课|讲座|报告会|"
        r"宣讲|知识竞赛|知识测试|读书笔记|读书心得|技能提升|职业技能|入职教育|岗前|课题|赛课|课堂|骨干教师|名师|三笔字|粉笔字|"
        r"钢笔字|信息技术|主题教育|思想政治|核心价值观|职业规划|学历提升|练兵|新秀|教坛|法律知识|普法|党史|红色教育|廉政|警示教育|教育基地|考察学习|参观学习|教学|学习型|"
        r"爱国主义")),
]
_LESSONS = ("培训", "讲座")
# Everything else: the earliest keyword wins.
_KEYWORDS: list[tuple[str, re.Pattern[str]]] = [
    ("sports_culture", re.compile(
        r"比赛|竞赛|大赛|赛|运动|体育|健身|锻炼|球|棋|拔河|跳绳|毽|文艺|联欢|联谊|春游|秋游|郊游|旅游|踏青|"
        r"登高|露营|采摘|读书|诵读|朗诵|唱|歌|合唱|舞|操|才艺|校庆|演出|表演|汇演|摄影|书法|书画|绘画|"
        r"剪纸|插花|花艺|编织|手工(?!程)|烘焙|厨艺|茶艺|观影|电影|影片|迎新|活动周|展示|展览|作品展|游园|趣味|亲子|游戏|"
        r"团建|拓展|沙龙|社团|俱乐部|兴趣小组|协会|钓鱼|掼蛋|登山|徒步|文体|晚会|雷锋|博客|暑期活动|"
        r"风采|艺术|工会活动|健步|骑行|长跑|跑步|马拉松|瑜伽|太极|游泳|八段锦|广场舞|短视频|飞镖|柔力球|空竹|"
        r"乐器|器乐|诗词|诗歌|书香|阅读|猜谜|灯谜|游艺|越野|定向|采风|写生|观展|博物馆|音乐会|话剧|戏曲|相声|"
        r"小品|兴趣班|工作坊|DIY|陶艺|普拉提|风筝|年会|嘉年华|庙会")),
    ("study", re.compile(r"学习|箴言|调研|交流|研讨")),
    ("admin", re.compile(
        r"计划|总结|小结|例会|经费|会费|预算|决算|报表|档案|征订|财务|账|审计|年报|统计|评选|评比|先进|"
        r"表彰|推荐|上报|资料|入会|新会员|发展会员|会员发展|评优|评先|会籍|会员信息|检查|自查|考核|小组|委员|主席|会议|登记|开学工作|申报|积极分子|"
        r"工作者|台帐|报送|上交|分工(?!会)|调整|制度|规章|职工之家|建家|宣传|简报|述职|信息库|规范化|达标|"
        r"验收|考评|报刊|办法|细则|网站|公众号|摸底|组织建设|队伍建设|小家|年检")),
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


def rule_category(text: str) -> str:
    """The category the keyword rules give a text that names no festival."""
    norm = fold(text)
    for category, regex in _OVERRIDES:
        if m := regex.search(norm):
            if category == "study" and m.group() in _LESSONS and (
                    (hobby := _KEYWORDS[0][1].search(norm)) and hobby.start() < m.start()):
                return "sports_culture"  # '太极拳培训班': lessons in a pastime are the pastime
            return category
    best: tuple[int, str] | None = None
    for category, regex in _KEYWORDS:
        m = regex.search(norm)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), category)
    return best[1] if best else "other"


def classify(text: str) -> tuple[str, str | None]:
    """(category, holiday) of one schedule item's text: a named festival decides; then the rules, which the
    n-gram model (schedules.category_model) may overrule where its evidence is clearly stronger."""
    holiday = detect_holiday(text)
    if holiday:
        return "holiday", holiday
    rule = rule_category(text)
    model = shipped_model()
    return (decide(model, text, rule) if model else rule), None
