"""moto's UpdateExpression handling, without the cost of its type checks.

Every update (a report's transition is one, in a transaction) is validated by ten
passes over the expression's syntax tree. Each pass asks ``isinstance`` of every
node against a tuple of abstract classes, and two of them collect clauses with a
recursive ``isinstance`` walk per action (quadratic in the number of ``SET``
actions). A transition sets ~15 attributes: ~150 nodes, ~3,000 ``find_clauses``
calls. Profiled on the seeded history (in-process), ``update_item`` was 47 % of
the time and these checks most of it.

The answers depend only on each node's class, so here they are computed once per
class: the same nodes are visited in the same order and processed by the same
functions. The two quadratic checks (one ``ADD``/``REMOVE``/``SET`` clause each,
no path updated twice) run on the whole expression once: a part of an expression
breaks them only if the whole does, and when the whole does, moto's own walk runs
so that the error is moto's, word for word. And an expression is parsed once, not
twice per update: every use of the parsed tree only reads it (the validator works
on its own deep copy), so the same few expressions are parsed once per process.

Worth reporting upstream (moto 5.2.5: ``moto/dynamodb/parsing/ast_nodes.py``
``DepthFirstTraverser`` and ``Node.find_clauses``, ``parsing/validators.py``,
``models/__init__.py`` ``update_item``). ``tests/integration/test_moto_expressions.py``
checks the answers against moto's own.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_installed = False
_subclass: dict[tuple[type, Any], bool] = {}
# (class, attribute, moto's own; None: inherited) for each function replaced
_swapped: list[tuple[type, str, Any]] = []


def _is(kind: type, cls: type | tuple[type, ...]) -> bool:
    known = _subclass.get((kind, cls))
    if known is None:
        known = _subclass[(kind, cls)] = issubclass(kind, cls)
    return known


def _processor_for(traverser: Any, kind: type) -> Any:
    """The function moto's ``process`` would pick for a node of this class (the first
    class of the processing map it is an instance of), or None."""
    by_kind = traverser.__dict__.get("_by_kind")
    if by_kind is None:
        by_kind = traverser.__dict__["_by_kind"] = {}
    if kind not in by_kind:
        by_kind[kind] = next(
            (f for cls, f in traverser._processing_map().items() if _is(kind, cls)), None
        )
    return by_kind[kind]


def _checked_whole(traverse: Any, descend: tuple[type, ...]) -> Any:
    """A check moto runs on every ``UpdateExpression`` node (each a part of the one
    above it), run on the topmost ones: the rest pass when they do."""

    def checked(self: Any, node: Any) -> Any:
        ((kind, check),) = self._processing_map().items()
        tops, todo = [], [node]
        while todo:
            at = todo.pop()
            if _is(type(at), kind):
                tops.append(at)
            elif _is(type(at), descend):
                todo.extend(reversed(at.children or []))
        try:
            for top in tops:
                check(top)
        except Exception:
            return traverse(self, node)  # moto's own walk, for moto's own error
        return node

    return checked


def install() -> None:
    global _installed
    from kawal_local.moto_speed import check_moto_version

    check_moto_version()  # moto_speed.MOTO_VERSION's moto only, even installed alone
    if _installed:
        return
    _installed = True
    from moto.dynamodb.parsing import ast_nodes

    node_class = ast_nodes.Node
    descend = (ast_nodes.Expression, ast_nodes.UpdateExpressionFunction)

    def traverse_node_recursively(self: Any, node: Any, child_id: int = -1) -> Any:
        kind = type(node)
        if not _is(kind, node_class):
            return node
        parent = node.parent
        children = node.children
        if children is not None:
            for i, child in enumerate(children):
                self.pre_processing_of_child(node, i)
                self.traverse_node_recursively(child, i)
        processor = _processor_for(self, kind)
        if processor is not None:
            node = processor(node)
            node.parent = parent
            if parent:
                parent.children[child_id] = node
        return node

    def find_clauses(self: Any, clause_types: Any) -> list:
        clauses: list = []
        for child in self.children or []:
            kind = type(child)
            if kind in clause_types:
                clauses.append(child)
            elif _is(kind, descend):
                clauses.extend(child.find_clauses(clause_types))
        return clauses

    from moto.dynamodb.parsing import validators

    for checker in (validators.ActionCountValidator, validators.OverlappingPathsValidator):
        checker.traverse = _checked_whole(checker.traverse, descend)  # type: ignore[method-assign]
        _swapped.append((checker, "traverse", None))

    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    # the last thousand expressions: Kawal's updates are a few dozen shapes
    make = UpdateExpressionParser.__dict__["make"]
    parsed = functools.lru_cache(maxsize=1024)(make.__func__)
    UpdateExpressionParser.make = classmethod(parsed)  # type: ignore[method-assign,assignment]
    _swapped.append((UpdateExpressionParser, "make", make))

    traverser = ast_nodes.DepthFirstTraverser
    _swapped.append((traverser, "traverse_node_recursively", traverser.traverse_node_recursively))
    _swapped.append((node_class, "find_clauses", node_class.find_clauses))
    traverser.traverse_node_recursively = traverse_node_recursively  # type: ignore[method-assign]
    node_class.find_clauses = find_clauses  # type: ignore[method-assign]


@contextmanager
def moto_s_own() -> Iterator[None]:
    """moto's own functions for a while: the tests compare answers with them."""
    mine = [(owner, name, owner.__dict__[name]) for owner, name, _ in _swapped]
    for owner, name, original in _swapped:
        if original is None:
            delattr(owner, name)  # inherited again
        else:
            setattr(owner, name, original)
    try:
        yield
    finally:
        for owner, name, fast in mine:
            setattr(owner, name, fast)
