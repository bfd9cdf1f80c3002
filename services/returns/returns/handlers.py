"""Use cases of the returns service: one function per command or consumed event.

Each loads aggregates through the unit of work's repositories (``uow.returns``,
``uow.replenishments``, ``uow.requests``; ``returns.repository``), lets the domain apply
the rules and commits; the unit of work writes the events and history the domain
recorded (rule X2, rule X3).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from returns.commands import (
    AcceptedPlan,
    DecideReturnRequest,
    FileReturnRequest,
    PostReceipt,
    RecordInspection,
    ShipReplenishment,
)
from returns.domain import (
    Receipt,
    Replenishment,
    ReturnAuthorization,
    ReturnsSettings,
    SalesReturnRequest,
    due_batch,
)
from servicekit.contracts.returns_vocabulary import GOODS_BACK_ACTIONS
from servicekit.db import UnitOfWork
from servicekit.domain import Actor, utcnow

# Who acts when an event, not a person, starts the work.
SYSTEM = "returns"


def handle_plan_accepted(
    uow: UnitOfWork, plan: AcceptedPlan, by: str = SYSTEM
) -> ReturnAuthorization | None:
    """rule R1: the plan's goods-back actions on one authorization, and rule R5: one
    shipment per replenishment action and exchange's replacement, exactly once per plan.
    The inbox makes one event count once; a second event for the same plan finds the
    plan's work done (and the unique plan columns refuse a concurrent second copy)."""
    now = utcnow()
    try:
        with uow:
            done = uow.returns.find_by_plan(plan.plan_id)
            if done is not None or uow.replenishments.for_plan(plan.plan_id):
                return done
            authorization = None
            if any(a.type in GOODS_BACK_ACTIONS and a.lines for a in plan.actions):
                number = uow.returns.next_number(now.year)
                authorization = ReturnAuthorization.for_plan(plan, number, by, now)
                uow.returns.add(authorization)
            for shipment in Replenishment.for_plan(plan, by, now):
                uow.replenishments.add(shipment)
            uow.commit()
            return authorization
    except IntegrityError:
        # rule R1: a concurrent copy of the plan's work committed first; it stands.
        with uow:
            done = uow.returns.find_by_plan(plan.plan_id)
            shipped = uow.replenishments.for_plan(plan.plan_id)
        if done is None and not shipped:
            raise  # not the plan's twin: a real fault
        return done


def get_return(uow: UnitOfWork, return_id: str) -> ReturnAuthorization:
    with uow:
        return uow.returns.get(return_id)


def post_receipt(
    uow: UnitOfWork, return_id: str, command: PostReceipt, actor: Actor
) -> tuple[Receipt, bool]:
    """rule R2: ``(receipt, created)``; a scan_id seen before answers its receipt and
    counts nothing, also when its twin committed a moment earlier (the database's unique
    (return, scan_id) refuses the second row; this reads the first)."""
    now = utcnow()
    try:
        with uow:
            authorization = uow.returns.get(return_id, for_update=True)
            receipt, created = authorization.receive(command, actor.username, now)
            if created:
                uow.commit()
            return receipt, created
    except IntegrityError:
        with uow:
            known = uow.returns.get(return_id).receipt(command.scan_id)
        if known is None:
            raise
        return known, False


def sign_off(
    uow: UnitOfWork, return_id: str, actor: Actor, post_at_once: bool = True
) -> ReturnAuthorization:
    """rule R2: the warehouse signs for the actual quantities (differences charged to the
    owner); rule R6: posted at once, or left for the daily batch (``post_at_once=False``)."""
    now = utcnow()
    with uow:
        authorization = uow.returns.get(return_id, for_update=True)
        authorization.sign_off(actor.username, now, post=post_at_once)
        uow.commit()
        return authorization


def post_signed_off(uow: UnitOfWork, by: str = SYSTEM) -> int:
    """rule R6: post every signed-off return not posted yet, announcing the actual
    quantities; how many it posted (a second run posts none of them again)."""
    now = utcnow()
    with uow:
        posted = sum(authorization.post(by, now) for authorization in uow.returns.unposted())
        uow.commit()
        return posted


def run_posting_batch(
    uow: UnitOfWork, settings: ReturnsSettings, now: datetime | None = None, by: str = SYSTEM
) -> int | None:
    """rule R6: the daily batch (at the settings' hour, business time) posts what was
    signed off before its cutoff; once per business day however many instances try:
    None when the day's batch ran already (here, or in a twin that committed first)."""
    now = now or utcnow()
    day, cutoff = due_batch(now, settings)
    try:
        with uow:
            if uow.returns.batch_ran(day):
                return None
            unposted = uow.returns.unposted(signed_before=cutoff)
            posted = sum(authorization.post(by, now) for authorization in unposted)
            uow.returns.record_batch(day, cutoff, now, posted)
            uow.commit()
            return posted
    except IntegrityError:
        with uow:
            if not uow.returns.batch_ran(day):
                raise  # not the day's twin: a real fault
        return None


def inspect(
    uow: UnitOfWork, return_id: str, command: RecordInspection, actor: Actor
) -> ReturnAuthorization:
    """rule R3: quality's split of what was received, witnessed; rule R4: scrap leaves
    stock at once and is recorded."""
    now = utcnow()
    with uow:
        authorization = uow.returns.get(return_id, for_update=True)
        authorization.inspect(command, actor.username, now)
        uow.commit()
        return authorization


def ship_replenishment(
    uow: UnitOfWork, shipment_id: str, command: ShipReplenishment, actor: Actor
) -> Replenishment:
    """rule R5: the shipment leaves with its carrier and tracking number."""
    now = utcnow()
    with uow:
        shipment = uow.replenishments.get(shipment_id, for_update=True)
        shipment.ship(command, actor.username, now)
        uow.commit()
        return shipment


def file_return_request(
    uow: UnitOfWork, command: FileReturnRequest, actor: Actor
) -> SalesReturnRequest:
    """A sales clerk's sales return request, not tied to a complaint (seed 002)."""
    with uow:
        request = SalesReturnRequest(command, actor.username, utcnow())
        uow.requests.add(request)
        uow.commit()
        return request


def decide_return_request(
    uow: UnitOfWork, request_id: str, command: DecideReturnRequest, actor: Actor
) -> tuple[SalesReturnRequest, ReturnAuthorization | None]:
    """The market manager's decision; approved -> an authorization (rule R1). A refused
    decision rolls back, the number it took with it."""
    now = utcnow()
    with uow:
        request = uow.requests.get(request_id, for_update=True)
        number = uow.returns.next_number(now.year) if command.decision == "approve" else ""
        authorization = request.decide(command, number, actor.username, now)
        if authorization is not None:
            uow.returns.add(authorization)
        uow.commit()
        return request, authorization
