"""Installed into the schemathesis venv as a .pth hook (see run.sh).

CPython 3.11 raises SystemError("AST constructor recursion depth mismatch")
when it parses some modules, among them schemathesis's own coverage module.
Hypothesis parses that module to describe a lambda used as a filter and
only expects SyntaxError, so the coverage phase stops with a runtime error
that says nothing about our API. Turning that SystemError into SyntaxError
lets Hypothesis fall back to "<unknown>" as the lambda's description.
Python 3.12 and later do not have the bug; there this does nothing.
"""

import ast
import sys

if sys.version_info < (3, 12):
    _parse = ast.parse

    def _parse_or_syntax_error(*args, **kwargs):
        try:
            return _parse(*args, **kwargs)
        except SystemError as e:
            raise SyntaxError(str(e)) from e

    ast.parse = _parse_or_syntax_error
