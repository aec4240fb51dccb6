"""The JSON form of mapped fields read off the event model's fields, then checked against the model's JSON
Schema by jsonschema-rs: the fast way for the models whose schema the generated check of json_form.py
does not cover."""

from __future__ import annotations

import types
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, Union, get_args, get_origin

from pydantic import AwareDatetime, BaseModel

Json = dict[str, Any]

PLAIN = (str, int, bool, type(None))  # the values the JSON form takes as they are
ABSENT = object()  # a field not mapped at all: None is a mapped null


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    required: bool
    default: Any  # the JSON form of the default; lists are copied per use
    kind: str  # plain | datetime | model | models
    shape: _Shape | None = None


@dataclass(frozen=True, slots=True)
class _Shape:
    fields: tuple[_Field, ...]


def models_in(annotation: Any) -> list[type[BaseModel]]:
    found = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.append(annotation)
    for arg in get_args(annotation):
        found.extend(models_in(arg))
    return found


def _is_datetime(annotation: Any) -> bool:
    if annotation is AwareDatetime:  # a marker class of pydantic's, not a datetime subclass
        return True
    if isinstance(annotation, type):
        return issubclass(annotation, datetime)
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_is_datetime(a) for a in get_args(annotation) if a is not type(None))
    args = get_args(annotation)
    return bool(args) and _is_datetime(args[0])  # Annotated[datetime, ...]


@cache
def model_shape(model: type[BaseModel]) -> _Shape:
    fields = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        nested = models_in(annotation)
        origin = get_origin(annotation)
        if len(nested) > 1:
            raise TypeError(f"{model.__name__}.{name}: several models in one field")
        if nested and origin is list:
            kind, shape = "models", model_shape(nested[0])
        elif nested:
            kind, shape = "model", model_shape(nested[0])
        elif _is_datetime(annotation):
            kind, shape = "datetime", None
        else:
            kind, shape = "plain", None
        default = None if info.is_required() else info.get_default(call_default_factory=True)
        if not isinstance(default, PLAIN) and default != []:
            raise TypeError(f"{model.__name__}.{name}: a default the JSON form cannot copy")
        fields.append(_Field(name, info.is_required(), default, kind, shape))
    return _Shape(tuple(fields))


def _plain(value: Any) -> bool:
    if type(value) in PLAIN:
        return True
    return type(value) is list and all(type(v) in PLAIN for v in value)


def _json_form(shape: _Shape, value: Any) -> Json | None:
    """The JSON form of one model's fields, or None where only the model can tell."""
    if type(value) is not dict:
        return None
    out: Json = {}
    seen = 0
    for f in shape.fields:
        v = value.get(f.name, ABSENT)
        if v is ABSENT:
            if f.required:
                return None
            out[f.name] = [] if f.default == [] else f.default
            continue
        seen += 1
        if v is None:
            out[f.name] = None
        elif f.kind == "plain":
            if not _plain(v):
                return None
            out[f.name] = v
        elif f.kind == "datetime":
            if not isinstance(v, datetime) or v.utcoffset() is None:
                return None
            out[f.name] = v.astimezone(UTC).isoformat()
        elif f.kind == "model":
            inner = _json_form(f.shape, v)  # type: ignore[arg-type]
            if inner is None:
                return None
            out[f.name] = inner
        else:
            if type(v) is not list:
                return None
            items = []
            for item in v:
                inner = _json_form(f.shape, item)  # type: ignore[arg-type]
                if inner is None:
                    return None
                items.append(inner)
            out[f.name] = items
    if seen != len(value):
        return None  # a field the model does not have
    return out


@dataclass(frozen=True, slots=True)
class JsonForm:
    """Turns mapped fields into one event type's JSON form, or says it cannot."""

    shape: _Shape
    validator: Any

    def __call__(self, fields: dict[str, Any]) -> Json | None:
        out = _json_form(self.shape, fields)
        if out is None:
            return None
        try:
            return out if self.validator.is_valid(out) else None
        except Exception:  # a value jsonschema-rs cannot take (an integer beyond 64 bits): ask the model
            return None
