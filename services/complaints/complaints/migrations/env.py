from complaints.models import target_metadata
from servicekit.migrations import run_env

run_env(target_metadata)
