"""Use cases: submit, photos, the squad workflow, dispatch, the statistics job, limits."""
