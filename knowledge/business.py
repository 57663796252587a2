"""Does the asker say what their business is ("我们是做光伏组件的", "We're a machine tool maker"),
or name one as the question's subject ("装修公司能拿营收奖励吗", "Freight forwarder here")?

The awards are for HR service institutions (article 16). A business of another trade asking for one
reads like an agency's question, and trades are too many to list, so the way people describe their
own business is looked for instead: "我们是一家X公司/厂/店", "做X的", "主营X", "we're a X maker",
"our X company". What X says is kept only when it is more than generic words ("一家新注册的公司",
"a small firm in the park", "a Singapore company"): those describe an HR firm as well as any other.
Whether the description is of an HR firm is decided by the caller, from the HR trade's words.

Works on ``normalize_query`` text: lower case, Simplified, punctuation turned into spaces.
"""
from __future__ import annotations

import re

# The phrases that say what a business does whatever follows them.
_SAYS_TRADE = re.compile(
    # (主要经营管理人员 are the managers of article 6, not what a business does)
    r"主营|主业|主要从事|主要经营(?!管理)|主要做|主要卖|主要生产|是做[^，。,？?！!]{1,12}的|是卖[^，。,？?！!]{1,12}的|"
    r"是开[^，。,？?！!]{1,10}的|是搞[^，。,？?！!]{1,10}的")

# "我们生产医用手套", "本公司从事游艇租赁", "我们卖二手手机": who speaks, a verb of making, dealing or
# farming, then what (up to the words that go on to ask: "我们生产口罩能拿营收奖励吗"). What it names is
# judged as a description's is: "我们经营产业园" is the park's operator.
_ZH_DOES = re.compile(
    r"(?=[我本咱俺])(?:我们|我司|本公司|我们公司|我们厂|咱们|咱|俺们|我家|本厂|本店)(?:主要|专门|一直|是|就是|目前|现在)?"
    r"(?:生产|制造|加工|从事|经营|销售|批发|零售|养殖|种植|卖|代理|研发|回收)"
    r"(?!困难|状况|情况|不善|得|了|的话|范围|许可|成本|压力|规模|业绩|收入|额|的是)"
    r"(?P<obj>[^ ]{2,12}?)(?=的|能|可以|可不可|有没有|是否|算不算|想|要|申请|一年|年营收|营收|营业额|每年|去年|今年|"
    r"房租|租金|怎么|如何|请问|问|在|已经|有|也| |$)")
# "我们是一家X公司": who speaks, then what kind of business, then a word for a business.
_ZH_SUBJECT = r"(?:我们|我司|本公司|我们公司|咱们|咱|俺们|东家|我家|我)"
_ZH_BUSINESS = (r"(?:公司|企业|厂|店|集团|医院|诊所|工作室|经销商|运营商|供应商|门店|连锁|商家|商户|学校|培训学校|"
                r"事务所|平台|银行|酒店|商行|车行|作坊|"
                # (an institution of a named kind, "留学中介机构"; not "新引进的机构", "做高管寻访的机构")
                r"(?<!的)机构)")
_ZH_DESCRIBED = re.compile(r"(?=[我本咱俺东])" + _ZH_SUBJECT + r"(?:是|就是|属于)(?:一家|一个|家|个)?(?P<kind>[^ ]{1,12}?)"
                           + _ZH_BUSINESS)
_EN_BUSINESS = (r"(?:company|firm|maker|manufacturer|producer|dealer|dealership|studio|chain|shop|store|clinic|"
                r"hospital|group|business|startup|plant|factory|distributor|supplier|retailer|wholesaler|"
                r"developer|agency|school|mill|workshop|lab|bakery|restaurant|hotel|bank|practice|contractor|showroom|centre|"
                r"center|platform|fund|provider|start-up|start up|salon|farm|brewery|pharmacy|gym|kindergarten|cafe|garage|"
                r"integrator|bureau|cooperative|co-op|winery|vendor|club|bar|arcade|spa|academy|trader|exporter|importer|"
                r"parlour|parlor|rink|cinema)")
# (The lookaheads: the first letters of the alternatives, so that the regex engine leaves most
# positions after one test; this runs on every question.)
_EN_DESCRIBED = re.compile(
    r"(?=[wiotcdamf])(?:\b(?:we re|we are|we r|i m|i am|this is|we operate|i operate)\s+(?:a|an)\s+"
    r"(?P<kind>(?:[a-z0-9-]+\s+){1,4}?)"
    + _EN_BUSINESS + r"(?![a-z0-9-])"
    r"|\bour\s+(?P<kind2>(?:[a-z0-9-]+\s+){1,4}?)" + _EN_BUSINESS + r"(?![a-z0-9-])"
    # asked about in the third person: "can a car rental company get the meeting room subsidy?"
    r"|\b(?:can|could|does|do|is|are|would|will|may|for|cover|covers|include|includes)\s+(?:a|an)\s+"
    r"(?P<kind3>(?:[a-z0-9-]+\s+){1,3}?)"
    + _EN_BUSINESS + r"(?![a-z0-9-]))")

# "We build drones", "Our company roasts coffee beans": a verb of making or selling, then what.
_EN_DOES = re.compile(
    r"(?=[wiom])\b(?:we|i|our company|our firm|my company|my firm)\s+"
    r"(?:run|runs|own|owns|make|makes|produce|produces|manufacture|manufactures|build|builds|assemble|assembles|grow|grows|"
    r"publish|publishes|develop|develops|design|designs|roast|roasts|brew|brews|import|imports|export|exports|"
    r"distribute|distributes|install|installs|repair|repairs|print|prints|provide|provides|offer|offers|"
    r"breed|breeds|raise|raises|cook|cooks|bake|bakes|sell|sells|trade|trades|ship|ships|operate|operates|"
    r"recycle|recycles|process|processes|deliver|delivers)\s+"
    r"(?:and\s+[a-z]+\s+)?(?P<obj>(?:[a-z0-9-]+\s*){1,4})"
    r"|\b(?:our business is|our main business is|our main business)\s+(?P<obj2>(?:[a-z0-9-]+\s*){1,4})"
    # "we do elevator maintenance": "do" only with a trade's kind of work after it ("we do need help" is none)
    r"|\bwe\s+do\s+(?P<obj3>(?:[a-z-]+\s+){0,2}(?:maintenance|repairs?|cleaning|installation|logistics|delivery|"
    r"catering|printing|construction|renovation|decoration|landscaping|trading|retail|wholesale|manufacturing|"
    r"farming|mining|security|property management|tutoring|photography|advertising|interior design))\b")
# What follows such a verb that is no trade ("we sell our services", "we provide the documents").
_EN_NOT_OBJECT = frozenset(
    "a an the our my your their its it them this that these those all any some services service products "
    "goods things stuff documents materials information data it s hundred thousand million billion money "
    "profit profits revenue income sales turnover rmb yuan wan yi usd dollars day daily management everything".split())

# "We make about 450 million a year", "if we make 250 milion": what follows "make" is an amount
# (a figure or a number in words, perhaps after "about"), what the firm earns, not what it makes.
_EN_AMOUNT = re.compile(
    r"(?:(?:about|around|roughly|nearly|almost|approximately|approx|over|under|like|some|maybe|close to|"
    r"more than|less than|just over|just under)\s+)*(?:[0-9#]|(?:one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|half)\b)")

# Words that say nothing of the trade: size, age, place, ownership, where it is registered, and the
# words an HR firm uses of itself.
_ZH_GENERIC = re.compile(
    r"新注册|刚注册|注册|新成立|刚成立|新入驻|刚入驻|入驻|新|刚|园区里|园区内|园区|产业园|开发区|高新区|经开区|自贸区|保税区|"
    r"区内|区外|外地|本地|西青|天津|"
    r"北京|上海|河北|外资|港资|台资|日资|韩资|合资|独资|民营|国有|国企|央企|上市|初创|创业|中小|小型|中型|大型|小|大|"
    r"分支|非独立核算|独立核算|分|子|总部|母|世界|中国|全国|500强|五百强|百强|知名|龙头|头部|老|本土|香港|台湾|日本|韩国|新加坡|德国|美国|"
    r"外国|境外|服务业|服务|机构|有限合伙|有限责任|股份制|股份|个人独资|合伙|小微|个体|区属|市属|区里|区内的|已有|"
    r"重点|老牌|人力资源|人力|人资|hr|资源|独立法人|法人|的|在|里|这边|那边|这|那|一|家|个|普通|正规|科技型|"
    r"什么|哪些|哪种|哪类|哪家|样|所有|任何|其他|别的|这类|那种|一般|申请|我们|咱们|本|贵|该|此|每|各|多|两|几|某|"
    r"[0-9#]+")
_EN_GENERIC = frozenset(
    "new newly small big large medium mid-sized local foreign young registered relocated park xiqing tianjin beijing "
    "shanghai chinese china private state state-owned owned listed fortune 500 global startup the service services "
    "hr human resources resource staffing recruitment recruiting labour labor dispatch outsourcing consulting "
    "headhunting talent employment parent branch subsidiary sister holding own first old current family "
    "international multinational well-known leading top singapore singaporean japanese korean german american us "
    "british french hong kong taiwanese taiwan indian european asian overseas domestic registered-in based "
    "in of from at with here there this that same little one two binhai nankai hexi heping hebei hongqiao beichen "
    "any such other which what every each some certain typical normal ordinary eligible qualified "
    "second fresh district partnership person one-person invested founded tenant arrived size truly pvt ltd "
    "limited liability sole proprietorship individual individually joint venture wfoe representative rep office "
    "shell jinnan dongli sized mid well run tiny existing brand loss making profitable gm vps ceo boss "
    "xiqing-based tianjin-based beijing-based shanghai-based china-based agency "
    # (where a firm is from, how well known or how new it is, and the chat a question came from)
    "italian spanish dutch swiss swedish finnish danish norwegian austrian belgian canadian australian brazilian "
    "mexican thai vietnamese malaysian indonesian filipino russian israeli irish polish czech turkish emirati "
    "african latin nordic western key important major famous renowned reputable formed established incorporated "
    "started wechat whatsapp".split())
# Words that end a description: "our group already had a company" does not say "group already had" is a trade.
_EN_BREAK = frozenset(
    "a an the is are was were be been has had have already and or to for not but that which who we our i my it "
    "you your they their also just still only did do does can will would".split())
# Words of the HR trade and of the park's own roles (its builder and operator): a description with
# one of them is an agency's, the park's builder's or its operator's, whatever else it says.
# (The first part, the HR trade's own words, is also looked for in the whole question: _HR_TRADE.)
_HR_WORDS = (r"人力|人资|劳务|派遣|外包|猎头|招聘|职介|(?<![a-z])hr(?![a-z])|human resource|recruit|staffing|headhunt|"
             r"dispatch|outsourc|payroll|executive search|talent acquisition|"
             # (not \b: a Chinese character is a word character too, "做eor的", "hr公司")
             r"(?<![a-z])(?:eor|rpo)(?![a-z])")
# The HR trade's work ("人才测评", "training", "placement").
_HR_TRADE_WORK = (r"招工|用工|人才|职业介绍|职业中介|家政|人事|薪酬|薪税|社保|雇主品牌|背景调查|背调|档案|就业|职业指导|"
                  r"测评|培训|咨询|human|talent|employment|placement|training|consult|assessment|psychometric|career|"
                  r"\bgig\b|crowdsourc|labou?r|workforce|\bjobs?\b|hiring")
_OWN_TRADE = re.compile(
    _HR_WORDS + "|" + _HR_TRADE_WORK + r"|(?<![^为是的作 ])运营|(?<![^为是的作 ])建设|建园|园区|产业园|"
    r"operat|builder|built the park|\bthe park s\b|\bparks?\b")


# English words of the HR trade's work that _OWN_TRADE does not hold ("we run job fairs", "we
# provide workers").
_EN_OWN_WORDS = frozenset("fair fairs workers worker staff people".split())


def describes_own_business(normalized: str) -> bool:
    """Does the asker say what kind of business they are, in more than generic words?"""
    if _SAYS_TRADE.search(normalized):
        return True
    for match in _ZH_DOES.finditer(normalized) if not normalized.isascii() else ():
        obj = match.group("obj")
        if _ZH_GENERIC.sub("", obj) and not _OWN_TRADE.search(obj):
            return True
    for match in _ZH_DESCRIBED.finditer(normalized) if "是" in normalized or "属于" in normalized else ():
        kind = match.group("kind")
        if _ZH_GENERIC.sub("", kind) and not _OWN_TRADE.search(kind):
            return True
    for match in _EN_DESCRIBED.finditer(normalized) if " a" in normalized or "our " in normalized else ():
        words = (match.group("kind") or match.group("kind2") or match.group("kind3")).split()
        if _EN_BREAK.intersection(words) or _OWN_TRADE.search(" ".join(words)):
            continue
        if any(word not in _EN_GENERIC for word in words):
            return True
    says_who = "we " in normalized or "our " in normalized or "i " in normalized or "my " in normalized
    for match in _EN_DOES.finditer(normalized) if says_who else ():
        words = []
        obj = (match.group("obj") or match.group("obj2") or match.group("obj3")).split()
        while obj and obj[0] in ("a", "an", "the", "our", "my"):  # "we publish a local newspaper"
            obj = obj[1:]
        if " make" in match.group(0) and _EN_AMOUNT.match(" ".join(obj)):
            continue
        for word in obj:
            if word in _EN_BREAK:
                break
            words.append(word)
        if _OWN_TRADE.search(match.group(0)) or _EN_OWN_WORDS.intersection(words):
            continue
        if any(word not in _EN_GENERIC and word not in _EN_NOT_OBJECT and not word.isdigit() for word in words):
            return True
    return False


# The HR trade's own words anywhere in a question: a business described with one of them near is
# most likely an agency ("我们主营人力资源咨询"), so no note says the awards are not for it.
_HR_TRADE = re.compile(_HR_WORDS)
# The names of the park, the policy and the bureau hold the HR trade's words but say nothing of the
# asker ("殡葬服务公司能入驻人力资源产业园吗", "a gaming studio ... the HR park measures"). The voucher's
# name (人力资源服务券) is not among them: the vouchers are for other firms to spend on HR services.
_NAMES_WITH_HR_WORDS = re.compile(
    r"人力资源(?:服务)?(?:产业)?园(?:区)?|人力资源服务(?:产业|业)?(?:发展)?(?:政策|措施)|"
    r"人力资源和社会保障局|人力资源社会保障局|人力社保局|"
    r"\b(?:hr|human resources?)\s+(?:service\s+|services\s+)?(?:industrial\s+)?(?:park|parks|policy|policies|"
    r"measures|bureau|industry park)\b|\bhuman resources and social security\b")


# A business of another trade often says how it hires ("招人主要靠园区里的人力公司",
# "运维人员通过外包公司招聘", "we hire through a staffing agency"): the HR firm it names is a
# supplier, not the asker.
_USES_HR_SERVICES = re.compile(
    r"(?:靠(?!谱)|通过|委托|借助|交给|外包给|依托)[^ ]{0,8}?(?:人力公司|人力资源公司|人力资源服务机构|人力机构|"
    r"劳务公司|外包公司|派遣公司|猎头公司|猎头|中介公司)"
    r"|(?:员工|工人|骑手|人员|师傅|职工)[^ ]{0,6}?(?:是|都是|大多是|很多是|多是)(?:灵活用工|劳务派遣|外包|派遣)"
    r"|\b(?:through|via|use|uses|using|hire from|rely on|relies on)\s+(?:an?\s+|the\s+|local\s+|some\s+)?"
    r"(?:[a-z-]+\s+)?(?:staffing|labou?r dispatch|recruitment|recruiting|hr|headhunting|outsourcing)\s+"
    r"(?:agency|agencies|firm|firms|company|companies|platform|platforms|partner|partners)\b")


def mentions_hr_trade(normalized: str) -> bool:
    """Any word of the HR trade in the question ("人力", "劳务", "recruit", "payroll"), other than
    in the name of the park, the policy or the bureau, or of an HR firm the asker hires through?"""
    if _HR_TRADE.search(normalized) is None:
        return False
    return _HR_TRADE.search(without_hr_firms_not_the_asker(_NAMES_WITH_HR_WORDS.sub(" ", normalized))) is not None


# The words of an HR firm saying whom it serves, in those of its trade or of its work ("我们给医院做人才
# 测评", "Our agency places nurses in hospitals", "vocational training for wind farm technicians").
_HR_WORK = re.compile(_HR_WORDS + "|" + _HR_TRADE_WORK + r"|猎|派工|agency|agencies|places|placed|placing|nurses|interim")


def mentions_hr_work(normalized: str) -> bool:
    """The HR trade's words or those of its work ("人力", "培训", "placement"), other than in the name
    of the park, the policy or the bureau, or of an HR firm the asker hires through?"""
    if _HR_WORK.search(normalized) is None:
        return False
    return _HR_WORK.search(without_hr_firms_not_the_asker(_NAMES_WITH_HR_WORDS.sub(" ", normalized))) is not None


# An HR firm the asker compares itself with, or the kind of institution it asks to be counted as
# ("健身房能和人力公司一样拿房租补贴吗", "補習班算不算人力資源服務機構", "Can a gym get the same rent
# subsidy as an HR firm?", "does a karaoke bar count as an HR service provider"): its words say the
# asker is not one. ("作为人力资源服务机构", "as an HR firm, can we…" say it is, and are kept.)
_NOT_THE_ASKER = re.compile(
    r"(?:像|和|跟|同)(?:一般的|普通的|其他的?|别的)?(?:人力资源服务机构|人力资源服务企业|人力资源公司|人力公司|人力资源企业|"
    r"hr公司|hr机构|人力机构)(?:一样|那样|同等|相同)"
    r"|(?:算不算|能不能算|能否算|可不可以算|可以算|能算|算是|是不是|属不属于|认定为|认定成)(?:是)?(?:一家|一种|一类)?"
    r"人力资源(?:服务)?(?:机构|企业|公司)"
    # (and one the asker says it is not: "我们不是HR公司", "we're not an HR firm")
    r"|(?:不是|并非|不属于|不算)(?:一家|一个)?(?:人力资源(?:服务)?|人力|hr ?)(?:机构|企业|公司)"
    r"|\b(?:not|aren t|isn t)\s+(?:an?\s+)?(?:hr|staffing|recruitment|human resources?)\s+(?:service\s+)?"
    r"(?:agency|firm|company|institution|provider)s?\b"
    r"|\b(?:same\s+(?:[a-z-]+\s+){0,4}?as|like|than|count|counts|counted|qualify|qualifies|classified|treated|"
    r"regarded|considered)\s+(?:as\s+)?(?:an?\s+|the\s+|other\s+|regular\s+|normal\s+)?"
    r"(?:hr|staffing|recruitment|recruiting|human resources?)\s+(?:service\s+|services\s+)?"
    r"(?:agency|agencies|firm|firms|company|companies|institution|institutions|provider|providers|organi[sz]ations?)\b")


def without_hr_firms_not_the_asker(normalized: str) -> str:
    """The question without the HR firms the asker says it hires through (_USES_HR_SERVICES), compares
    itself with, asks to be counted as or says it is not (_NOT_THE_ASKER)."""
    return _NOT_THE_ASKER.sub(" ", _USES_HR_SERVICES.sub(" ", normalized))


# A hotel an HR firm rents a meeting room in or holds a forum at ("园区外酒店的会议室能补吗", "a job fair
# we held at a hotel") is a place, not the asker's trade.
_VENUES = re.compile(
    r"酒店(?:租的|的)?(?:会议室|会议厅|宴会厅|多功能厅|场地)|在[^ ]{0,6}?酒店的?(?:办|举办|开会)|租[^ ]{0,2}?酒店"
    r"|\bhotels?\s+(?:meeting|conference|function|banquet)\s+(?:rooms?|halls?)|\bhotel\s+会议室"
    r"|\b(?:at|in)\s+a\s+hotel\b|\bhired\s+an?\s+(?:outside\s+)?hotel\b")


def without_venues(normalized: str) -> str:
    """The question without the hotels it names as places to meet (_VENUES)."""
    return _VENUES.sub(" ", normalized) if "酒店" in normalized or "hotel" in normalized else normalized


def describes_a_business(normalized: str) -> bool:
    """Does the asker describe their business, or name one as the question's subject?"""
    return describes_own_business(normalized) or names_business_kind(normalized)


def describes_other_trade(normalized: str) -> bool:
    """Does the asker describe a business, or name one as the subject, that is plainly not an HR
    firm (no HR word anywhere)?"""
    return describes_a_business(normalized) and not mentions_hr_trade(normalized)


# A business named as the question's subject, in the third person or in a few words
# ("殡葬服务公司可以享受这个政策吗", "开驾校的能申请吗", "Freight forwarder here, ...", "Vet hospital
# owner: ..."): the short form of "we are a X company". What it names is judged as a description's
# is, and it must read as a name of a trade: no question word, verb or particle inside it.
_ZH_KIND_END = (r"(?:公司|企业|厂(?!房(?!租[^金赁]))|店|中心|医院|诊所|工作室|基地|市场|商户|门店|连锁|学校|俱乐部|事务所|商行|"
                # (a workshop: 豆腐坊, 油坊; not 街坊, neighbours, or 牌坊, an arch)
                r"(?<![街牌])坊|"
                # (入园, 开园 are verbs; 北交所, 交易所 are exchanges; 厂房 is a building, but "箱包厂房租" a
                # factory's rent)
                r"超市|酒店|餐厅|饭店|馆|院|(?<![入开建进出离驻])园|社|场|经销商|供应商|批发商|代理商|开发商|(?<!交)(?<!易)所|中介|"
                # a shop in 铺, 摊, 行 or 厅 ("包子铺", "煎饼果子摊", "琴行", "台球厅"): not 店铺 or 商铺, a shop
                # unit; not 摆摊, a verb; not 进行, 试行, 发行 (verbs) or 行业; not a hall of the park's (招聘大厅)
                r"(?<![店商床])铺(?!面|位)|(?<![摆出])摊(?!位|子钱)|(?<![进执发运可自旅平流通步同银另不一试施实推履先现暂单例盛横并奉遵举言修爬飞航骑送穿])行(?!业|为|政|动|使|驶|情|程|李)|"
                r"(?<![大展客办])厅)")
# (The word for a business and what follows it are looked for first, then what stands before it
# back to the clause's start: a pattern that tried each start of the clause took 20 µs a question.)
_ZH_NAMED_END = re.compile(
    _ZH_KIND_END + r"(?:的)?(?:商户|老板|员工|高管)?"
    # (a space before: the keyword form, "宠物医院 房租补贴"; and a name with its figures: "渔具店一年房租24万")
    r"(?= ?(?:可以|能|可不可以|有没有|是否|算不算|想|要|申请|入驻|参加|营收|年营收|搞|办|用|准备|如果|也|"
    r"房租|租金|年租|房补|补贴|奖励|营业额|一年|每年|去年|今年|#年|上市|服务券|享受|适用|符合|厂房|"
    # (a business asking: "一家搬家公司问能不能…", "鞋厂老板问一下"; not 问题, a problem)
    r"问(?!题)|"
    # the keyword form with the award named in English: "醬油廠 rent subsidy", "婚庆公司 revenue reward"
    r" (?:rent|revenue|subsid|award|reward|grant|bonus|listing|ipo|event|meeting|training room|public facilit|"
    r"brand|talent|support|funding|incentive))"
    # the keyword form with any award's name: "花店 活动补贴"
    r"| [^ ]{0,6}?(?:补贴|奖励|补助|扶持))")
_ZH_HEAD_START = re.compile(r".*(?:有家|一家|有个|问|这家|那家|作为|我们的|我们|咱们|俺们|我家)")
# A trade's name of one character before 店, 厂, 馆, 坊 ("花店", "鞋厂", "茶馆", "油坊", "烟酒店"), unless that
# character says what is done to a business or which one ("开店", "建厂", "本店", "门店", "场馆").
_ZH_ONE_CHAR_ENDS = ("店", "厂", "馆", "坊", "酒店", "铺", "摊", "行", "厅")
_ZH_ONE_CHAR_NOT = frozenset("开建办设搬进入出驻全总分本该此每各新老门场会展商我你他她它这那哪")
_ZH_RUNS = re.compile(r"(?:我们|我|咱们|咱|俺们|俺)(?:家|这边)?(?:是)?(?:开|干|做|搞)(?P<kind>[^ ]{1,8}?)的(?!话|时候|人|事)"
                      # "做智能制造的，能…", "帮一家做冷库建设的企业问下": at a clause's start
                      r"|(?:^|(?<= )|(?<=一家)|(?<=有家))(?:是)?(?:做|开(?!办|设|展|业|发|会|工|张|始|通|票|具|户|立|放)|搞|干)(?P<kind2>[^ ]{2,8}?)的(?!话|时候|人|事|时|事情)"
                      # a trade named in English: "我们是pet grooming的", "做drone spraying的公司"
                      r"|(?:是|做|搞)(?P<kind3> ?[a-z][a-z -]{2,30}?)的")
_ZH_NOT_A_NAME = re.compile(
    # (single characters only where a trade's name rarely has them: 能 is in 智能 and 新能源, 子 in
    # 电子, 进 in 进出口, 会 in 会展, so those are words here)
    # (a figure is an amount or a date, "做1亿的", "2023年", but "3d打印", "5g基站" are trades)
    r"[哪啥什么怎谁吗呢吧了过着把被给和与或跟还要想是说问让对从按向在这那其该此每各们到亿万几#]|[0-9]+(?![0-9a-z])|大概|多少|几家|几个|能不能|能否|"
    r"自己|个体|本地|本区|外地|外省|外区|外资|区里|区内|区外|市里|市级|镇里|总公司|分公司|子公司|分支|总部|年底|年度|"
    r"今年|去年|明年|收到|迁入|迁来|进园|进驻|里面|上面|下面|重点|配套|入驻|园区|产业园|试行|文件|政策|服务券|对接|"
    r"大赛|年会|活动|小微|工商户|墙|强|产业|背景调查|背调|注册|新设|新建|刚成立|办公|搬|区属|市属")
_EN_NAMED = re.compile(
    r"^(?:hi |hello |hey |dear sir |good morning |good afternoon )?(?:a |an |the )?"
    r"(?P<kind>(?:[a-z0-9-]+\s+){0,3}?[a-z0-9-]+)\s+"
    r"(?P<noun>here|owner|company|firm|business|chain|plant|factory|studio|club|shop|clinic|hospital|school|"
    r"installer|maker|dealer|distributor|supplier|forwarder|franchise|manufacturer|store|restaurant|hotel|"
    r"bakery|practice|workshop|lab|startup|developer|contractor|yard|alley|mill|farm|salon|parlour|parlor|garage|"
    r"gym|cafe|pub|warehouse|depot|mine|quarry|ranch|nursery|pharmacy|cinema|rink|brewery|winery|laundry|"
    # (not \b: "Drone startup想拿IPO配套", a Chinese character is a word character too)
    r"wholesaler|retailer|exporter|importer|trader|vendor|bar|arcade|spa|academy|ktv)(?![a-z0-9-])")
# Words in such a head that name a person's role or a question, not a trade ("finance clerk here",
# "free agency service", "relocated company revenue").
_EN_NOT_A_NAME = frozenset(
    "free walk article art no clause section management managing relocated relocatd relcoated newly set-up set up how "
    "many much per what kind which researcher finance clerk admin office help desk walk-in caller group sister "
    "strong partnership partnrship elegible eligible xin zhuce qianru peiyou zhongdian fuchi key tenant applicant user student "
    "lawyer accountant secretary assistant intern staff employee director chairman president executive "
    "park developer operator builder government official counsel paralegal translator interpreter journalist "
    "reporter".split())


# A trade named in Chinese before an English word for a business ("麻花 shop, revenue 3000万", "豆浆
# factory rent subsidy"): the English keyword form with a Chinese name.
_ZH_NAME_EN_KIND = re.compile(
    r"(?:^| )(?P<kind>[\u4e00-\u9fff]{1,8}) (?:shop|store|factory|plant|mill|farm|restaurant|hotel|clinic|"
    r"bakery|workshop|company|firm|business|chain|dealer|wholesaler|retailer|distributor|manufacturer|maker|"
    r"owner|boss|stall|salon|studio|brand)s?\b")


def names_business_kind(normalized: str) -> bool:
    """Is a business named by its kind as the question's subject ("装修公司能不能拿…", "开驾校的",
    "Freight forwarder here"), in more than generic words, and not as an HR firm or the park?"""
    if not normalized.isascii():  # (the Chinese forms; each runs on every question)
        kinds = [m.group("kind") or m.group("kind2") or m.group("kind3") for m in _ZH_RUNS.finditer(normalized)]
        kinds += [m.group("kind") for m in _ZH_NAME_EN_KIND.finditer(normalized)]
        for match in _ZH_NAMED_END.finditer(normalized):
            head = normalized[normalized.rfind(" ", 0, match.start()) + 1:match.start()]
            start = _ZH_HEAD_START.match(head)
            head = head[start.end():] if start else head
            if 2 <= len(head) <= 10 or (len(head) == 1 and match.group(0).startswith(_ZH_ONE_CHAR_ENDS)
                                        and head not in _ZH_ONE_CHAR_NOT):
                kinds.append(head)
        for kind in kinds:
            if _ZH_GENERIC.sub("", kind) and not _ZH_NOT_A_NAME.search(kind) and not _OWN_TRADE.search(kind):
                return True
    match = _EN_NAMED.match(normalized)
    if match:
        words = match.group("kind").split()
        if not (_EN_BREAK.intersection(words) or _EN_NOT_A_NAME.intersection(words)
                or _OWN_TRADE.search(match.group(0))):
            return any(word not in _EN_GENERIC for word in words)
    return False
