"""The estimate: article 16 gate, the formulas of the applicant's role, the article 17 cap, article 19 validity."""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from . import formulas as f
from .money import article_name, article_name_en, format_date, format_date_en, format_rmb, format_wan, join_en
from .parameters import values

P = values().__getitem__  # P("rent_subsidy.yearly_cap") -> 800000
from .profile import PROFILE_KEYS, parse_date, validate_profile

# Article 16 conditions, in the policy's order, with the words used when one fails (Chinese, English).
GATE = (
    ("registered_in_park", "在西青区人力资源服务产业园内登记注册并实际入驻",
     "registration and actual presence in the Xiqing HR Service Industrial Park"),
    ("sound_finance", "有健全的财务制度", "a sound financial system"),
    ("legal_person", "具有独立法人资格", "independent legal person status"),
    ("independent_accounting", "实行独立核算", "independent accounting"),
)
AUTHORITY_EN = "the Xiqing District Human Resources and Social Security Bureau"

# Lines paid to the institution itself that article 17 ties to its contribution. Rent (5) and
# events (13) are exempt by the text; talent awards (6) go to the managers; services carry no money.
CAPPED_CLAUSES = frozenset({4, 10, 11, 12, 14})
# Lines paid to people, not to the institution: the article 6 talent award goes to the managers.
PERSONAL_CLAUSES = frozenset({6})
UP_TO_NOTE = ("标注“最高”的金额是政策上限（第四条、第十条、第十三条），实际金额由区里在上限内确定，可能低于上限。",
              "Amounts marked \"up to\" are the policy's ceilings (Articles 4, 10 and 13); the district sets "
              "the actual amount within them, and it may be lower.")
NO_DOUBLE_NOTE = ("第十七条：可同时享受国家、天津市其他优惠政策；与我区其他政策有重复、交叉的，"
                  "按“从新、从优、从高、不重复”的原则执行，同一事项不重复享受。",
                  "Article 17: national and Tianjin policies can be enjoyed at the same time; where other "
                  "district policies overlap with this one, the newest, most favourable and highest applies, "
                  "and the same matter is not paid twice.")


def _revenue(profile: dict) -> f.Effective:
    return f.Effective(profile, "revenue", ("营业收入", "revenue"))


def _talent_award(profile: dict, sheet: f.Sheet) -> None:
    f.talent_award(profile, sheet, _revenue(profile))


def _revenue_award(profile: dict, sheet: f.Sheet) -> None:
    f.revenue_award(profile, sheet, _revenue(profile))


# Each role's award formulas, in the policy's order. Each is a function of the profile alone, so
# the ranking (most_valuable_missing) re-runs for a trial profile only those that read a key it sets.
ROLE_AWARDS = {
    "institution": (f.leading_firm_support, f.competition_awards, f.rent_subsidy, _talent_award,
                    f.key_firm_support, f.matchmaking_services, f.brand_award, _revenue_award, f.listing_match,
                    f.event_subsidy, f.facility_subsidy),
    "operator": (f.operating_subsidy, f.recognition_subsidy, f.recruitment_subsidy, f.event_subsidy),
    "builder": (f.construction_grant,),
}


def _institution(profile: dict, sheet: f.Sheet) -> None:
    for award in ROLE_AWARDS["institution"]:
        award(profile, sheet)
    if "origin" not in profile and ("revenue" in profile or "contribution" in profile):
        sheet.note(("第十八条：未说明是新引进还是区内迁入，按新引进机构的当年度数额计算；"
                    "区内已有机构迁入的，只按比上一年度新增部分计算。",
                    "Article 18: you did not say whether the institution is newly brought in or moved into the "
                    "park from within the district, so this year's full figures are used; an institution "
                    "already in the district that moves into the park counts only the growth over the "
                    "previous year."))


def _operator(profile: dict, sheet: f.Sheet) -> None:
    for award in ROLE_AWARDS["operator"]:
        award(profile, sheet)


def _builder(profile: dict, sheet: f.Sheet) -> None:
    for award in ROLE_AWARDS["builder"]:
        award(profile, sheet)


ROLE_FORMULAS = {"institution": _institution, "operator": _operator, "builder": _builder}


def eligibility(profile: dict, lang: str = "zh") -> tuple[bool, list[str], list[str]]:
    """Article 16 for an institution: (eligible, reasons for each failed condition, untold conditions)."""
    if profile["role"] != "institution":
        return True, [], []
    reasons, untold = [], []
    for key, words, words_en in GATE:
        told = profile.get(key)
        if told is False:
            reasons.append(f"Article 16: the policy applies only to HR service institutions with {words_en}; "
                           f"this institution does not meet this condition ({key} is false)." if lang == "en" else
                           f"第十六条：本政策适用于{words}的人力资源服务机构，本机构不符合（{key} 为 false）。")
        elif told is None:
            untold.append(words_en if lang == "en" else words)
    return not reasons, reasons, untold


class Cap:
    """What article 17 did to the totals: the totals after it, and how much it cut from which articles."""

    __slots__ = ("total_min", "total_max", "cut_min", "cut_max", "clauses", "capped_max")

    def __init__(self, total_min: int, total_max: int, cut_min: int = 0, cut_max: int = 0,
                 clauses: tuple[int, ...] = (), capped_max: int = 0):
        self.total_min, self.total_max = total_min, total_max
        self.cut_min, self.cut_max, self.clauses = cut_min, cut_max, list(clauses)
        self.capped_max = capped_max  # the lines article 17 limits, before the cut (at most)

    @property
    def capped(self) -> bool:
        return bool(self.cut_min or self.cut_max)


def _line_names(lines: list[dict], lang: str) -> str:
    """"第十条品牌奖励、第十一条营收奖励" / "Article 10 Brand award and Article 11 Revenue award"."""
    if lang == "en":
        return join_en([f"{article_name_en(line['clause'])} {line['item']}" for line in lines])
    return "、".join(f"{article_name(line['clause'])}{line['item']}" for line in lines)


def _line_sums(lines: list[dict]) -> tuple[int, int, int, int]:
    """(total min, total max, and the same of the lines article 17 limits) of some award lines."""
    total_min = total_max = capped_min = capped_max = 0
    for line in lines:
        total_min += line["min"]
        total_max += line["max"]
        if line["clause"] in CAPPED_CLAUSES:
            capped_min += line["min"]
            capped_max += line["max"]
    return total_min, total_max, capped_min, capped_max


def _contribution(profile: dict) -> f.Effective:
    return f.Effective(profile, "contribution", ("对我区的年度综合贡献", "the yearly overall contribution to the district"))


def _cut(capped_min: int, capped_max: int, held_to: int) -> tuple[int, int]:
    """How much article 17 takes off the limited lines' min and max when held to ``held_to``."""
    return capped_min - min(capped_min, held_to), capped_max - min(capped_max, held_to)


def contribution_cap(profile: dict, lines: list[dict]) -> tuple[Cap, f.Effective | None]:
    """Article 17's arithmetic, no text: the totals after the cap, and the contribution it was held
    to (None for a role the article does not limit)."""
    total_min, total_max, capped_min, capped_max = _line_sums(lines)
    if profile["role"] != "institution":
        return Cap(total_min, total_max), None
    contribution = _contribution(profile)
    if contribution.value is None:
        return Cap(total_min, total_max, capped_max=capped_max), contribution
    cut_min, cut_max = _cut(capped_min, capped_max, contribution.value)
    if not (cut_min or cut_max):
        return Cap(total_min, total_max, capped_max=capped_max), contribution
    clauses = tuple(sorted({line["clause"] for line in lines if line["clause"] in CAPPED_CLAUSES and line["max"]}))
    return Cap(total_min - cut_min, total_max - cut_max, cut_min, cut_max, clauses, capped_max), contribution


def apply_contribution_cap(profile: dict, lines: list[dict], sheet: f.Sheet) -> Cap:
    """Article 17: outside rent and events, an institution's yearly awards may not exceed its contribution."""
    cap, contribution = contribution_cap(profile, lines)
    if contribution is None:
        return cap
    if contribution.value is None:
        sheet.need(*contribution.needs)
        if cap.capped_max:
            untold = [(PROFILE_KEYS[key]["meaning"].removesuffix("（元）"),
                       PROFILE_KEYS[key]["meaning_en"].removesuffix(" (yuan)")) for key in contribution.needs]
            sheet.note(("第十七条：除房租、活动补贴外，年度兑现规模须与对我区的年度综合贡献相匹配；"
                        f"尚缺{'、'.join(zh for zh, _ in untold)}，以上金额未按此核减。",
                        "Article 17: apart from the rent and event subsidies, the awards paid in a year must match "
                        "the yearly overall contribution to the district; not yet told: "
                        f"{join_en([en for _, en in untold])}, so the amounts above are not reduced for it."))
        return cap
    if not cap.capped:
        return cap
    cut_lines = [line for line in lines if line["clause"] in CAPPED_CLAUSES and line["max"]]
    names = (_line_names(cut_lines, "zh"), _line_names(cut_lines, "en"))
    capped_max, cut_max, held_to = cap.capped_max, cap.cut_max, contribution.value
    sheet.note((f"第十七条：{names[0]}合计最多{format_wan(capped_max)}，超过{contribution.phrase[0]}，"
                f"核减{format_wan(cut_max)}，按{format_wan(held_to)}计入机构可得"
                "（房租、活动补贴和付给管理人员本人的人才奖励不在此限）。",
                f"Article 17: {names[1]} come to at most {format_rmb(capped_max)}, more than "
                f"{contribution.phrase[1]}; they are cut by {format_rmb(cut_max)}, so {format_rmb(held_to)} counts "
                "for the institution (rent and event subsidies, and talent awards paid to the managers "
                "themselves, are not limited by this)."))
    return cap


def validity_notes(as_of: dt.date, lang: str = "zh") -> tuple[bool, list[str]]:
    """Article 19: in force from the issue date to the end date; count the days when the end is near."""
    start, end = P("validity.start"), P("validity.end")
    en = lang == "en"
    if as_of < start:
        return False, [f"Article 19: the policy takes effect on its issue date, {format_date_en(start)}; on "
                       f"{format_date_en(as_of)} it was not yet in force, so the above is for reference only."
                       if en else
                       f"第十九条：本政策自{format_date(start)}印发之日起实施，{format_date(as_of)}尚未施行，以上仅供参考。"]
    if as_of > end:
        return False, [f"Article 19: the policy was valid until {format_date_en(end)} and is no longer in force on "
                       f"{format_date_en(as_of)}; the above follows the former policy and is for reference only. "
                       f"Ask {AUTHORITY_EN} about the policy now in force."
                       if en else
                       f"第十九条：本政策有效期至{format_date(end)}，{format_date(as_of)}已不再施行，"
                       "以上按原政策计算，仅供参考；现行政策请咨询区人社局。"]
    notes = [f"Article 19: the policy is valid until {format_date_en(end)}; it is interpreted by {AUTHORITY_EN} "
             "and may be revised when national, Tianjin or district policy changes."
             if en else
             f"第十九条：本政策有效期至{format_date(end)}，由区人社局负责解释，"
             "如遇国家、市和区相关政策调整可做相应修改。"]
    days_left = (end - as_of).days
    if days_left <= P("validity.warning_days"):
        notes.append(f"As of {format_date_en(as_of)}, {days_left} days remain until the policy expires; "
                     "apply early." if en else
                     f"截至{format_date(as_of)}，距政策有效期结束还有{days_left}天，请尽早申报。")
    return True, notes


def validity_headline(as_of: dt.date, lang: str = "zh") -> str | None:
    """The one line that opens every answer about an award outside the policy's term; None within it."""
    start, end = P("validity.start"), P("validity.end")
    en = lang == "en"
    if as_of > end:
        return (f"Note: this policy expired on {format_date_en(end)} and is no longer in force; ask "
                f"{AUTHORITY_EN} about the measures now in force." if en else
                f"提示：本政策有效期已于{format_date(end)}届满，现已不再施行；现行扶持措施请咨询"
                "西青区人力资源和社会保障局（区人社局）。")
    if as_of < start:
        return (f"Note: this policy takes effect on {format_date_en(start)} and is not yet in force on "
                f"{format_date_en(as_of)}; ask {AUTHORITY_EN} about the measures in force." if en else
                f"提示：本政策自{format_date(start)}起施行，{format_date(as_of)}尚未施行；现行扶持措施请咨询"
                "西青区人力资源和社会保障局（区人社局）。")
    return None


def compute(profile: dict, as_of: dt.date, lang: str = "zh") -> dict:
    """The estimate of an already validated profile on the given date (RULES.md output shape)."""
    role = profile["role"]
    sheet = f.Sheet(lang)
    eligible, reasons, untold_gate = eligibility(profile, lang)
    if eligible:
        ROLE_FORMULAS[role](profile, sheet)
        lines = sorted(sheet.lines, key=lambda line: line["clause"])
        cap = apply_contribution_cap(profile, lines, sheet)
        if untold_gate:
            sheet.note(("第十六条：未说明是否" + "、".join(untold_gate) + "，按符合条件计算。",
                        f"Article 16: you did not say whether the institution meets "
                        f"{'this condition' if len(untold_gate) == 1 else 'these conditions'}: "
                        f"{join_en(untold_gate)}; the estimate assumes it does."))
        if any(line["kind"] == f.UP_TO for line in lines):
            sheet.note(UP_TO_NOTE)
    else:
        lines, cap = [], Cap(0, 0)
        sheet.missing.clear()
        sheet.notes.clear()
    policy_valid, validity = validity_notes(as_of, lang)
    # Outside its term, that the policy is not in force comes first, not under the totals.
    notes = validity + sheet.notes + [sheet.pick(NO_DOUBLE_NOTE)] if not policy_valid else \
        sheet.notes + [sheet.pick(NO_DOUBLE_NOTE)] + validity
    personal_min = sum(line["min"] for line in lines if line["clause"] in PERSONAL_CLAUSES)
    personal_max = sum(line["max"] for line in lines if line["clause"] in PERSONAL_CLAUSES)
    return {
        "role": role,
        "as_of": as_of.isoformat(),
        "policy_valid": policy_valid,
        "eligible": eligible,
        "reasons": reasons,
        "lines": lines,
        "total_min": cap.total_min,
        "total_max": cap.total_max,
        "capped_by_contribution": cap.capped,
        "missing": sheet.missing,
        "notes": notes,
        # The total splits into what the institution gets and what is paid to people (article 6).
        "institution_min": cap.total_min - personal_min,
        "institution_max": cap.total_max - personal_max,
        "personal_min": personal_min,
        "personal_max": personal_max,
        "cap_cut_min": cap.cut_min,
        "cap_cut_max": cap.cut_max,
        "capped_clauses": cap.clauses,
    }


def totals(profile: dict, lines: list[dict] | None = None) -> tuple[int, int]:
    """(total_min, total_max) of ``compute`` for an already validated profile, by the same formulas
    but without writing any text (the interview's ranking tries about a hundred profiles per answer).
    ``lines``: the role's award lines when already worked out. The totals do not depend on the date:
    article 19 only adds notes."""
    if not eligibility(profile)[0]:
        return 0, 0
    if lines is None:
        sheet = f.TotalsSheet()
        ROLE_FORMULAS[profile["role"]](profile, sheet)
        lines = sheet.lines
    cap, _ = contribution_cap(profile, lines)
    return cap.total_min, cap.total_max


class _Reading(dict):
    """A profile that notes the keys looked up in it (``read``; None once it was read as a whole)."""

    __slots__ = ("read",)

    def __init__(self, profile: dict):
        super().__init__(profile)
        self.read: set[str] | None = set()

    def _note(self, key) -> None:
        if self.read is not None:
            self.read.add(key)

    def get(self, key, default=None):
        self._note(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key) -> bool:
        self._note(key)
        return super().__contains__(key)

    # Whatever looks at the profile as a whole (its keys, values, size) may depend on any key.
    def __iter__(self):
        self.read = None
        return super().__iter__()

    def __len__(self) -> int:
        self.read = None
        return super().__len__()

    def keys(self):
        self.read = None
        return super().keys()

    def items(self):
        self.read = None
        return super().items()

    def values(self):
        self.read = None
        return super().values()


def _reading(work, profile: dict) -> tuple:
    """(``work(profile)``, the keys it looked up in the profile; None when it read it as a whole)."""
    reading = _Reading(profile)
    result = work(reading)
    return result, None if reading.read is None else frozenset(reading.read)


def _sums_of(award):
    """The award formula as a function of the profile alone giving its lines' _line_sums."""
    def sums(profile: dict) -> tuple[int, int, int, int]:
        sheet = f.TotalsSheet()
        award(profile, sheet)
        return _line_sums(sheet.lines)
    return sums


AWARD_SUMS = {role: tuple(_sums_of(award) for award in awards) for role, awards in ROLE_AWARDS.items()}


def _gate(profile: dict) -> bool:
    return eligibility(profile)[0]


def _held_to(profile: dict) -> int | None:
    return _contribution(profile).value


class _Trials:
    """``totals`` of the told profile with a few keys added (not its role), for the ranking.

    ``totals`` is worked out in parts, each a function of the profile alone: article 16's gate,
    each award's _line_sums, and for an institution the contribution article 17 holds it to. A
    part that read none of the added keys when worked out for the told profile has the same value
    for the trial profile, so only the parts that read an added key are worked out again, and the
    trial's sums are the told ones with those awards' differences."""

    def __init__(self, told: dict):
        self.told = told
        self.gate = _reading(_gate, told)
        self.held = _reading(_held_to, told) if told["role"] == "institution" else None
        self.awards = [(sums, *_reading(sums, told)) for sums in AWARD_SUMS[told["role"]]]
        self.sums = tuple(map(sum, zip(*(value for _, value, _ in self.awards))))
        # key -> the awards that read it; those that read the profile as a whole redo for any key.
        self.readers: dict[str, list[int]] = {}
        self.always = [i for i, (_, _, read) in enumerate(self.awards) if read is None]
        for i, (_, _, read) in enumerate(self.awards):
            for key in read or ():
                self.readers.setdefault(key, []).append(i)

    @staticmethod
    def _redo(part: tuple, added: dict) -> bool:
        read = part[1]
        return read is None or not read.isdisjoint(added)

    def totals(self, added: dict) -> tuple[int, int]:
        """(total_min, total_max) of the told profile with ``added`` set; the sums and the cut are
        those of ``contribution_cap``."""
        trial = {**self.told, **added}
        if not (_gate(trial) if self._redo(self.gate, added) else self.gate[0]):
            return 0, 0
        redo = set(self.always)
        for key in added:
            redo.update(self.readers.get(key, ()))
        total_min, total_max, capped_min, capped_max = self.sums
        for i in redo:
            work, old, _ = self.awards[i]
            new = work(trial)
            total_min += new[0] - old[0]
            total_max += new[1] - old[1]
            capped_min += new[2] - old[2]
            capped_max += new[3] - old[3]
        if self.held is None:        # a role article 17 does not limit
            return total_min, total_max
        held_to = _held_to(trial) if self._redo(self.held, added) else self.held[0]
        if held_to is None:          # the contribution is not told: nothing is cut
            return total_min, total_max
        cut_min, cut_max = _cut(capped_min, capped_max, held_to)
        return total_min - cut_min, total_max - cut_max


def estimate(profile: dict, as_of: str | dt.date | None = None, lang: str = "zh") -> dict:
    """Validate the profile and estimate its awards. ``as_of`` overrides the profile's own, default today.

    ``lang="en"`` gives the same result with item, basis, reasons and notes in English (amounts as
    "RMB 800,000"); any other value gives the Chinese of RULES.md.
    """
    told = validate_profile(profile)
    if as_of is not None:
        day = parse_date("as_of", as_of)
    elif "as_of" in told:
        day = parse_date("as_of", told["as_of"])
    else:
        day = dt.date.today()
    return compute(told, day, "en" if lang == "en" else "zh")


# ---- "what if": which missing fact matters most ---------------------------------------------

# Values tried for an untold key. They are not policy facts, only a spread wide enough to show
# what each answer could change: small, middling and large firms.
_TRIAL_YUAN = (0, 500_000, 5_000_000, 50_000_000)
TRIAL_VALUES: dict[str, tuple] = {
    "revenue": (0, 100_000_000, 300_000_000, 1_000_000_000),
    "contribution": _TRIAL_YUAN,
    "rent_paid": (0, 300_000, 1_000_000),
    "park_year": (1, 2, 3, 4),
    "events": ((), (200_000,), (400_000, 400_000)),
    "facility_fees": (0, 100_000, 300_000),
    "manager_contributions": ((), (500_000, 300_000, 200_000)),
    "competition_city_award": (0, 100_000),
    "ipo_city_subsidy": (0, 1_000_000),
    "operating_years": (1, 4),
    "tenants_revenue": (0, 500_000_000, 2_000_000_000),
}


def _trials(key: str, profile: dict) -> tuple:
    spec = PROFILE_KEYS[key]
    if key.endswith("_prev"):
        # The previous year ranges from nothing to this year's figure (no growth).
        this = profile.get(key[: -len("_prev")])
        return (0,) if this is None else (0, this // 2, this)
    if key in TRIAL_VALUES:
        return tuple(list(v) if isinstance(v, tuple) else v for v in TRIAL_VALUES[key])
    if spec["type"] == "bool":
        return (True, False)
    if spec["type"] == "choice":
        return spec["choices"] + ((None,) if spec.get("nullable") else ())
    if spec["type"] == "yuan":
        return _TRIAL_YUAN
    return ()


# Keys that only change the estimate together with another: a rent needs its park year, a prize
# needs when it was won, a relocated firm's figure needs last year's, managers need the revenue gate.
COMPANIONS = {
    "park_year": "rent_paid", "rent_paid": "park_year",
    "competition_city_award": "competition_before_joining", "competition_before_joining": "competition_city_award",
    "revenue": "revenue_prev", "revenue_prev": "revenue",
    "contribution": "contribution_prev", "contribution_prev": "contribution",
    "manager_contributions": "revenue", "upgraded_from_city": "park_level", "park_level": "upgraded_from_city",
}


def _trial_bases(key: str, told: dict) -> list[dict]:
    """What to add to the profile both without the key and with it set to each plausible value:
    nothing, or with an untold companion each value of the companion, so the change is the key's own."""
    companion = COMPANIONS.get(key)
    if companion is None or companion in told:
        return [{}]
    return [{companion: value} for value in _trials(companion, told)]


def most_valuable_missing(profile: dict, as_of: str | dt.date | None = None,
                          keys: Collection[str] | None = None) -> list[str]:
    """The untold keys of the profile's role, ordered by how much knowing them could change total_max.

    Each untold key is tried with plausible values (TRIAL_VALUES, every choice, true/false; with its
    untold COMPANION when it only matters together with one); its weight is the largest change of
    total_max (then of total_min) any trial brings. Keys that change nothing in any trial are left
    out. Ties keep the order of PROFILE_KEYS. With ``keys``, only those are weighed: the same list
    without the other keys (a key's weight does not depend on the others'), for less work when the
    interview chooses between a few questions.
    """
    told = validate_profile(profile)
    if as_of is not None:
        parse_date("as_of", as_of)  # refused as estimate() refuses it; the totals do not depend on the date
    role = told["role"]
    weights = []
    # Trial profiles repeat across keys (a key's trials are its companion's bases): each is computed
    # once, re-running only the award formulas that read a key the trial sets.
    trials = _Trials(told)
    totals_of: dict[tuple, tuple[int, int]] = {}

    def totals_with(added: dict) -> tuple[int, int]:
        marker = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in added.items()))
        if marker not in totals_of:
            totals_of[marker] = trials.totals(added)
        return totals_of[marker]

    for order, (key, spec) in enumerate(PROFILE_KEYS.items()):
        if key in told or key in ("role", "as_of") or role not in spec["roles"] or (keys is not None and key not in keys):
            continue
        best = (0, 0)
        for base in _trial_bases(key, told):
            before_min, before_max = totals_with(base)
            for trial in _trials(key, {**told, **base}):
                after_min, after_max = totals_with({**base, key: trial})
                best = max(best, (abs(after_max - before_max), abs(after_min - before_min)))
        if best > (0, 0):
            weights.append((best, order, key))
    weights.sort(key=lambda item: (-item[0][0], -item[0][1], item[1]))
    return [key for _, _, key in weights]
