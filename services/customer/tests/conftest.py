"""What the customer service's tests share."""

import pytest

from customer.security_keys import KEYS
from servicekit.crypto import BlindIndex, KeyRing, Keys, new_data_key, new_index_key


@pytest.fixture
def keys() -> Keys:
    """Fresh data and index keys for the service's personal data (rule C11) during the
    test; the ones before are put back after it."""
    previous = KEYS._keys
    fresh = Keys(KeyRing([new_data_key()]), BlindIndex(new_index_key()), "test")
    KEYS.use(fresh)
    yield fresh
    KEYS.use(previous)
