"""The customer service: customer cards, lifecycle and terms."""
