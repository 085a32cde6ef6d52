"""One request-body validator: a body walked against ``models.json`` plus ``spec/extra_models.py``.

:func:`walk` checks known fields, required fields, enum values, scalar types, nested and
polymorphic models (resolved through their discriminator) and list items, and returns what it
found as data: every :class:`Problem` (path, kind, expected) in the order met, and every
:class:`Node` (object or list) it entered, in pre-order. It raises nothing; the operators and the
emulator each word the problems their own way (``operators/_create_path.py``, ``emulator/schema.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from airflow_ds_provider.spec import models

#: ``unknown``: a field the model lacks; ``required``: a required field absent (``None``);
#: ``empty``: a required field set to ``""``; ``enum``: a value outside the field's allowed
#: values; ``discriminator``: a polymorphic model's discriminator names no concrete model;
#: ``type``: a value of the wrong JSON type (``expected`` names it).
ProblemKind = Literal["unknown", "required", "empty", "enum", "discriminator", "type"]

_LIST_RE = re.compile(r"^list\[(.+)\]$")
_DICT_RE = re.compile(r"^dict\((\w+),\s*(.+)\)$")
_SCALARS: dict[str, str] = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}


@dataclass(frozen=True)
class Problem:
    """One way a body misses its model.

    :param path: where, relative to the body (``jobInfrastructureConfigurationDetails.shapeName``,
        ``items[0]``; ``""`` for the body itself).
    :param kind: what is wrong (see :data:`ProblemKind`).
    :param expected: what was expected: the allowed values (``enum``, ``discriminator``), the
        model's known fields (``unknown``), the field's type (``required``, ``empty``), or the JSON
        type (``type``: ``string``, ``integer``, ``number``, ``boolean``, ``timestamp``, ``list``,
        ``object`` or a model name for an object of that model).
    :param got: the offending value (``None`` when absent).
    :param node: the path of the :class:`Node` the problem belongs to.
    :param model: the model whose field it is (``None`` for a bare type).
    :param field: the wire field name (``None`` when the problem is the value at ``node`` itself).
    """

    path: str
    kind: ProblemKind
    expected: Any
    got: Any
    node: str
    model: str | None = None
    field: str | None = None


@dataclass(frozen=True)
class Node:
    """An object or list the walk entered.

    :param path: relative to the body (``""`` for the body).
    :param type: the declared type (a model name or ``list[...]``).
    :param model: the model the object was checked against (the concrete one of a resolved
        polymorphic model); ``None`` for a list.
    :param value: the value found there.
    :param parent: the enclosing node's path (``None`` for the body).
    :param via: how it was reached: ``root``, ``field``, ``item`` (of a list) or ``entry`` (of a dict).
    """

    path: str
    type: str
    model: str | None
    value: Any
    parent: str | None
    via: Literal["root", "field", "item", "entry"]


@dataclass
class Report:
    """What :func:`walk` found: problems in the order met, nodes in pre-order."""

    problems: list[Problem]
    nodes: list[Node]

    def own(self, node: Node) -> list[Problem]:
        """The problems that belong to ``node`` (not to the nodes inside it)."""
        return [p for p in self.problems if p.node == node.path]


def walk(type_name: str, value: Any, *, is_timestamp: Callable[[Any], bool] | None = None) -> Report:
    """Walk ``value`` against the model or type ``type_name`` and report every problem.

    :param is_timestamp: checks a ``datetime`` field's value; without it those are not checked.
    """
    report = Report([], [])
    _Walker(report, is_timestamp).value(type_name, value, "", None, "root", "")
    return report


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Walker:
    def __init__(self, report: Report, is_timestamp: Callable[[Any], bool] | None) -> None:
        self.report = report
        self.is_timestamp = is_timestamp

    def problem(self, path: str, kind: ProblemKind, expected: Any, got: Any, node: str, **where: Any) -> None:
        self.report.problems.append(Problem(path, kind, expected, got, node, **where))

    def value(self, typ: str, value: Any, path: str, parent: str | None, via: Any, owner: str) -> None:
        """Check one value of type ``typ`` found at ``path``; ``owner`` is the enclosing node."""
        if value is None or typ == "object":
            return
        if typ in _SCALARS:
            if typ == "str":
                wrong = not isinstance(value, str)
            elif typ == "bool":
                wrong = not isinstance(value, bool)
            else:
                kinds = int if typ == "int" else (int, float)
                wrong = isinstance(value, bool) or not isinstance(value, kinds)
            if wrong:
                self.problem(path, "type", _SCALARS[typ], value, owner)
        elif typ == "datetime":
            if self.is_timestamp is not None and not self.is_timestamp(value):
                self.problem(path, "type", "timestamp", value, owner)
        elif match := _LIST_RE.match(typ):
            self.report.nodes.append(Node(path, typ, None, value, parent, via))
            if not isinstance(value, list):
                self.problem(path, "type", "list", value, path)
                return
            for index, item in enumerate(value):
                if item is None:  # recorded (a missing item), though no problem of the model's
                    self.report.nodes.append(
                        Node(f"{path}[{index}]", match.group(1), None, None, path, "item")
                    )
                self.value(match.group(1), item, f"{path}[{index}]", path, "item", path)
        elif match := _DICT_RE.match(typ):
            if not isinstance(value, Mapping):
                self.problem(path, "type", "object", value, owner)
                return
            for key, item in value.items():
                self.value(match.group(2), item, _join(path, key), parent, "entry", owner)
        else:
            self.model(typ, value, path, parent, via)

    def model(self, name: str, value: Any, path: str, parent: str | None, via: Any) -> None:
        model = models().get(name)
        if (
            not isinstance(value, Mapping)
            or model is None
            or not model.polymorphic
            or model.fixed_discriminator
        ):
            self.report.nodes.append(Node(path, name, name, value, parent, via))
        if not isinstance(value, Mapping):
            self.problem(path, "type", name, value, path)
            return
        if model is None:
            return  # a model the reference does not describe: any object
        if model.polymorphic and not model.fixed_discriminator:
            model = self.resolve(model, value, path, parent, via)
            if model is None:
                return
        known = model.field_by_wire()
        for key in value:
            if key not in known:
                self.problem(
                    _join(path, key), "unknown", sorted(known), value[key], path, model=model.name, field=key
                )
        for wire, spec in known.items():
            sub, item = _join(path, wire), value.get(wire)
            where = {"model": model.name, "field": wire}
            if item is None:
                if spec.required:
                    self.problem(sub, "required", spec.type, None, path, **where)
                continue
            if spec.required and item == "":
                self.problem(sub, "empty", spec.type, item, path, **where)
            if spec.allowed and item not in spec.allowed:
                self.problem(sub, "enum", list(spec.allowed), item, path, **where)
            self.value(spec.type, item, sub, path, "field", path)

    def resolve(self, base: Any, value: Mapping[str, Any], path: str, parent: str | None, via: Any) -> Any:
        """The concrete model a polymorphic object names, recording its node; ``None`` when the
        discriminator is bad or its concrete model is not described."""
        disc = base.polymorphic["discriminator"]
        mapping = base.polymorphic["mapping"]
        kind = value.get(disc)
        try:
            concrete = mapping.get(kind)
        except TypeError:  # an unhashable discriminator names no model
            concrete = None
        resolved = models().get(concrete) if concrete is not None else None
        self.report.nodes.append(Node(path, base.name, (resolved or base).name, value, parent, via))
        sub, where = _join(path, disc), {"model": base.name, "field": disc}
        disc_spec = base.field_by_wire().get(disc)
        disc_type = disc_spec.type if disc_spec else "str"
        if kind is None:
            self.problem(sub, "required", disc_type, None, path, **where)
        elif concrete is None:
            if kind == "":
                self.problem(sub, "empty", disc_type, kind, path, **where)
            self.problem(sub, "discriminator", sorted(mapping), kind, path, **where)
        return resolved
