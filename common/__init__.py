"""What every system uses and none owns: atomic writes and JSON (``io``), device choice (``device``),
figures (``plots``), the self-describing checkpoint format (``checkpoint``), the Hungarian labelling
(``hungarian``), the run lifecycle and seeding (``run``) and machine facts for benchmarks (``sysinfo``).

Nothing here imports a system package: ``hnet``, ``doanet``, ``auralnav`` and ``headernet`` build on it.
"""
