"""Tables of the finance service (none of its own yet; the kit tables come from servicekit)."""

from sqlalchemy import MetaData

from servicekit.tables import kit_metadata

metadata = MetaData()

target_metadata = [metadata, kit_metadata]
