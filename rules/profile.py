"""The applicant profile: its vocabulary (PROFILE_KEYS) and its validation (see RULES.md).

Every key but ``role`` is optional; an absent key, or null, means "not told" — except ``ranking``,
where null is an answer ("not one of the three 500 lists").
"""
from __future__ import annotations

import datetime as dt

ROLES = ("institution", "operator", "builder")
ROLE_NAMES = {"institution": "入驻的人力资源服务机构", "operator": "产业园运营单位", "builder": "建园主体"}
ROLE_NAMES_EN = {"institution": "HR service institution in the park", "operator": "park operator",
                 "builder": "park builder"}

# type: choice | date | bool | yuan (int ≥ 0) | count (int ≥ 1) | yuan_list
# meaning: Chinese, meaning_en: English (shown under "missing")
# roles: the roles for which the key matters (the interview asks only these)
_I, _O, _B = ("institution",), ("operator",), ("builder",)
PROFILE_KEYS: dict[str, dict] = {
    "role": {"type": "choice", "choices": ROLES, "articles": (), "roles": ROLES,
             "meaning": "申请主体：入驻的人力资源服务机构 / 产业园运营单位 / 建园主体",
             "meaning_en": ("applicant: an HR service institution in the park / the park operator / the park "
                            "builder")},
    "as_of": {"type": "date", "articles": (19,), "roles": ROLES, "meaning": "估算所依据的日期（默认今天）",
              "meaning_en": "the date of the estimate (default today)"},
    "registered_in_park": {"type": "bool", "articles": (16,), "roles": _I,
                           "meaning": "是否在产业园内登记注册并实际入驻",
                           "meaning_en": "whether the institution is registered and actually located in the park"},
    "legal_person": {"type": "bool", "articles": (16,), "roles": _I, "meaning": "是否具有独立法人资格",
                     "meaning_en": "whether the institution is an independent legal person"},
    "independent_accounting": {"type": "bool", "articles": (16,), "roles": _I, "meaning": "是否实行独立核算",
                               "meaning_en": "whether the institution keeps independent accounts"},
    "sound_finance": {"type": "bool", "articles": (16,), "roles": _I, "meaning": "是否有健全的财务制度",
                      "meaning_en": "whether the institution has a sound financial system"},
    "origin": {"type": "choice", "choices": ("new", "relocated"), "articles": (18,), "roles": _I,
               "meaning": "从区外新引进或在产业园新注册成立（new），还是区内已有机构迁入产业园（relocated）",
               "meaning_en": ("newly brought in from outside the district or newly founded in the park (new), or "
                              "already in the district and moved into the park (relocated)")},
    "revenue": {"type": "yuan", "articles": (6, 11, 18), "roles": _I, "meaning": "当年度营业收入（元）",
                "meaning_en": "this year's revenue (yuan)"},
    "revenue_prev": {"type": "yuan", "articles": (18,), "roles": _I, "meaning": "上一年度营业收入（元）",
                     "meaning_en": "last year's revenue (yuan)"},
    "contribution": {"type": "yuan", "articles": (4, 17, 18), "roles": _I,
                     "meaning": "当年度对我区的年度综合经济贡献（元）",
                     "meaning_en": "this year's overall economic contribution to the district (yuan)"},
    "contribution_prev": {"type": "yuan", "articles": (18,), "roles": _I,
                          "meaning": "上一年度对我区的经济贡献（元）",
                          "meaning_en": "last year's economic contribution to the district (yuan)"},
    "park_year": {"type": "count", "articles": (5,), "roles": _I, "meaning": "房租所属的入园年度（1 为第一年）",
                  "meaning_en": "the year in the park the rent is for (1 is the first year)"},
    "rent_paid": {"type": "yuan", "articles": (5,), "roles": _I, "meaning": "该年度实际缴纳的租金（元）",
                  "meaning_en": "the rent actually paid for that year (yuan)"},
    "ranking": {"type": "choice", "choices": ("global500", "china500", "china_service500"), "nullable": True,
                "articles": (4,), "roles": _I,
                "meaning": "是否为世界500强 / 中国500强 / 中国服务业500强企业中的人力资源服务机构（都不是为 null）",
                "meaning_en": ("whether the institution is the HR service arm of a Fortune Global 500 / China Top"
                               " 500 / China Top 500 service company (null if none)")},
    "competition_city_award": {"type": "yuan", "articles": (4, 10), "roles": _I,
                               "meaning": "市级以上人力资源服务创新创业大赛获奖所得市级奖励（元，未获奖为 0）",
                               "meaning_en": ("the city award for a prize at a city-level or higher HR service "
                                              "innovation and entrepreneurship contest (yuan, 0 if none)")},
    "competition_before_joining": {"type": "bool", "articles": (4, 10), "roles": _I,
                                   "meaning": "大赛获奖是否在注册入驻产业园之前",
                                   "meaning_en": ("whether the contest prize was won before registering in the "
                                                  "park")},
    "ipo_city_subsidy": {"type": "yuan", "articles": (12,), "roles": _I,
                         "meaning": "首次公开发行股票并上市后获得的市财政补助（元，未上市为 0）",
                         "meaning_en": ("the city financial award received after an initial public offering and "
                                        "listing (yuan, 0 if not listed)")},
    "events": {"type": "yuan_list", "articles": (13,), "roles": ("institution", "operator"),
               "meaning": "本年度举办的区级以上政府鼓励活动，每项活动的实际支出总费用（元）",
               "meaning_en": ("the actual total cost of each event encouraged by the district or higher "
                              "government held this year (yuan)")},
    "facility_fees": {"type": "yuan", "articles": (14,), "roles": _I,
                      "meaning": "本年度使用园区会议室、培训室、招聘大厅等公共配套设施的实际费用（元）",
                      "meaning_en": ("this year's actual fees for the park's meeting rooms, training rooms, "
                                     "recruitment hall and other public facilities (yuan)")},
    "manager_contributions": {"type": "yuan_list", "articles": (6,), "roles": _I,
                              "meaning": "每位主要管理人员（部门经理及以上）对我区的经济贡献（元）",
                              "meaning_en": ("each main manager's (department manager and above) economic "
                                             "contribution to the district (yuan)")},
    "brand_selected": {"type": "bool", "articles": (10,), "roles": _I, "meaning": "是否评为年度品牌人力资源服务机构",
                       "meaning_en": "whether the institution was selected as a brand HR service institution of the year"},
    "operating_years": {"type": "count", "articles": (2,), "roles": _O, "meaning": "产业园开园正常运营的第几年",
                        "meaning_en": "which year of normal operation since the park opened"},
    "park_level": {"type": "choice", "choices": ("none", "city", "national"), "articles": (1, 2),
                   "roles": ("operator", "builder"), "meaning": "产业园认定级别：未认定 / 市级 / 国家级",
                                                     "meaning_en": ("the park's recognition: none / city level / "
                                                                    "national level")},
    "upgraded_from_city": {"type": "bool", "articles": (1,), "roles": _B,
                           "meaning": "产业园是否由市级认定为国家级",
                           "meaning_en": "whether the park was raised from city to national recognition"},
    "tenants_revenue": {"type": "yuan", "articles": (3,), "roles": _O,
                        "meaning": "本年度入驻产业园的人力资源服务机构营业收入总额（元）",
                        "meaning_en": ("this year's total revenue of the HR service institutions in the park "
                                       "(yuan)")},
}

# (English, Chinese) descriptions of what each type expects, for the one-line error.
_EXPECTED = {
    "bool": ("true or false", "true 或 false"),
    "yuan": ("a non-negative whole number of yuan", "非负整数（元）"),
    "count": ("a whole number ≥ 1", "不小于1的整数"),
    "yuan_list": ("a list of non-negative whole numbers of yuan", "非负整数（元）组成的列表"),
    "date": ("a date YYYY-MM-DD", "YYYY-MM-DD 格式的日期"),
}


class ProfileError(ValueError):
    """A profile that is not valid: ``key`` names the field, ``expected`` says what it should be."""

    def __init__(self, key: str, expected: str, expected_zh: str | None = None, message: str | None = None):
        self.key = key
        self.expected = expected
        self.expected_zh = expected_zh or expected
        super().__init__(message or f"档案字段 {key} 应为：{self.expected_zh} (profile key '{key}': expected {expected})")


def _is_int(value) -> bool:
    return type(value) is int  # bool is a subclass of int, and true is not a number of yuan


def parse_date(key: str, value) -> dt.date:
    """A YYYY-MM-DD string (or a date) as a date; ProfileError otherwise."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ProfileError(key, *_EXPECTED["date"])


def _check(key: str, spec: dict, value) -> None:
    kind = spec["type"]
    if kind == "choice":
        if value is None and spec.get("nullable"):
            return
        if not isinstance(value, str) or value not in spec["choices"]:
            shown = " | ".join(spec["choices"]) + (" | null" if spec.get("nullable") else "")
            raise ProfileError(key, f"one of {shown}", f"以下之一：{shown}")
    elif kind == "bool":
        if not isinstance(value, bool):
            raise ProfileError(key, *_EXPECTED["bool"])
    elif kind == "yuan":
        if not _is_int(value) or value < 0:
            raise ProfileError(key, *_EXPECTED["yuan"])
    elif kind == "count":
        if not _is_int(value) or value < 1:
            raise ProfileError(key, *_EXPECTED["count"])
    elif kind == "yuan_list":
        if not isinstance(value, list):
            raise ProfileError(key, *_EXPECTED["yuan_list"])
        for index, item in enumerate(value):
            if not _is_int(item) or item < 0:
                raise ProfileError(f"{key}[{index}]", *_EXPECTED["yuan"])
    elif kind == "date":
        parse_date(key, value)


def validate_profile(profile) -> dict:
    """Check a profile (a dict as decoded from JSON) and return it without its untold (null) keys.

    Raises ProfileError(key, expected) on the first problem: not an object, an unknown key,
    no role, a wrong type, negative money, a count below 1, a bad choice or date.
    """
    if not isinstance(profile, dict):
        raise ProfileError("(profile)", "a JSON object {...}", "JSON 对象 {...}",
                           message="档案应为 JSON 对象 {...} (the profile must be a JSON object {...})")
    for key in profile:
        if key not in PROFILE_KEYS:
            known = ", ".join(PROFILE_KEYS)
            raise ProfileError(str(key), f"one of the profile keys: {known}", f"档案字段之一：{known}",
                               message=f"档案中没有字段 {key} (unknown profile key '{key}'; the keys are: {known})")
    if profile.get("role") is None:
        raise ProfileError("role", "one of " + " | ".join(ROLES) + " (required)",
                           "以下之一（必填）：" + " | ".join(ROLES))
    told = {}
    for key, value in profile.items():
        spec = PROFILE_KEYS[key]
        if value is None and not spec.get("nullable"):
            continue  # null means "not told"
        _check(key, spec, value)
        told[key] = value
    return told
