"""`hub checkout` (a demo checkout through the saga) and `hub sagas ls|show|resume`."""

from __future__ import annotations

import sys

import click
import orjson
from pydantic import ValidationError

from hub.cli.common import friendly_errors, settings
from hub.commerce.checkout.request import CheckoutLine, CheckoutRequest
from hub.commerce.checkout.service import checkout as run_checkout
from hub.commerce.checkout.service import list_sagas, show_saga
from hub.commerce.checkout.settings import CheckoutSettings
from hub.domain.saga import Status
from hub.project import inventory_policy
from hub.wiring import open_store


@click.command(name="checkout")
@click.option("--line", "lines", multiple=True, required=True, metavar="SKU:QTY:PRICE", help="Repeatable.")
@click.option("--currency", default="EUR", show_default=True)
@click.option("--country", help="The buyer's country, e.g. DE.")
@click.option("--id", "checkout_id", help="The shop's checkout id; the same id again changes nothing.")
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def checkout(
    lines: tuple[str, ...], currency: str, country: str | None, checkout_id: str | None, as_json: bool
) -> None:
    """Run a web shop checkout through the saga (HUB_CHECKOUT: orchestrated or choreographed), paying at
    the PSP at HUB_PSP_URL (`python -m hub.sandbox.psp` for the sandbox one)."""
    try:
        request = CheckoutRequest(
            checkout_id=checkout_id,
            lines=[_line(text) for text in lines],
            currency=currency,
            buyer_country=country,
        )
    except (ValidationError, ValueError) as exc:
        raise click.UsageError(
            str(exc).splitlines()[0] if isinstance(exc, ValueError) else str(exc)
        ) from None
    config = settings()
    store = open_store(config)
    row = run_checkout(
        store, inventory_policy(config.project), CheckoutSettings.from_env(config.environ), request
    )
    found = show_saga(store, row.saga.saga_id)
    if as_json:
        click.echo(orjson.dumps(found, option=orjson.OPT_INDENT_2).decode())
    else:
        _print(found or {})
    sys.exit(0 if row.saga.status in (Status.COMPLETED, Status.STARTED) else 1)


def _line(text: str) -> CheckoutLine:
    try:
        sku, quantity, price = text.rsplit(":", 2)
        return CheckoutLine(sku=sku, quantity=int(quantity), unit_price=price)
    except ValueError:
        raise ValueError(f"--line {text!r}: expected SKU:QTY:PRICE, e.g. MUG-BLUE:2:12.50") from None


@click.group()
def sagas() -> None:
    """Checkout sagas: their state and each step."""


@sagas.command(name="ls")
@click.option("--status", type=click.Choice([s.value for s in Status]))
@click.option("--limit", type=int, default=50, show_default=True)
@friendly_errors
def ls(status: str | None, limit: int) -> None:
    """List sagas, the most recently updated first."""
    found = list_sagas(open_store(settings()), status, limit)
    for s in found:
        why = f"  {s['reason']}" if s["reason"] else ""
        click.echo(
            f"{s['saga_id']:<34} {s['variant']:<13} {s['status']:<12} {s['amount']:>10} {s['currency']}  "
            f"{s['updated_at']}{why}"
        )
    if not found:
        click.echo("no sagas")


@sagas.command()
@click.argument("saga_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def show(saga_id: str, as_json: bool) -> None:
    """One saga: its state, and each step with its outcome."""
    found = show_saga(open_store(settings()), saga_id)
    if found is None:
        click.echo(f"no saga {saga_id}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(orjson.dumps(found, option=orjson.OPT_INDENT_2).decode())
        return
    _print(found)


@sagas.command()
@friendly_errors
def resume() -> None:
    """Finish the orchestrated sagas a crash left unfinished (`hub up` does this on its own)."""
    from hub.commerce.checkout.orchestrator import Orchestrator

    config = settings()
    orchestrator = Orchestrator(
        open_store(config), inventory_policy(config.project), CheckoutSettings.from_env(config.environ)
    )
    done = orchestrator.resume()
    click.echo(f"{len(done)} saga(s) resumed")


def _print(found: dict[str, object]) -> None:
    for key in (
        "saga_id",
        "variant",
        "status",
        "order_id",
        "amount",
        "currency",
        "payment_id",
        "deadline",
        "reason",
    ):
        click.echo(f"{key + ':':<12} {found.get(key) if found.get(key) is not None else '-'}")
    for step in found.get("steps", []):  # type: ignore[attr-defined]
        detail = f"  {step['detail']}" if step["detail"] else ""
        click.echo(f"  {step['at']}  {step['step']:<13} {step['outcome']:<8}{detail}")


COMMANDS = [checkout, sagas]
