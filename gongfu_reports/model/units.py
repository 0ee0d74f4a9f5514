"""The unit registry: one canonical name per unit, with the aliases found in real documents."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from ..errors import GongfuError, Place
from ..files.text import invisible_error

# Unit lists are written "市发改委、市经信局" (and sometimes with spaces or commas).
_SPLIT = re.compile(r"[、，,；;\s]+")


@dataclass(frozen=True)
class Unit:
    name: str
    full_name: str = ""
    aliases: tuple[str, ...] = field(default=())
    group: bool = False   # 类型: 集合 — names a set of units ("各县（区）政府")


def unit_key(name: str) -> str:
    """How a unit name is looked up: Unicode NFKC, so that look-alike forms of the same name (a Kangxi
    radical “⽂” for “文”, full-width “ＡＢＣ” for “ABC”, “（）” for “()”) find the same unit. The
    name as registered is what the documents print."""
    return unicodedata.normalize("NFKC", name).strip()


class UnitRegistry:
    def __init__(self, units: list[Unit]):
        self.units = units
        self._by_key: dict[str, Unit] = {}
        self._names: dict[str, None] = {}
        for unit in units:
            for name in (unit.name, unit.full_name, *unit.aliases):
                if name:
                    self._by_key[unit_key(name)] = unit
                    self._names[name] = None

    def names(self) -> list[str]:
        """Every registered name: canonical names, full names and aliases."""
        return list(self._names)

    def find(self, name: str) -> Unit | None:
        return self._by_key.get(unit_key(name))

    def resolve(self, name: str, place: Place) -> Unit:
        unit = self.find(name)
        if unit is None:
            invisible = invisible_error(name)
            if invisible:
                raise GongfuError(f"单位“{name}”{invisible}", place,
                                  hint="这类字符看不见，却使名称与名册中的不同；请删除后重新输入该单位名称")
            close = difflib.get_close_matches(name, self.names(), n=3, cutoff=0.5)
            hint = f"最接近的已登记单位：{'、'.join(close)}" if close else None
            raise GongfuError(f"单位“{name}”不在单位名册中", place,
                              hint=(hint + "；" if hint else "") + "如确为新单位，请在 data/units.yaml 中登记（可加别称）")
        return unit

    def registered_names(self, text: str) -> str:
        """A written unit list with each unit as the registry names it ("市资规局、市场监管局" →
        "市资源规划局、市市场监管局"); names not registered, and the separators, stay as written."""
        parts = re.split(f"({_SPLIT.pattern})", text)
        return "".join(part if k % 2 or self.find(part) is None else self.find(part).name
                       for k, part in enumerate(parts))

    def check_list(self, text: str, place: Place) -> list[Unit]:
        """Check a written unit list ("市发改委、市经信局") and return its units in order."""
        return [self.resolve(name, place) for name in split_units(text)]


def split_units(text: str) -> list[str]:
    return [part for part in _SPLIT.split(text.strip()) if part]
