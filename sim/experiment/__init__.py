"""Experiments: seeds, replications and the writing of results."""
