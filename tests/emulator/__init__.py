"""A local emulator of the backup APIs that backupops.jobs reads.

It serves the AvePoint Graph API job endpoints and the AvePoint identity service over HTTPS (with a
certificate generated at start) and plain HTTP on loopback, with deterministic seeded data, a log of
every request it got, and faults and latency injected on demand. Tests, the demo and the benchmark run
against it; nothing here touches the internet. Start it with ``python -m emulator --state-dir DIR``
(``tests/`` on PYTHONPATH); it writes ``DIR/emulator.json`` with its URLs and test credentials once it
listens.
"""
