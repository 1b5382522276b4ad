"""The runner: runs the notebooks in order, caches, and writes the output folder."""
