"""One function per award of the policy, named after the policy's own term.

Each formula reads a validated profile and writes to the Sheet it is given: the lines it grants,
the profile keys it needed but was not told (``missing``), and any note for the applicant.
Amounts are integer yuan; a percentage is applied as ``amount * percent // 100`` (whole yuan,
rounded down), so no float ever touches money. Every number comes from parameters.toml.

Every item, basis and note is written twice, Chinese then English, as a pair ``(zh, en)``; the
sheet keeps the one of its language. Amounts are 万元/亿元 in Chinese and "RMB 800,000" in English.
"""
from __future__ import annotations

from .money import article_name, article_name_en, chinese_number, format_amount, format_percent, format_rmb, \
    format_wan
from .parameters import values

P = values().__getitem__  # P("rent_subsidy.yearly_cap") -> 800000

FIXED, UP_TO, MATCH, SERVICE = "fixed", "up_to", "match", "service"

Words = tuple[str, str]  # (Chinese, English)

RANKING_NAMES = {"global500": "世界500强企业", "china500": "中国500强企业",
                 "china_service500": "中国服务业500强企业"}
RANKING_NAMES_EN = {"global500": "a Fortune Global 500 company", "china500": "a China Top 500 company",
                    "china_service500": "a China Top 500 service company"}
LEVEL_NAMES = {"city": "市级", "national": "国家级"}
LEVEL_NAMES_EN = {"city": "city-level", "national": "national-level"}


class Sheet:
    """What the formulas found: lines, missing keys (in order, once each) and notes, in one language."""

    __slots__ = ("lines", "missing", "notes", "lang")

    def __init__(self, lang: str = "zh"):
        self.lines: list[dict] = []
        self.missing: list[str] = []
        self.notes: list[str] = []
        self.lang = lang

    def pick(self, words: Words) -> str:
        return words[1] if self.lang == "en" else words[0]

    def line(self, clause: int, item: Words, kind: str, low: int, high: int, basis: Words) -> None:
        self.lines.append({"clause": clause, "item": self.pick(item), "kind": kind, "min": low, "max": high,
                           "basis": self.pick(basis)})

    def need(self, *keys: str) -> None:
        for key in keys:
            if key not in self.missing:
                self.missing.append(key)

    def note(self, words: Words) -> None:
        text = self.pick(words)
        if text not in self.notes:
            self.notes.append(text)


class TotalsSheet(Sheet):
    """A Sheet that keeps only each line's clause, kind and amounts (no missing keys, no notes): for
    callers that need the totals alone (the interview's ranking tries about a hundred profiles per answer)."""

    __slots__ = ()

    def line(self, clause: int, item: Words, kind: str, low: int, high: int, basis: Words) -> None:
        self.lines.append({"clause": clause, "kind": kind, "min": low, "max": high})

    def need(self, *keys: str) -> None:
        pass

    def note(self, words: Words) -> None:
        pass


class Effective:
    """A revenue or contribution after article 18: this year's figure, or the growth for a relocated firm."""

    __slots__ = ("value", "needs", "_figures")

    def __init__(self, profile: dict, key: str, label: Words):
        this, prev_key = profile.get(key), key + "_prev"
        prev = profile.get(prev_key)
        relocated = profile.get("origin") == "relocated"
        self.needs = [k for k, v in ((key, this), (prev_key, prev if relocated else 0)) if v is None]
        if self.needs:
            self.value = None
        else:
            self.value = max(0, this - prev) if relocated else this
        self._figures = (label, this, prev if relocated else None)

    @property
    def phrase(self) -> Words:
        """How the figure was reached, as a basis quotes it. Written only when asked for: the
        interview's ranking makes thousands of these per answer and reads only ``value``."""
        if self.value is None:
            return ("", "")
        label, this, prev = self._figures
        if prev is None:
            return (f"{label[0]}{format_amount(this)}", f"{label[1]} of {format_rmb(this)}")
        growth = (format_amount(self.value), f" = {format_rmb(self.value)}") if this > prev else \
            ("0（未增长）", ", so no growth")
        return (f"区内迁入机构按当年度比上一年度新增部分计算（第十八条），{label[0]}"
                f"{format_amount(this)}−{format_amount(prev)}={growth[0]}",
                f"the growth in {label[1]} over the previous year, which is what counts for an "
                f"institution moved into the park from within the district (Article 18), "
                f"{format_rmb(this)} − {format_rmb(prev)}{growth[1]}")


def _steps_award(clause: int, figure: Effective, step: int, per_step: int, subject: Words,
                 award_en: str) -> tuple[int, Words]:
    """per_step for each full step of the figure (articles 3 and 11)."""
    steps = figure.value // step
    amount = steps * per_step
    head = (f"{article_name(clause)}：{figure.phrase[0]}，", f"{article_name_en(clause)}: {figure.phrase[1]}; ")
    if steps == 0:
        return 0, (f"{head[0]}未达到{format_amount(step)}，暂不能获得{subject[0]}。",
                   f"{head[1]}below {format_rmb(step)}, so no {award_en} yet.")
    return amount, (f"{head[0]}每满{format_amount(step)}{subject[0]}{format_wan(per_step)}，共{format_wan(amount)}。",
                    f"{head[1]}for each full {format_rmb(step)} {subject[1]} {format_rmb(per_step)}, "
                    f"in all {format_rmb(amount)}.")


# ---- 建园主体 -------------------------------------------------------------------------------

def construction_grant(profile: dict, sheet: Sheet) -> None:
    """第一条 建园资助：市级园一次性100万元，国家级园200万元；由市级升为国家级的给予差额。"""
    level = profile.get("park_level")
    if level is None:
        sheet.need("park_level")
        return
    if level == "none":
        return
    city, national = P("construction_grant.city"), P("construction_grant.national")
    if level == "city":
        sheet.line(1, ("建园资助（市级）", "Park construction grant (city level)"), FIXED, city, city,
                   (f"第一条：经认定为市级人力资源服务产业园，给予建园主体一次性{format_wan(city)}经费资助。",
                    f"Article 1: the park is recognised as a city-level HR service industrial park, so the park "
                    f"builder receives a one-time grant of {format_rmb(city)}."))
        return
    upgraded = profile.get("upgraded_from_city")
    if upgraded is None:
        sheet.need("upgraded_from_city")
    elif upgraded:
        diff = national - city
        sheet.line(1, ("建园资助（市级升国家级差额）", "Park construction grant (city to national, the difference)"),
                   FIXED, diff, diff,
                   (f"第一条：由市级认定为国家级人力资源服务产业园，给予差额资助"
                    f"{format_wan(national)}−{format_wan(city)}={format_wan(diff)}。",
                    f"Article 1: the park has been raised from city to national level, so the builder receives "
                    f"the difference, {format_rmb(national)} − {format_rmb(city)} = {format_rmb(diff)}."))
    else:
        sheet.line(1, ("建园资助（国家级）", "Park construction grant (national level)"), FIXED, national, national,
                   (f"第一条：经认定为国家级人力资源服务产业园，给予建园主体一次性{format_wan(national)}经费资助。",
                    f"Article 1: the park is recognised as a national-level HR service industrial park, so the "
                    f"park builder receives a one-time grant of {format_rmb(national)}."))


# ---- 运营单位 -------------------------------------------------------------------------------

def operating_subsidy(profile: dict, sheet: Sheet) -> None:
    """第二条 运营补贴：开园正常运营后每年50万元，最多3年。"""
    year = profile.get("operating_years")
    if year is None:
        sheet.need("operating_years")
        return
    yearly, max_years = P("operating_subsidy.yearly"), P("operating_subsidy.max_years")
    item = (f"运营补贴（第{year}年）", f"Operating subsidy (year {year})")
    if year <= max_years:
        sheet.line(2, item, FIXED, yearly, yearly,
                   (f"第二条：开园正常运营后每年给予运营单位一次性{format_wan(yearly)}运营补贴，"
                    f"最多不超过{max_years}年；现为第{year}年，可得{format_wan(yearly)}。",
                    f"Article 2: once the park operates normally, the operator receives a one-time operating "
                    f"subsidy of {format_rmb(yearly)} each year, for at most {max_years} years; this is year "
                    f"{year}, so {format_rmb(yearly)}."))
    else:
        sheet.line(2, item, FIXED, 0, 0,
                   (f"第二条：每年{format_wan(yearly)}的运营补贴最多不超过{max_years}年；"
                    f"现为第{year}年，已超过{max_years}年，不再补贴。",
                    f"Article 2: the yearly operating subsidy of {format_rmb(yearly)} is paid for at most "
                    f"{max_years} years; this is year {year}, beyond {max_years} years, so nothing."))
        sheet.note((f"第二条：运营补贴最多{max_years}年，第{year}年已不再享受。",
                    f"Article 2: the operating subsidy is paid for at most {max_years} years; year {year} "
                    f"no longer qualifies."))


def recognition_subsidy(profile: dict, sheet: Sheet) -> None:
    """第二条 认定运营补贴：园区认定为市级、国家级的，分别给予运营单位一次性100万元、200万元。"""
    level = profile.get("park_level")
    if level is None:
        sheet.need("park_level")
        return
    if level == "none":
        return
    amount = P(f"operating_subsidy.{level}")
    sheet.line(2, (f"认定运营补贴（{LEVEL_NAMES[level]}）", f"Recognition operating subsidy ({LEVEL_NAMES_EN[level]})"),
               FIXED, amount, amount,
               (f"第二条：产业园经认定为{LEVEL_NAMES[level]}人力资源服务产业园，"
                f"给予运营单位一次性{format_wan(amount)}运营补贴。",
                f"Article 2: the park is recognised as a {LEVEL_NAMES_EN[level]} HR service industrial park, so "
                f"the operator receives a one-time operating subsidy of {format_rmb(amount)}."))


def recruitment_subsidy(profile: dict, sheet: Sheet) -> None:
    """第三条 招商补贴：入驻机构营业收入总额每满5亿元，给予运营单位一次性10万元。"""
    total = profile.get("tenants_revenue")
    if total is None:
        sheet.need("tenants_revenue")
        return
    figure = Effective({"tenants_revenue": total}, "tenants_revenue", ("入驻机构营业收入总额", "the tenants' total revenue"))
    amount, basis = _steps_award(3, figure, P("recruitment_subsidy.revenue_step"),
                                 P("recruitment_subsidy.per_step"), ("补贴运营单位", "the operator receives"),
                                 "recruitment subsidy")
    sheet.line(3, ("招商补贴", "Recruitment subsidy"), FIXED, amount, amount, basis)


# ---- 入驻机构 -------------------------------------------------------------------------------

def leading_firm_support(profile: dict, sheet: Sheet) -> None:
    """第四条 龙头骨干企业：500强中的人力资源服务机构入驻，最高200万元开办运营扶持、最高2000万元经费资助。"""
    if "ranking" not in profile:
        sheet.need("ranking")
        return
    ranking = profile["ranking"]
    if ranking is None:
        return
    startup, grant = P("leading_firm.startup_support"), P("leading_firm.contribution_grant")
    sheet.line(4, ("开办运营扶持", "Start-up operating support"), UP_TO, 0, startup,
               (f"第四条：{RANKING_NAMES[ranking]}中的人力资源服务机构注册入驻，给予最高{format_wan(startup)}开办运营扶持资金。",
                f"Article 4: as the HR service institution of {RANKING_NAMES_EN[ranking]} registered in the park, "
                f"the institution receives start-up operating support of up to {format_rmb(startup)}."))
    sheet.line(4, ("经济贡献资助", "Economic contribution grant"), UP_TO, 0, grant,
               (f"第四条：根据对我区的经济贡献，给予最高{format_wan(grant)}经费资助。",
                f"Article 4: depending on its economic contribution to the district, a grant of up to "
                f"{format_rmb(grant)}."))


def competition_awards(profile: dict, sheet: Sheet) -> None:
    """第四条 落地奖金（入驻前获奖，最高10万元）与第十条 大赛配套奖励（入驻后获奖，1:1匹配市级奖励）。"""
    award = profile.get("competition_city_award")
    if award is None:
        sheet.need("competition_city_award")
        return
    if award == 0:
        return
    before = profile.get("competition_before_joining")
    if before is None:
        sheet.need("competition_before_joining")
    elif before:
        bonus = P("leading_firm.landing_bonus")
        sheet.line(4, ("落地奖金", "Landing bonus"), UP_TO, 0, bonus,
                   (f"第四条：参加市级以上人力资源服务创新创业大赛获奖并获得市级奖励后注册入驻，"
                    f"给予最高{format_wan(bonus)}落地奖金。",
                    f"Article 4: having won a prize and a city award at a city-level or higher HR service "
                    f"innovation and entrepreneurship contest before registering in the park, the institution "
                    f"receives a landing bonus of up to {format_rmb(bonus)}."))
    else:
        amount = award * P("brand_award.competition_match")
        sheet.line(10, ("大赛配套奖励", "Contest matching award"), MATCH, amount, amount,
                   (f"第十条：入驻后参加市级以上人力资源服务创新创业大赛获奖，获得市级奖励{format_wan(award)}，"
                    f"按1:1匹配奖励{format_wan(amount)}。",
                    f"Article 10: after joining the park the institution won a prize at a city-level or higher HR "
                    f"service innovation and entrepreneurship contest with a city award of {format_rmb(award)}, "
                    f"matched 1:1 with {format_rmb(amount)}."))


def rent_subsidy(profile: dict, sheet: Sheet) -> None:
    """第五条 房租补贴：先缴后补，第一年90%、第二年80%、第三年50%，每年最高80万元，最多3年。"""
    year, rent = profile.get("park_year"), profile.get("rent_paid")
    max_years = P("rent_subsidy.max_years")
    if year is not None and year > max_years:
        sheet.line(5, (f"房租补贴（第{year}年）", f"Rent subsidy (year {year})"), FIXED, 0, 0,
                   (f"第五条：房租补贴期限最多不超过{max_years}年，第{year}年的房租不再补贴。",
                    f"Article 5: the rent subsidy is paid for at most {max_years} years; rent for year {year} "
                    f"is not subsidised."))
        sheet.note((f"第五条：房租补贴最多{max_years}年，入园第{year}年已不再享受。",
                    f"Article 5: the rent subsidy lasts at most {max_years} years; park year {year} no longer "
                    f"qualifies."))
        return
    if year is None:
        sheet.need("park_year")
    if rent is None:
        sheet.need("rent_paid")
    if year is None or rent is None:
        return
    rate, cap = P(f"rent_subsidy.rate_year_{year}"), P("rent_subsidy.yearly_cap")
    raw = rent * rate // 100
    amount = min(raw, cap)
    head = (f"第五条：第{chinese_number(year)}年按实际缴纳租金{format_wan(rent)}的{format_percent(rate)}补贴，"
            f"为{format_wan(raw)}，",
            f"Article 5: year {year}, {format_percent(rate)} of the {format_rmb(rent)} rent actually paid is "
            f"{format_rmb(raw)}, ")
    tail = ((f"超过每年{format_wan(cap)}上限，按{format_wan(cap)}计。",
             f"above the {format_rmb(cap)} yearly cap, so {format_rmb(cap)}.") if raw > cap
            else (f"未超过每年{format_wan(cap)}上限。", f"within the {format_rmb(cap)} yearly cap."))
    sheet.line(5, (f"房租补贴（第{year}年）", f"Rent subsidy (year {year})"), FIXED, amount, amount,
               (head[0] + tail[0], head[1] + tail[1]))


def talent_award(profile: dict, sheet: Sheet, revenue: Effective) -> None:
    """第六条 人才奖励：营业收入达到1亿元以上的，按主要管理人员（不超过3人）对我区经济贡献的100%奖励。"""
    managers = profile.get("manager_contributions")
    threshold = P("talent_award.revenue_threshold")
    if revenue.value is None:
        sheet.need(*revenue.needs)
        if managers is None:
            sheet.need("manager_contributions")
        return
    if revenue.value < threshold:
        if managers:
            sheet.note((f"第六条：营业收入达到{format_amount(threshold)}以上的机构，其主要管理人员才可享受人才奖励。",
                        f"Article 6: only the main managers of an institution with revenue of at least "
                        f"{format_rmb(threshold)} can receive talent awards."))
        return
    if managers is None:
        sheet.need("manager_contributions")
        return
    if not managers:
        return
    most = P("talent_award.max_managers")
    counted = sorted(managers, reverse=True)[:most]
    total = sum(counted)
    rate = P("talent_award.rate")
    amount = total * rate // 100
    if len(managers) > most:
        sheet.note((f"第六条：每家机构享受人才奖励的主要管理人员不超过{most}人，已按经济贡献最高的{most}人计算。",
                    f"Article 6: at most {most} main managers of each institution can receive talent awards; "
                    f"the {most} with the highest contributions were counted."))
    sheet.line(6, ("人才奖励（付给管理人员）", "Talent award (paid to the managers)"), FIXED, amount, amount,
               (f"第六条：{revenue.phrase[0]}，达到{format_amount(threshold)}以上；主要管理人员"
                f"（部门经理及以上，不超过{most}人）对我区经济贡献合计{format_wan(total)}，"
                f"按{format_percent(rate)}奖励{format_wan(amount)}，奖励给管理人员本人。",
                f"Article 6: {revenue.phrase[1]}, at least {format_rmb(threshold)}; the main managers "
                f"(department manager and above, at most {most}) contributed {format_rmb(total)} to the district "
                f"in all, rewarded at {format_percent(rate)} with {format_rmb(amount)}, paid to the managers "
                f"themselves."))


def key_firm_support(profile: dict, sheet: Sheet) -> None:
    """第七条 一企一策：对规模实力雄厚等重点机构另行给予重点扶持（金额另行议定）。"""
    sheet.line(7, ("一企一策重点扶持", "Focused support (one firm, one policy)"), SERVICE, 0, 0,
               ("第七条：对规模实力雄厚、带动性强的重点机构，按“一企一策”“一事一议”另行给予重点扶持，金额另行议定。",
                "Article 7: key institutions of great scale and strength that drive others receive further "
                "focused support decided case by case (\"one firm, one policy\"; \"one matter, one "
                "discussion\"); the amount is agreed separately."))


def matchmaking_services(profile: dict, sheet: Sheet) -> None:
    """第八、九、十五条：对接交流会、人力资源服务券、免费帮办代办——服务，不涉及资金。"""
    sheet.line(8, ("供需对接交流会", "Supply and demand matchmaking meetings"), SERVICE, 0, 0,
               ("第八条：产业园运营单位定期组织入驻机构与重点企业的对接交流会，集中推介服务产品。",
                "Article 8: the park operator regularly holds matchmaking meetings between the tenant "
                "institutions and key enterprises, where the tenants present their services."))
    sheet.line(9, ("人力资源服务券", "HR service vouchers"), SERVICE, 0, 0,
               ("第九条：定期向企业发放“人力资源服务券”，用于购买入驻机构的人才引进、求职招聘、人力资源外包等服务产品。",
                "Article 9: enterprises regularly receive \"HR service vouchers\" to buy the tenant institutions' "
                "services, such as talent recruitment, job seeking and hiring, and HR outsourcing."))
    sheet.line(15, ("免费帮办代办", "Free help with formalities"), SERVICE, 0, 0,
               ("第十五条：产业园运营单位免费协助入驻机构办理企业注册、税务登记、金融社保等相关业务，"
                "协助符合条件的入驻机构做好社保补贴、创业补贴、岗位补贴、职业培训补贴等政策申报工作。",
                "Article 15: the park operator helps institutions in the park free of charge with company "
                "registration, tax registration, finance and social insurance matters, and helps eligible "
                "institutions apply for social insurance subsidies, start-up subsidies, job subsidies, vocational "
                "training subsidies and the like."))


def brand_award(profile: dict, sheet: Sheet) -> None:
    """第十条 品牌奖励：评为年度品牌人力资源服务机构的，一次性给予最高20万元。"""
    selected = profile.get("brand_selected")
    if selected is None:
        sheet.need("brand_selected")
    elif selected:
        cap = P("brand_award.cap")
        sheet.line(10, ("品牌奖励", "Brand award"), UP_TO, 0, cap,
                   (f"第十条：评为年度品牌人力资源服务机构，一次性给予最高{format_wan(cap)}奖励。",
                    f"Article 10: selected as a brand HR service institution of the year, the institution "
                    f"receives a one-time award of up to {format_rmb(cap)}."))


def revenue_award(profile: dict, sheet: Sheet, revenue: Effective) -> None:
    """第十一条 营收奖励：年度营业收入达到1亿元奖励10万元，每增加1亿元再奖励10万元。"""
    if revenue.value is None:
        sheet.need(*revenue.needs)
        return
    amount, basis = _steps_award(11, revenue, P("revenue_award.revenue_step"), P("revenue_award.per_step"),
                                 ("奖励", "the institution receives"), "revenue award")
    sheet.line(11, ("营收奖励", "Revenue award"), FIXED, amount, amount, basis)


def listing_match(profile: dict, sheet: Sheet) -> None:
    """第十二条 上市配套：首次公开发行股票并上市、获得市财政补助后，按所获奖励资金1:1配套。"""
    subsidy = profile.get("ipo_city_subsidy")
    if subsidy is None:
        sheet.need("ipo_city_subsidy")
    elif subsidy > 0:
        amount = subsidy * P("listing_match.rate")
        sheet.line(12, ("上市配套", "Listing matching support"), MATCH, amount, amount,
                   (f"第十二条：首次公开发行股票并上市，获得市财政补助{format_wan(subsidy)}，"
                    f"按1:1配套支持{format_wan(amount)}。",
                    f"Article 12: after its initial public offering and listing the institution received a city "
                    f"financial award of {format_rmb(subsidy)}, matched 1:1 with {format_rmb(amount)}."))


def event_subsidy(profile: dict, sheet: Sheet) -> None:
    """第十三条 活动补贴：区级以上政府鼓励的活动，按不高于实际支出50%补贴，单项最高20万元。"""
    events = profile.get("events")
    if events is None:
        sheet.need("events")
        return
    rate, cap = P("event_subsidy.rate"), P("event_subsidy.cap_per_event")
    for number, cost in enumerate(events, start=1):
        half = cost * rate // 100
        amount = min(half, cap)
        tail = ((f"超过单项{format_wan(cap)}上限，最高可得{format_wan(cap)}。",
                 f"above the {format_rmb(cap)} cap per event, so at most {format_rmb(cap)}.") if half > cap
                else (f"最高可得{format_wan(amount)}。", f"so at most {format_rmb(amount)}."))
        sheet.line(13, (f"活动补贴（第{number}项）", f"Event subsidy (event {number})"), UP_TO, 0, amount,
                   (f"第十三条：活动实际支出{format_wan(cost)}，按不高于{format_percent(rate)}补贴为"
                    f"{format_wan(half)}，" + tail[0],
                    f"Article 13: the event actually cost {format_rmb(cost)}; a subsidy of at most "
                    f"{format_percent(rate)} is {format_rmb(half)}, " + tail[1]))


def facility_subsidy(profile: dict, sheet: Sheet) -> None:
    """第十四条 公共配套补贴：先缴后补，按园区公共设施实际费用的50%补贴，每年最高10万元。"""
    fees = profile.get("facility_fees")
    if fees is None:
        sheet.need("facility_fees")
        return
    rate, cap = P("facility_subsidy.rate"), P("facility_subsidy.yearly_cap")
    half = fees * rate // 100
    amount = min(half, cap)
    tail = ((f"超过每年{format_wan(cap)}上限，按{format_wan(cap)}计。",
             f"above the {format_rmb(cap)} yearly cap, so {format_rmb(cap)}.") if half > cap
            else (f"未超过每年{format_wan(cap)}上限。", f"within the {format_rmb(cap)} yearly cap."))
    sheet.line(14, ("公共配套补贴", "Public facility subsidy"), FIXED, amount, amount,
               (f"第十四条：公共配套设施实际费用{format_wan(fees)}的{format_percent(rate)}为{format_wan(half)}，"
                + tail[0],
                f"Article 14: {format_percent(rate)} of the {format_rmb(fees)} actually paid for the park's public "
                f"facilities is {format_rmb(half)}, " + tail[1]))
