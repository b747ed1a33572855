"""The building blocks of the study file's schema: strict field types and the base model.

`Text`, `Real`, `SourceKeys` and `IsoDate` are the kinds of value the file holds, each refusing
what YAML might silently turn into it ("3" is not a number, 5 is not text). `FileModel` is one
mapping of the file: immutable once read, never built from a list, and stamped by `locate()` with
its path in the file so answers and error messages can point into it. The file's sections
themselves are declared in `schema.py`.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any, Callable, Iterator, Tuple

from pydantic import BaseModel, PrivateAttr, validator
from pydantic import constr as _constr
from pydantic.fields import MAPPING_LIKE_SHAPES, ModelField

from backpain.study.errors import describe, join_path

# Text: a string (never a number or a list), surrounding spaces removed, not empty.
Text = _constr(strict=True, strip_whitespace=True, min_length=1)


class Real:
    """A finite number written as a YAML number: an int stays an int (answers print 12, not 12.00)."""

    @classmethod
    def __get_validators__(cls) -> Iterator[Callable[[Any], Any]]:
        yield cls.validate

    @classmethod
    def validate(cls, value: Any) -> Any:
        # YAML reads yes/no as booleans, which are ints in Python: refuse them explicitly.
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"expected a number, found {describe(value)} {value!r}")
        if not math.isfinite(value):
            raise ValueError("expected a finite number")
        return value


class SourceKeys(tuple):
    """`source: A` or `source: [A, S]`: one key or a non-empty list of keys, read as a tuple."""

    @classmethod
    def __get_validators__(cls) -> Iterator[Callable[[Any], Any]]:
        yield cls.validate

    @classmethod
    def validate(cls, value: Any) -> Tuple[str, ...]:
        keys = [value] if isinstance(value, str) else value
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            raise ValueError(f"expected a source key or a list of source keys, found {value!r}")
        return tuple(keys)


class IsoDate(_dt.date):
    """A date as YAML writes it (2020-02-17) or as quoted text in the same form."""

    @classmethod
    def __get_validators__(cls) -> Iterator[Callable[[Any], Any]]:
        yield cls.validate

    @classmethod
    def validate(cls, value: Any) -> _dt.date:
        if isinstance(value, _dt.date):
            return value
        try:
            return _dt.date.fromisoformat(str(value))
        except ValueError:
            raise ValueError(f"expected a date as YYYY-MM-DD, found {value!r}") from None


def _mapping(value: Any) -> Any:
    if value is not None and not isinstance(value, dict):
        raise TypeError(f"expected a mapping, found {describe(value)}")
    return value


def non_empty(*fields: str) -> Any:
    """A validator refusing an empty list or mapping in the named fields."""

    def check(value: Any) -> Any:
        if not value:
            raise ValueError("must not be empty")
        return value

    return validator(*fields, allow_reuse=True)(check)


class FileModel(BaseModel):
    """One mapping of the study file: immutable once read, and aware of where it sits in the file."""

    _path: str = PrivateAttr("")  # e.g. pain_results.values.control.week22; set by locate()
    _key: str = PrivateAttr("")  # the id it is listed under, for mappings inside a mapping

    class Config:
        allow_mutation = False

    @classmethod
    def validate(cls, value: Any) -> Any:
        return super().validate(_mapping(value))

    # pydantic would also turn a list of pairs (or an empty list) into a mapping for a Dict field:
    # check the field itself and, for a mapping of mappings (the pain table), each of its values.
    @validator("*", pre=True)
    def _dict_field_is_a_mapping(cls, value: Any, field: ModelField) -> Any:
        return _mapping(value) if field.shape in MAPPING_LIKE_SHAPES else value

    @validator("*", pre=True, each_item=True)
    def _dict_item_is_a_mapping(cls, value: Any, field: ModelField) -> Any:
        return _mapping(value) if field.shape in MAPPING_LIKE_SHAPES else value

    @property
    def path(self) -> str:
        return self._path

    def field_path(self, name: str) -> str:
        """Where one of this mapping's fields sits in the file: `sources` -> `<path>.source`."""
        return join_path(self._path, self.__fields__[name].alias)


def locate(node: Any, path: str = "", key: str = "") -> None:
    """Stamp every mapping under `node` with its path in the file and the key it is listed under."""
    if isinstance(node, FileModel):
        node._path, node._key = path, key
        for name, field in node.__fields__.items():
            locate(getattr(node, name), join_path(path, field.alias))
    elif isinstance(node, dict):
        for child_key, child in node.items():
            locate(child, join_path(path, child_key), child_key)
    elif isinstance(node, tuple):
        for index, child in enumerate(node):
            locate(child, f"{path}[{index}]")
