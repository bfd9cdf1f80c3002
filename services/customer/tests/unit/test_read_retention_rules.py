"""rule C11 without broker or database: how long the reads of cards are kept
(CUSTOMER_READ_AUDIT_DAYS) and how the prune goes, batch by batch, on fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from customer import security_handlers
from customer.domain import CustomerSettings
from customer.domain.security import CardRead, read_audit_cutoff
from customer.repository import REPOSITORIES
from customer.security_testing import FakeCardReadRepository
from servicekit.config import settings_from
from servicekit.testing import FakeUnitOfWork

NOW = datetime(2027, 3, 15, 6, 30, tzinfo=UTC)  # 14:30 on 15 March in the business's UTC+8


def read(at: datetime, customer_id: str = "c-1") -> CardRead:
    return CardRead(customer_id, at, "csm1", ("cs_manager",), "card", False)


def test_a_year_and_a_month_of_reads_is_kept_by_default():  # rule C11
    assert CustomerSettings().read_audit_days == 400
    assert settings_from(CustomerSettings, "CUSTOMER", {}).read_audit_days == 400
    configured = {"CUSTOMER_READ_AUDIT_DAYS": "30"}
    assert settings_from(CustomerSettings, "CUSTOMER", configured).read_audit_days == 30


def test_the_cutoff_is_the_start_of_a_business_day():  # rule C11
    # 15 March in UTC+8, 400 days back: 8 February 2026, which starts at 16:00 UTC the day before
    assert read_audit_cutoff(NOW, 400, 8) == datetime(2026, 2, 7, 16, 0, tzinfo=UTC)
    # one day kept: 14 March's reads stay through the 15th (business time)
    assert read_audit_cutoff(NOW, 1, 8) == datetime(2027, 3, 13, 16, 0, tzinfo=UTC)
    # 17:00 UTC is already the 16th in UTC+8: the cut-off moved a whole day
    late = datetime(2027, 3, 15, 17, 0, tzinfo=UTC)
    assert read_audit_cutoff(late, 1, 8) == datetime(2027, 3, 14, 16, 0, tzinfo=UTC)
    assert read_audit_cutoff(NOW, 1, 0) == datetime(2027, 3, 14, tzinfo=UTC)


@pytest.mark.parametrize("days", [0, -1])
def test_zero_days_keeps_every_read(days):  # rule C11
    assert read_audit_cutoff(NOW, days, 8) is None


def unit_of_work(reads: list[CardRead]) -> FakeUnitOfWork:
    return FakeUnitOfWork({**REPOSITORIES, "card_reads": FakeCardReadRepository(reads)})


def test_reads_older_than_the_retention_go_and_newer_ones_stay():  # rule C11
    old = [read(NOW - timedelta(days=402), f"c-{n}") for n in range(3)]
    kept = [read(NOW - timedelta(days=399)), read(NOW)]
    uow = unit_of_work([*old, *kept])
    assert security_handlers.prune_reads(uow, CustomerSettings(), NOW) == 3
    assert sorted(uow.card_reads.items.values(), key=lambda r: r.at) == kept


def test_zero_days_prunes_nothing_and_opens_no_transaction():  # rule C11
    uow = unit_of_work([read(NOW - timedelta(days=4000))])
    assert security_handlers.prune_reads(uow, CustomerSettings(read_audit_days=0), NOW) == 0
    assert len(uow.card_reads.items) == 1 and uow.commits == 0


def test_a_backlog_goes_in_batches_one_transaction_each():  # rule C11
    uow = unit_of_work([read(NOW - timedelta(days=500)) for _ in range(7)])
    assert security_handlers.prune_reads(uow, CustomerSettings(), NOW, batch_rows=3) == 7
    assert uow.commits == 3 and uow.card_reads.items == {}


def test_a_prune_that_lost_its_lease_stops_after_the_batch():  # rule C11
    uow = unit_of_work([read(NOW - timedelta(days=500)) for _ in range(7)])
    pruned = security_handlers.prune_reads(
        uow, CustomerSettings(), NOW, batch_rows=3, still_ours=lambda: False
    )
    assert pruned == 3 and uow.commits == 1 and len(uow.card_reads.items) == 4


def test_the_default_batch_is_five_thousand_rows():
    assert security_handlers.PRUNE_BATCH_ROWS == 5000
