"""The constants: one canonical business model that every vendor maps onto.

`detect` and `route` are what the loader calls; `identity_report` says how well sources line up.
"""

from soloml.canonical.identity_report import IdentityReport, identity_report
from soloml.canonical.ingest import detect, route
from soloml.canonical.schema import TABLES, Table, table

__all__ = ["TABLES", "IdentityReport", "Table", "detect", "identity_report", "route", "table"]
