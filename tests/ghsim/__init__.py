"""The pieces of tests/github_sim.py."""
