"""novalite_sim: replays workloads through novalite's real scheduler on a virtual clock.

``novalite-sim run SCENARIO`` drives :mod:`novalite.scheduler` (the same
engine and the same plugins, loaded by entry-point name, as the scheduler
service) over simulated compute hosts on a simpy clock; ``novalite-sim
stack`` drives the real services.  See doc/simulator.md.
"""
