"""Evidence: the metrics, rollups, register and recommendations computed from the checked tables."""
