"""The runner: runs the notebooks in order, caches, and writes the output folder."""

import sys

# papermill, nbformat and nbconvert import jsonschema, whose format checks import rfc3987_syntax
# if it is installed; that module compiles an IRI grammar on import (about 1 s on the two-core
# machine, 3 s under load), on every run's critical path, for a check ("iri" formats) that no
# notebook schema uses. Marked absent here, jsonschema skips that check as it does when the
# package is not installed (jsonschema._format: `with suppress(ImportError)`). A process that has
# already imported it keeps it.
sys.modules.setdefault("rfc3987_syntax", None)
