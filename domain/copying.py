"""Cheap copies of aggregates whose state is immutable values and flat containers of them."""

from __future__ import annotations

from typing import Any

_CONTAINERS = (list, set, dict)


class FlatCopy:
    """Mixin for aggregates whose attributes are immutable values (str, int, enums, frozen Structs, tuples,
    datetimes) or lists, sets and dicts of such values. The application copies every aggregate it takes
    from its cache; copying the containers one level deep is all such state needs, and is far faster
    than copy.deepcopy walking every frozen value."""

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        clone = object.__new__(type(self))
        clone.__dict__.update(
            {key: value.copy() if isinstance(value, _CONTAINERS) else value for key, value in self.__dict__.items()}
        )
        return clone
