"""The error hierarchy survives nameko's serialisation as the same class."""

import pytest
from nameko.exceptions import deserialize, serialize

import servicekit.nameko_ext  # noqa: F401  (registers the classes)
from servicekit.contracts.complaints import ApproverRankTooLow
from servicekit.contracts.customer import ChangeRequestRequired, CustomerNotFound
from servicekit.errors import Conflict, DomainError, Invalid, NotFound, invalid_fields


@pytest.mark.parametrize(
    "error, status, code",
    [
        (CustomerNotFound(details={"customer_id": "x"}), 404, "customer_not_found"),
        (ChangeRequestRequired(details={"discount": ["x"]}), 422, "change_request_required"),
        (ApproverRankTooLow(), 403, "approver_rank_too_low"),
        (Conflict("busy"), 409, "conflict"),
    ],
)
def test_errors_come_back_from_rpc_as_their_own_class(error, status, code):
    again = deserialize(serialize(error))
    assert type(again) is type(error)
    assert again.http_status == status
    assert again.error_code == code
    assert again.details == error.details
    assert str(again) == str(error)


def test_a_class_defined_later_is_registered_too():
    class LateError(NotFound):
        code = "late"

    again = deserialize(serialize(LateError("gone")))
    assert isinstance(again, LateError) and again.error_code == "late"


def test_invalid_fields_lists_problems_per_field():
    error = invalid_fields({"name": "required", "lines": ["empty"]})
    assert isinstance(error, Invalid) and isinstance(error, DomainError)
    assert error.details == {"name": ["required"], "lines": ["empty"]}
