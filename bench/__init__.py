"""Benchmarks of the backbone against raw asyncpg and aiokafka baselines (`make bench`)."""
