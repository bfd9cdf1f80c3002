"""Nameko entrypoints of interactions (rule C9) and of the composition analysis
(rule C10): a mixin of ``CustomerService`` (its ``uow`` and ``settings``). Each loads the
payload, calls a handler or query and dumps; see ``servicekit.contracts.
customer_interactions`` and ``servicekit.contracts.customer_composition`` for the RPC API
with the HTTP route of each method.

No event is consumed here: the composition reads grading's summary of
``finance.invoice_recorded`` (``customer.grading_service``; one handler per summary).
"""

from __future__ import annotations

from customer import interactions_handlers, interactions_queries
from customer.interactions_commands import RecordInteraction, ReplyInteraction
from servicekit.contracts import customer_composition as composition_contract
from servicekit.contracts import customer_interactions as contract
from servicekit.domain import utcnow
from servicekit.nameko_ext import command, query
from servicekit.validation import actor_of, load, load_command, load_list_args

_interaction = contract.InteractionSchema()
_interactions = contract.InteractionSchema(many=True)
_follow_ups = contract.FollowUpDueSchema(many=True)
_report = contract.InteractionReportSchema()
_composition = composition_contract.CompositionSchema()


class InteractionEntrypoints:
    """Mixed into ``CustomerService``."""

    # --- rule C9: interactions ----------------------------------------------------
    @command
    def record_interaction(self, customer_id: str, data: dict, actor: dict) -> dict:
        """``POST /customers/{id}/interactions``: ``{"type": "visit", "at": "...", "notes":
        "季度拜访", "by": "li.sales"}``; a survey with ``"score": 1..5``; an enquiry or a
        suggestion gets ``reply_due_at``."""
        new = load_command(contract.RecordInteractionSchema, data, RecordInteraction)
        interaction = interactions_handlers.record_interaction(
            self.uow(), customer_id, new, actor_of(actor), self.settings
        )
        return _interaction.dump(interactions_queries.interaction_view(interaction, utcnow()))

    @query
    def list_customer_interactions(self, customer_id: str) -> list:
        """``GET /customers/{id}/interactions``: oldest first."""
        now = utcnow()
        found = interactions_handlers.customer_interactions(self.uow(), customer_id)
        return _interactions.dump([interactions_queries.interaction_view(i, now) for i in found])

    @query
    def list_interactions(self, filters: dict | None = None, page: int = 1, per_page: int = 50):
        """``GET /interactions?type=enquiry&overdue=true&customer_id=&replied=``: newest first."""
        filters, paging = load_list_args(contract.InteractionFilterSchema, filters, page, per_page)
        now = utcnow()
        result = interactions_queries.list_interactions(self.uow(), filters, **paging, now=now)
        items = [interactions_queries.interaction_view(i, now) for i in result["items"]]
        return {**result, "items": _interactions.dump(items)}

    @query
    def get_interaction(self, interaction_id: str) -> dict:
        interaction = interactions_queries.get_interaction(self.uow(), interaction_id)
        return _interaction.dump(interactions_queries.interaction_view(interaction, utcnow()))

    @command
    def reply_interaction(self, interaction_id: str, data: dict, actor: dict) -> dict:
        """``POST /interactions/{id}/reply``: ``{"reply": "..."}``; twice -> 409
        interaction_replied; a visit, call, care or survey -> 409 interaction_not_replyable."""
        reply = load_command(contract.ReplySchema, data, ReplyInteraction)
        interaction = interactions_handlers.reply_interaction(
            self.uow(), interaction_id, reply, actor_of(actor)
        )
        return _interaction.dump(interactions_queries.interaction_view(interaction, utcnow()))

    @query
    def list_follow_ups_due(self, filters: dict | None = None, page: int = 1, per_page: int = 50):
        """``GET /follow-ups/due?overdue=true&owner=&pickup=``: the customers whose
        follow-up is due, the longest overdue first."""
        filters, paging = load_list_args(contract.FollowUpFilterSchema, filters, page, per_page)
        found = interactions_handlers.follow_ups_due(self.uow(), self.settings, filters, utcnow())
        start = (paging["page"] - 1) * paging["per_page"]
        window = found[start : start + paging["per_page"]]
        return {
            "items": _follow_ups.dump([interactions_handlers.follow_up_view(f) for f in window]),
            "total": len(found),
            **paging,
        }

    @query
    def interaction_report(self, args: dict) -> dict:
        """``GET /reports/interactions?from=2026-01-01&to=2026-03-31``: counts per type and
        the on-time reply rate of enquiries and suggestions."""
        period = load(contract.InteractionReportArgsSchema, args)
        report = interactions_handlers.interaction_report(
            self.uow(), self.settings, period["from_"], period["to"], utcnow()
        )
        return _report.dump(report)

    # --- rule C10: the composition analysis ------------------------------------------
    @query
    def composition_report(self, args: dict) -> dict:
        """``GET /reports/customers/composition?year=2026``: the year's sales by grade,
        product and region."""
        year = load(composition_contract.CompositionArgsSchema, args)["year"]
        return _composition.dump(interactions_handlers.composition_report(self.uow(), year))
