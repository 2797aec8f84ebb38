"""Every table and check the modules beside this one declare, as one multi-asset (see
``pipelines.marts_asset``)."""

import pipelines.defs
from pipelines.marts_asset import collect, marts_asset

warehouse_marts = marts_asset(*collect(pipelines.defs))
