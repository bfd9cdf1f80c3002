"""The customer service's repositories: one per aggregate, on the unit of work."""

from customer.domain import ChangeRequest, Customer
from customer.grading_repository import GRADING_REPOSITORIES
from customer.imports_repository import CardMatchRepository
from customer.interactions_repository import INTERACTION_REPOSITORIES
from customer.security_repository import CardReadRepository
from servicekit.contracts.customer_vocabulary import ChangeRequestNotFound, CustomerNotFound
from servicekit.repository import SqlRepository


class CustomerRepository(SqlRepository[Customer]):
    model = Customer
    not_found = CustomerNotFound
    id_key = "customer_id"


class ChangeRequestRepository(SqlRepository[ChangeRequest]):
    model = ChangeRequest
    not_found = ChangeRequestNotFound
    id_key = "change_request_id"


# What every unit of work of the service carries: ``uow.customers``, ``uow.change_requests``.
REPOSITORIES = {"customers": CustomerRepository, "change_requests": ChangeRequestRepository}
REPOSITORIES["card_reads"] = CardReadRepository  # rule C11: who read which card
REPOSITORIES.update(GRADING_REPOSITORIES)  # issue 11: uow.summaries, grades, risks ...
REPOSITORIES["card_matches"] = CardMatchRepository  # issue 11.8: imports' duplicates
REPOSITORIES.update(INTERACTION_REPOSITORIES)  # issue 11: uow.interactions, composition
