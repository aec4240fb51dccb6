"""A second implementation of the mapping language, kept as a differential oracle for the hub's one
runtime (hub/mapping/codegen, which writes each mapping out as Python source).

This is the closure interpreter the hub shipped beside the code generator until one runtime was chosen by
measurement (bench/mapping.py): every expression becomes a closure over a Scope (payload root, current
item, names bound by `as:`, delivery context), and drafts are checked by the event's pydantic model in
strict mode. It shares with the hub only the mapping format (hub.mapping.spec), paths, the conversions of
hub/mapping/convert.py and the error type, so the two agree only where both mean the same thing.
tests/unit/test_mapping_oracle.py checks that they do, on every golden case and on generated payloads.

A new primitive gets its closure here too: a function registered in EXPRS (or CONDITIONS) in the module of
its kind.
"""

from tests.mapping_oracle import combinators, conditions, items, values  # noqa: F401  (they register)
from tests.mapping_oracle.emitters import OracleMapping, compile_mapping
from tests.mapping_oracle.scope import Scope, compile_condition, compile_expr

__all__ = ["OracleMapping", "Scope", "compile_condition", "compile_expr", "compile_mapping"]
