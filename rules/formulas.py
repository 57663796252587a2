"""One function per award of the policy, named after the policy's own term.

Each formula reads a validated profile and writes to the Sheet it is given: the lines it grants,
the profile keys it needed but was not told (``missing``), and any note for the applicant.
Amounts are integer yuan; a percentage is applied as ``amount * percent // 100`` (whole yuan,
rounded down), so no float ever touches money. Every number comes from parameters.toml.
"""
from __future__ import annotations

from .money import article_name, chinese_number, format_amount, format_percent, format_wan
from .parameters import values

P = values().__getitem__  # P("rent_subsidy.yearly_cap") -> 800000

FIXED, UP_TO, MATCH, SERVICE = "fixed", "up_to", "match", "service"

RANKING_NAMES = {"global500": "世界500强企业", "china500": "中国500强企业",
                 "china_service500": "中国服务业500强企业"}
LEVEL_NAMES = {"city": "市级", "national": "国家级"}


class Sheet:
    """What the formulas found: lines, missing keys (in order, once each) and notes."""

    __slots__ = ("lines", "missing", "notes")

    def __init__(self):
        self.lines: list[dict] = []
        self.missing: list[str] = []
        self.notes: list[str] = []

    def line(self, clause: int, item: str, kind: str, low: int, high: int, basis: str) -> None:
        self.lines.append({"clause": clause, "item": item, "kind": kind, "min": low, "max": high,
                           "basis": basis})

    def need(self, *keys: str) -> None:
        for key in keys:
            if key not in self.missing:
                self.missing.append(key)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


class Effective:
    """A revenue or contribution after article 18: this year's figure, or the growth for a relocated firm."""

    __slots__ = ("value", "phrase", "needs")

    def __init__(self, profile: dict, key: str, label: str):
        this, prev_key = profile.get(key), key + "_prev"
        prev = profile.get(prev_key)
        relocated = profile.get("origin") == "relocated"
        self.needs = [k for k, v in ((key, this), (prev_key, prev if relocated else 0)) if v is None]
        if self.needs:
            self.value, self.phrase = None, ""
        elif relocated:
            self.value = max(0, this - prev)
            growth = format_amount(self.value) if this > prev else "0（未增长）"
            self.phrase = (f"区内迁入机构按当年度比上一年度新增部分计算（第十八条），{label}"
                           f"{format_amount(this)}−{format_amount(prev)}={growth}")
        else:
            self.value = this
            self.phrase = f"{label}{format_amount(this)}"


def _steps_award(clause: int, figure: Effective, step: int, per_step: int, subject: str) -> tuple[int, str]:
    """per_step for each full step of the figure (articles 3 and 11)."""
    steps = figure.value // step
    amount = steps * per_step
    head = f"{article_name(clause)}：{figure.phrase}，"
    if steps == 0:
        return 0, f"{head}未达到{format_amount(step)}，暂不能获得{subject}。"
    return amount, f"{head}每满{format_amount(step)}{subject}{format_wan(per_step)}，共{format_wan(amount)}。"


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
        sheet.line(1, "建园资助（市级）", FIXED, city, city,
                   f"第一条：经认定为市级人力资源服务产业园，给予建园主体一次性{format_wan(city)}经费资助。")
        return
    upgraded = profile.get("upgraded_from_city")
    if upgraded is None:
        sheet.need("upgraded_from_city")
    elif upgraded:
        diff = national - city
        sheet.line(1, "建园资助（市级升国家级差额）", FIXED, diff, diff,
                   f"第一条：由市级认定为国家级人力资源服务产业园，给予差额资助"
                   f"{format_wan(national)}−{format_wan(city)}={format_wan(diff)}。")
    else:
        sheet.line(1, "建园资助（国家级）", FIXED, national, national,
                   f"第一条：经认定为国家级人力资源服务产业园，给予建园主体一次性{format_wan(national)}经费资助。")


# ---- 运营单位 -------------------------------------------------------------------------------

def operating_subsidy(profile: dict, sheet: Sheet) -> None:
    """第二条 运营补贴：开园正常运营后每年50万元，最多3年。"""
    year = profile.get("operating_years")
    if year is None:
        sheet.need("operating_years")
        return
    yearly, max_years = P("operating_subsidy.yearly"), P("operating_subsidy.max_years")
    if year <= max_years:
        sheet.line(2, f"运营补贴（第{year}年）", FIXED, yearly, yearly,
                   f"第二条：开园正常运营后每年给予运营单位一次性{format_wan(yearly)}运营补贴，"
                   f"最多不超过{max_years}年；现为第{year}年，可得{format_wan(yearly)}。")
    else:
        sheet.line(2, f"运营补贴（第{year}年）", FIXED, 0, 0,
                   f"第二条：每年{format_wan(yearly)}的运营补贴最多不超过{max_years}年；"
                   f"现为第{year}年，已超过{max_years}年，不再补贴。")
        sheet.note(f"第二条：运营补贴最多{max_years}年，第{year}年已不再享受。")


def recognition_subsidy(profile: dict, sheet: Sheet) -> None:
    """第二条 认定运营补贴：园区认定为市级、国家级的，分别给予运营单位一次性100万元、200万元。"""
    level = profile.get("park_level")
    if level is None:
        sheet.need("park_level")
        return
    if level == "none":
        return
    amount = P(f"operating_subsidy.{level}")
    sheet.line(2, f"认定运营补贴（{LEVEL_NAMES[level]}）", FIXED, amount, amount,
               f"第二条：产业园经认定为{LEVEL_NAMES[level]}人力资源服务产业园，"
               f"给予运营单位一次性{format_wan(amount)}运营补贴。")


def recruitment_subsidy(profile: dict, sheet: Sheet) -> None:
    """第三条 招商补贴：入驻机构营业收入总额每满5亿元，给予运营单位一次性10万元。"""
    total = profile.get("tenants_revenue")
    if total is None:
        sheet.need("tenants_revenue")
        return
    figure = Effective({"tenants_revenue": total}, "tenants_revenue", "入驻机构营业收入总额")
    amount, basis = _steps_award(3, figure, P("recruitment_subsidy.revenue_step"),
                                 P("recruitment_subsidy.per_step"), "补贴运营单位")
    sheet.line(3, "招商补贴", FIXED, amount, amount, basis)


# ---- 入驻机构 -------------------------------------------------------------------------------

def leading_firm_support(profile: dict, sheet: Sheet) -> None:
    """第四条 龙头骨干企业：500强中的人力资源服务机构入驻，最高200万元开办运营扶持、最高2000万元经费资助。"""
    if "ranking" not in profile:
        sheet.need("ranking")
        return
    ranking = profile["ranking"]
    if ranking is None:
        return
    name = RANKING_NAMES[ranking]
    startup, grant = P("leading_firm.startup_support"), P("leading_firm.contribution_grant")
    sheet.line(4, "开办运营扶持", UP_TO, 0, startup,
               f"第四条：{name}中的人力资源服务机构注册入驻，给予最高{format_wan(startup)}开办运营扶持资金。")
    sheet.line(4, "经济贡献资助", UP_TO, 0, grant,
               f"第四条：根据对我区的经济贡献，给予最高{format_wan(grant)}经费资助。")


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
        sheet.line(4, "落地奖金", UP_TO, 0, bonus,
                   f"第四条：参加市级以上人力资源服务创新创业大赛获奖并获得市级奖励后注册入驻，"
                   f"给予最高{format_wan(bonus)}落地奖金。")
    else:
        amount = award * P("brand_award.competition_match")
        sheet.line(10, "大赛配套奖励", MATCH, amount, amount,
                   f"第十条：入驻后参加市级以上人力资源服务创新创业大赛获奖，获得市级奖励{format_wan(award)}，"
                   f"按1:1匹配奖励{format_wan(amount)}。")


def rent_subsidy(profile: dict, sheet: Sheet) -> None:
    """第五条 房租补贴：先缴后补，第一年90%、第二年80%、第三年50%，每年最高80万元，最多3年。"""
    year, rent = profile.get("park_year"), profile.get("rent_paid")
    max_years = P("rent_subsidy.max_years")
    if year is not None and year > max_years:
        sheet.line(5, f"房租补贴（第{year}年）", FIXED, 0, 0,
                   f"第五条：房租补贴期限最多不超过{max_years}年，第{year}年的房租不再补贴。")
        sheet.note(f"第五条：房租补贴最多{max_years}年，入园第{year}年已不再享受。")
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
            f"为{format_wan(raw)}，")
    tail = (f"超过每年{format_wan(cap)}上限，按{format_wan(cap)}计。" if raw > cap
            else f"未超过每年{format_wan(cap)}上限。")
    sheet.line(5, f"房租补贴（第{year}年）", FIXED, amount, amount, head + tail)


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
            sheet.note(f"第六条：营业收入达到{format_amount(threshold)}以上的机构，其主要管理人员才可享受人才奖励。")
        return
    if managers is None:
        sheet.need("manager_contributions")
        return
    if not managers:
        return
    most = P("talent_award.max_managers")
    counted = sorted(managers, reverse=True)[:most]
    total = sum(counted)
    amount = total * P("talent_award.rate") // 100
    if len(managers) > most:
        sheet.note(f"第六条：每家机构享受人才奖励的主要管理人员不超过{most}人，已按经济贡献最高的{most}人计算。")
    sheet.line(6, "人才奖励（付给管理人员）", FIXED, amount, amount,
               f"第六条：{revenue.phrase}，达到{format_amount(threshold)}以上；主要管理人员"
               f"（部门经理及以上，不超过{most}人）对我区经济贡献合计{format_wan(total)}，"
               f"按{format_percent(P('talent_award.rate'))}奖励{format_wan(amount)}，奖励给管理人员本人。")


def key_firm_support(profile: dict, sheet: Sheet) -> None:
    """第七条 一企一策：对规模实力雄厚等重点机构另行给予重点扶持（金额另行议定）。"""
    sheet.line(7, "一企一策重点扶持", SERVICE, 0, 0,
               "第七条：对规模实力雄厚、带动性强的重点机构，按“一企一策”“一事一议”另行给予重点扶持，金额另行议定。")


def matchmaking_services(profile: dict, sheet: Sheet) -> None:
    """第八、九、十五条：对接交流会、人力资源服务券、免费帮办代办——服务，不涉及资金。"""
    sheet.line(8, "供需对接交流会", SERVICE, 0, 0,
               "第八条：产业园运营单位定期组织入驻机构与重点企业的对接交流会，集中推介服务产品。")
    sheet.line(9, "人力资源服务券", SERVICE, 0, 0,
               "第九条：定期向企业发放“人力资源服务券”，用于购买入驻机构的人才引进、求职招聘、人力资源外包等服务产品。")
    sheet.line(15, "免费帮办代办", SERVICE, 0, 0,
               "第十五条：产业园运营单位免费协助办理企业注册、税务登记、金融社保及政策申报等业务。")


def brand_award(profile: dict, sheet: Sheet) -> None:
    """第十条 品牌奖励：评为年度品牌人力资源服务机构的，一次性给予最高20万元。"""
    selected = profile.get("brand_selected")
    if selected is None:
        sheet.need("brand_selected")
    elif selected:
        cap = P("brand_award.cap")
        sheet.line(10, "品牌奖励", UP_TO, 0, cap,
                   f"第十条：评为年度品牌人力资源服务机构，一次性给予最高{format_wan(cap)}奖励。")


def revenue_award(profile: dict, sheet: Sheet, revenue: Effective) -> None:
    """第十一条 营收奖励：年度营业收入达到1亿元奖励10万元，每增加1亿元再奖励10万元。"""
    if revenue.value is None:
        sheet.need(*revenue.needs)
        return
    amount, basis = _steps_award(11, revenue, P("revenue_award.revenue_step"), P("revenue_award.per_step"),
                                 "奖励")
    sheet.line(11, "营收奖励", FIXED, amount, amount, basis)


def listing_match(profile: dict, sheet: Sheet) -> None:
    """第十二条 上市配套：首次公开发行股票并上市、获得市财政补助后，按所获奖励资金1:1配套。"""
    subsidy = profile.get("ipo_city_subsidy")
    if subsidy is None:
        sheet.need("ipo_city_subsidy")
    elif subsidy > 0:
        amount = subsidy * P("listing_match.rate")
        sheet.line(12, "上市配套", MATCH, amount, amount,
                   f"第十二条：首次公开发行股票并上市，获得市财政补助{format_wan(subsidy)}，"
                   f"按1:1配套支持{format_wan(amount)}。")


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
        tail = (f"超过单项{format_wan(cap)}上限，最高可得{format_wan(cap)}。" if half > cap
                else f"最高可得{format_wan(amount)}。")
        sheet.line(13, f"活动补贴（第{number}项）", UP_TO, 0, amount,
                   f"第十三条：活动实际支出{format_wan(cost)}，按不高于{format_percent(rate)}补贴为"
                   f"{format_wan(half)}，" + tail)


def facility_subsidy(profile: dict, sheet: Sheet) -> None:
    """第十四条 公共配套补贴：先缴后补，按园区公共设施实际费用的50%补贴，每年最高10万元。"""
    fees = profile.get("facility_fees")
    if fees is None:
        sheet.need("facility_fees")
        return
    rate, cap = P("facility_subsidy.rate"), P("facility_subsidy.yearly_cap")
    half = fees * rate // 100
    amount = min(half, cap)
    tail = (f"超过每年{format_wan(cap)}上限，按{format_wan(cap)}计。" if half > cap
            else f"未超过每年{format_wan(cap)}上限。")
    sheet.line(14, "公共配套补贴", FIXED, amount, amount,
               f"第十四条：公共配套设施实际费用{format_wan(fees)}的{format_percent(rate)}为{format_wan(half)}，"
               + tail)
