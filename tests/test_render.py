"""Pure rendering: operators build plain AST nodes; parentheses appear exactly where needed."""

from __future__ import annotations

import re

import pytest

from flinkey_async import F, Query, Service, fields, raw
from flinkey_async._expr import BoolOp, Compare, Literal, Not, Prop, render
from flinkey_async._fields import Expr

a, b, c = F("a"), F("b"), F("c")


def text(expr: Expr) -> str:
    """Return the rendered text of a condition."""
    return render(expr.node)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (a == 1, "a eq 1"),
        (a != 1, "a ne 1"),
        (a < 1, "a lt 1"),
        (a <= 1, "a le 1"),
        (a > 1, "a gt 1"),
        (a >= 1, "a ge 1"),
        (1 < a, "a gt 1"),  # noqa: SIM300 - the reflected operator
        (a == b, "a eq b"),
        ((a == 1) & (b == 2), "a eq 1 and b eq 2"),
        ((a == 1) | (b == 2), "a eq 1 or b eq 2"),
        (((a == 1) | (b == 2)) & (c == 3), "(a eq 1 or b eq 2) and c eq 3"),
        ((a == 1) | ((b == 2) & (c == 3)), "a eq 1 or b eq 2 and c eq 3"),
        ((a == 1) & ((b == 2) & (c == 3)), "a eq 1 and (b eq 2 and c eq 3)"),
        (((a == 1) & (b == 2)) & (c == 3), "a eq 1 and b eq 2 and c eq 3"),
        (~(a == 1), "not (a eq 1)"),
        (~a.contains("x"), "not contains(a,'x')"),
        (~~a.contains("x"), "not not contains(a,'x')"),
        (~((a == 1) & (b == 2)), "not (a eq 1 and b eq 2)"),
        (~a.in_([1, 2]), "not (a in (1,2))"),
        (a.in_([1, 2]) & (b == 1), "a in (1,2) and b eq 1"),
        (a.in_(["x"]), "a eq 'x'"),
        (a.tolower() == "x", "tolower(a) eq 'x'"),
        (a.toupper().startswith(b.tolower()), "startswith(toupper(a),tolower(b))"),
        (a.year() >= 2025, "year(a) ge 2025"),
        (raw("x eq 1 or y eq 2") & (a == 1), "(x eq 1 or y eq 2) and a eq 1"),
        (~raw("x"), "not (x)"),
        (raw("x eq 1 or y eq 2"), "x eq 1 or y eq 2"),
    ],
)
def test_render(expr: Expr, expected: str) -> None:
    """The rendered text, with the minimum of parentheses and a space after ``not``."""
    assert text(expr) == expected


def test_ast_nodes_keep_structural_equality() -> None:
    """The AST nodes compare structurally (the pypika __eq__ trap does not apply)."""
    one = a == 1
    assert one.node == Compare("eq", Prop("a"), Literal("1"))
    assert (a == 1) == one
    assert (F("a") == 1) != (F("b") == 1)
    assert BoolOp("and", Prop("x"), Prop("y")) != BoolOp("or", Prop("x"), Prop("y"))
    assert Not(Prop("x")) == Not(Prop("x"))
    assert hash(a == 1) == hash(F("a") == 1)


def test_literal_equality_is_by_text() -> None:
    """1 and True are equal in Python but not in OData: nodes compare by literal text."""
    assert (a == 1) != (a == True)  # noqa: E712
    assert Query().filter(a == 1) != Query().filter(a == True)  # noqa: E712


@pytest.mark.parametrize(
    "build",
    [
        lambda: bool(a == 1),
        lambda: (a == 1) and (b == 2),
        lambda: not (a == 1),  # noqa: SIM201
        lambda: 0 < a < 2,
        lambda: bool(a),
    ],
)
def test_conditions_refuse_truth_value(build: object) -> None:
    """``and``/``or``/``not`` and chained comparisons would drop a condition: TypeError."""
    with pytest.raises(TypeError, match=re.escape("& / | / ~")):
        build()  # type: ignore[operator]


def test_bitwise_precedence_trap_explained() -> None:
    """``a == 1 & b == 2`` binds ``1 & b`` first; the error says to add parentheses."""
    with pytest.raises(TypeError, match=r"\(a == 1\) & \(b == 2\)"):
        a == 1 & b == 2  # type: ignore[operator]  # noqa: B015


def test_typed_fields_render_wire_names() -> None:
    """fields(Service) uses the converter's wire names."""
    s = fields(Service)
    assert text(s.is_terminated == False) == "isTerminated eq false"  # noqa: E712
    assert text(s.termination_date == None) == "terminationDate eq null"  # noqa: E711
