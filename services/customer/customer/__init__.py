"""The customer service: customer cards, lifecycle and terms (rules C1-C4)."""
