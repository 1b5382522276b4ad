"""Inputs: find, recognise, read and check the year's files; the canonical tables; the synthetic sample."""
