"""The customer service's vocabulary for interactions (rule C9) and the composition
analysis (rule C10): names and error classes. Standard library only (and
``servicekit.errors``), so the service's domain imports it without marshmallow;
``servicekit.contracts.customer_interactions`` re-exports all of it beside the schemas."""

from servicekit.errors import Conflict, NotFound

# rule C9: visits (拜访), follow-up calls (回访), care activities (节日问候, 生日祝福),
# satisfaction surveys (score 1-5), enquiries (咨询) and suggestions (建议).
INTERACTION_TYPES = ("visit", "call", "care", "survey", "enquiry", "suggestion")
# The types that wait for a reply by a due time (seed 003: 客户咨询回复及时率,
# 客户反馈意见处理及时率).
REPLY_TYPES = ("enquiry", "suggestion")
# The types that are a follow-up of the customer (回访): they reset its follow-up clock.
FOLLOW_UP_TYPES = ("visit", "call", "survey")
SURVEY_SCORES = (1, 2, 3, 4, 5)
# The customers whose follow-ups fall due: those whose terms are in effect (rule C3).
FOLLOWED_STATUSES = ("active", "dormant")
# rule C10: what the composition analysis groups sales by.
COMPOSITION_GROUPS = ("grade", "product", "region")


# --- errors -----------------------------------------------------------------
class InteractionNotFound(NotFound):
    code = "interaction_not_found"
    default_message = "No such interaction."


class InteractionReplied(Conflict):
    code = "interaction_replied"
    default_message = "The interaction has its reply already."


class InteractionNotReplyable(Conflict):
    code = "interaction_not_replyable"
    default_message = "Only an enquiry or a suggestion is answered with a reply."
