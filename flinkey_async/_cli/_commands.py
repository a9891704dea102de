"""The resource commands, generated from the registry's read routes, and how each one runs."""

from __future__ import annotations

import argparse
import asyncio
import re
from typing import Any, Final

import attrs

from .._client import FlinkeyClient
from .._endpoint import Route
from .._fields import F, raw
from .._model import wire_names
from .._query import Query
from .._registry import RESOURCES, ROUTES
from ._exit import EXIT_OK, UsageError
from ._output import print_result

_PARAM: Final = re.compile(r"\{(\w+)\}")
_READS: Final = frozenset({"list", "get", "one"})


@attrs.frozen
class Command:
    """One command line, ``flinkey <resource> <action> [KEY]``, and the read route it calls."""

    resource: str
    action: str
    route: Route

    @property
    def param(self) -> str | None:
        """The path parameter the command takes (``carId``), or None for a whole collection."""
        found = _PARAM.findall(self.route.template)
        return found[-1] if found else None

    @property
    def by_name(self) -> bool:
        """Whether the path parameter is a name (a brand) rather than a numeric id."""
        declared = getattr(self.route.owner, self.route.name, None)
        return getattr(declared, "by_name", False) is True

    @property
    def selectable(self) -> bool:
        """Whether ``--select`` applies: an OData route whose items are objects."""
        model = self.route.model
        return self.route.odata and model is not None and attrs.has(model)

    @property
    def filterable(self) -> bool:
        """Whether ``--filter`` and ``--top`` apply: an OData list."""
        return self.route.odata and self.route.kind == "list"

    @property
    def default_top(self) -> int | None:
        """The ``$top`` the SDK sends when none is given (a car's events: 100)."""
        declared = getattr(self.route.owner, self.route.name, None)
        top = getattr(declared, "default_top", None)
        return top if isinstance(top, int) else None

    @property
    def label(self) -> str:
        """The table heading for items that are plain values (a brand's name)."""
        return self.route.owner.key if self.route.owner is not None else "value"

    async def call(self, client: FlinkeyClient, key: Any, query: Query[Any] | None) -> Any:
        """Call the route through the client's resource and return its decoded answer."""
        resource: Any = getattr(client, self.resource)
        route = self.route
        args = (query,) if route.odata else ()
        if route.kind == "get":
            return await resource.get(key, *args)
        if route.kind == "one":
            return await getattr(resource, route.name)(key, *args)
        target = resource if route.name == "list" else getattr(resource, route.name)(key)
        return await target.list(*args)


def commands() -> dict[str, list[Command]]:
    """Return the read commands of every resource that has one, in registry order."""
    names = {klass: name for name, klass in RESOURCES.items()}
    found: dict[str, list[Command]] = {}
    for route in ROUTES:
        if route.method != "GET" or route.kind not in _READS or route.owner not in names:
            continue
        resource = names[route.owner]
        found.setdefault(resource, []).append(Command(resource, _action(route), route))
    return {name: sorted(listed, key=_order) for name, listed in found.items()}


def _action(route: Route) -> str:
    """``list``, ``get``, or the nested name without ``get_`` (``get_product`` -> ``product``)."""
    if route.name in ("list", "get"):
        return route.name
    return route.name.removeprefix("get_").replace("_", "-")


def _order(command: Command) -> tuple[int, str]:
    return ({"list": 0, "get": 1}.get(command.action, 2), command.action)


def build_query(
    command: Command,
    *,
    select: str | None = None,
    filter_text: str | None = None,
    top: int | None = None,
) -> Query[Any] | None:
    """Return the OData query of the options given (None without any), checked before I/O."""
    query: Query[Any] = Query()
    if select is not None:
        names = [name.strip() for name in select.split(",")]
        known = set(wire_names(command.route.model).values()) if command.route.model else set()
        for name in names:
            if name.split("/")[0] not in known:
                raise UsageError(
                    f"--select: unknown field {name!r} of {command.resource} "
                    f"(fields: {', '.join(sorted(known))})"
                )
        query = query.select(*(F(name) for name in names))
    if filter_text is not None:
        try:
            query = query.filter(raw(filter_text))
        except ValueError as exc:
            raise UsageError(f"--filter: {exc}") from None
    if top is not None:
        query = query.top(top)
    return None if query == Query() else query


def run_command(args: argparse.Namespace) -> int:
    """Run ``flinkey <resource> <action>``: one call, its answer printed on stdout."""
    command: Command = args.command_spec
    query = build_query(
        command,
        select=getattr(args, "select", None),
        filter_text=getattr(args, "filter", None),
        top=getattr(args, "top", None),
    )
    customer_id = getattr(args, "customer_id", None)
    result = asyncio.run(
        _fetch(command, key=getattr(args, "key", None), query=query, customer_id=customer_id)
    )
    print_result(result, as_json=args.json, label=command.label)
    return EXIT_OK


async def _fetch(
    command: Command, *, key: Any, query: Query[Any] | None, customer_id: int | None
) -> Any:
    # A customer-scoped route needs a Customer-ID (--customer-id, else FLINKEY_CUSTOMER_ID);
    # any other route needs none, so FLINKEY_CUSTOMER_ID is not read for it.
    options: dict[str, Any] = {}
    if customer_id is not None or not command.route.scoped:
        options["customer_id"] = customer_id
    try:
        client = FlinkeyClient.from_env(**options)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"configuration: {exc} (see flinkey --help)") from None
    async with client:
        return await command.call(client, key, query)
