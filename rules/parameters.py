"""The policy's numbers, loaded from parameters.toml (one table per number, article and quote beside it)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

PARAMETERS_FILE = Path(__file__).with_name("parameters.toml")
UNITS = {"yuan", "percent", "year", "person", "day", "match", "date"}


@dataclass(frozen=True)
class Parameter:
    name: str            # dotted, e.g. "rent_subsidy.yearly_cap"
    value: int | dt.date
    unit: str
    article: int
    quote: str | None    # the policy's own words; None for a project reading
    reading: str | None  # why the project chose the value, when the policy does not state it
    since: dt.date


def _flatten(table: dict, prefix: str = ""):
    for key, item in table.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict) and "value" in item:
            yield name, item
        elif isinstance(item, dict):
            yield from _flatten(item, name + ".")
        else:
            raise ValueError(f"{PARAMETERS_FILE.name}: {name} is not a parameter table")


def load_parameters(path: Path = PARAMETERS_FILE) -> dict[str, Parameter]:
    """Read and check the parameter file; a malformed entry raises ValueError naming it."""
    with open(path, "rb") as handle:
        raw = tomllib.load(handle)
    params: dict[str, Parameter] = {}
    for name, item in _flatten(raw):
        unknown = set(item) - {"value", "unit", "article", "quote", "reading", "since"}
        if unknown:
            raise ValueError(f"{path.name}: {name} has unknown fields {sorted(unknown)}")
        unit = item.get("unit")
        if unit not in UNITS:
            raise ValueError(f"{path.name}: {name}.unit must be one of {sorted(UNITS)}")
        value = item["value"]
        # Money and rates are integers so that arithmetic stays exact; dates are dates.
        wanted = dt.date if unit == "date" else int
        if not isinstance(value, wanted) or isinstance(value, bool):
            raise ValueError(f"{path.name}: {name}.value must be a {wanted.__name__} for unit {unit}")
        if ("quote" in item) == ("reading" in item):
            raise ValueError(f"{path.name}: {name} needs exactly one of quote (policy words) or reading")
        since = item.get("since")
        if not isinstance(since, dt.date):
            raise ValueError(f"{path.name}: {name}.since must be a date")
        params[name] = Parameter(name, value, unit, int(item["article"]), item.get("quote"),
                                 item.get("reading"), since)
    return params


@lru_cache(maxsize=1)
def parameters() -> dict[str, Parameter]:
    return load_parameters()


def value(name: str):
    """The value of one parameter, e.g. value("rent_subsidy.yearly_cap") -> 800000."""
    return parameters()[name].value


@lru_cache(maxsize=1)
def values() -> dict:
    """name -> value of every parameter (the formulas read this on every estimate)."""
    return {name: param.value for name, param in parameters().items()}
