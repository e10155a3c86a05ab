"""novalite_sim: replays workloads through novalite's real scheduler on a virtual clock (its own issue)."""
