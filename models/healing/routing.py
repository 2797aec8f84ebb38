"""Which visit a fault alert calls for: a **reset** (a kind of fault a restart cures) or a
**technician** (worn hardware a reset cannot reach). The predictive-dispatch policy opens a
maintenance ticket for the second and sends no futile reset.

``Router`` is the one seam: a function from the alerted chargers' feature rows (the
``failure_features`` mart, one row per charger) to their routes. ``route_by_warning_codes``
is the default and uses only what the CSMS sees: the error codes chargers put in their
StatusNotification / NotifyEvent warnings (hardware families: over-temperature, ground fault,
under-voltage, over-current) and the cabinet temperature against the charger's own week. A
trained fault-type classifier (``models.fault``) plugs in with the same signature.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

TECHNICIAN, RESET = "technician", "reset"
# The predictions' routing columns (models.fault.score writes them for a model with a router;
# models.healing.loop reads them into a ``Routing``): one schema for every router.
ROUTE_COLUMNS = {"route": pl.String, "fault_type": pl.String, "type_probability": pl.Float64,
                 "technician_probability": pl.Float64, "routing_features": pl.String,
                 "suggested_parts": pl.String}
# feature rows -> charge_point_id + ROUTE_COLUMNS, one row per charger given
Router = Callable[[pl.DataFrame], pl.DataFrame]

# Warning families of worn hardware, and of faults a restart clears (firmware, lock, link).
# OverVoltage is in neither: a hanging firmware and a ground fault both report it.
HARDWARE_WARNINGS = ("warn_high_temperature_48h", "warn_ground_48h", "warn_undervoltage_48h",
                     "warn_overcurrent_48h")
RESTART_SIGNS = ("warn_connector_lock_48h", "reboots_48h")
HOT_C = 8.0  # cabinet 6 h max this far over its 7-day normal: a power stage running hot
MIN_HARDWARE = 2  # hardware warnings in 48 h before a van is worth sending


def route_by_warning_codes(features: pl.DataFrame) -> pl.DataFrame:
    """A rule over the warning codes: technician when hardware warnings (or heat) dominate."""
    def total(cols: tuple[str, ...]) -> pl.Expr:
        present = [pl.col(c).fill_null(0) for c in cols if c in features.columns]
        return pl.sum_horizontal(present) if present else pl.lit(0)

    hot = (pl.col("temp_max_6h_above_7d").fill_null(0.0) >= HOT_C
           if "temp_max_6h_above_7d" in features.columns else pl.lit(False))
    out = features.select(
        "charge_point_id",
        total(HARDWARE_WARNINGS).cast(pl.Float64).alias("_hw"),
        total(RESTART_SIGNS).cast(pl.Float64).alias("_restart"),
        hot.alias("_hot"),
    )
    technician = ((pl.col("_hw") >= MIN_HARDWARE) & (pl.col("_hw") > pl.col("_restart"))) | (
        pl.col("_hot") & (pl.col("_hw") >= 1))
    share = ((pl.col("_hw") + pl.col("_hot").cast(pl.Float64))
             / (pl.col("_hw") + pl.col("_restart") + pl.col("_hot").cast(pl.Float64) + 1.0))
    return out.select(
        "charge_point_id",
        pl.when(technician).then(pl.lit(TECHNICIAN)).otherwise(pl.lit(RESET)).alias("route"),
        pl.when(technician).then(pl.lit("worn_hardware")).otherwise(pl.lit("restart_curable"))
        .alias("fault_type"),
        share.alias("type_probability"),
        # a rule gives a verdict, not odds: 1 for a technician, 0 for a reset
        technician.cast(pl.Float64).alias("technician_probability"),
        pl.format('[{{"feature": "hardware warnings 48h", "value": {}}}, '
                  '{{"feature": "restart signs 48h", "value": {}}}]',
                  pl.col("_hw"), pl.col("_restart")).alias("routing_features"),
        pl.lit("[]").alias("suggested_parts"),
    )


DEFAULT_ROUTER: Router = route_by_warning_codes


def with_routes(scored: pl.DataFrame, features: pl.DataFrame,
                router: Router = DEFAULT_ROUTER) -> pl.DataFrame:
    """``scored`` (predictions) with each charger's route (null where no feature row)."""
    if scored.height == 0 or features.height == 0:
        return scored.with_columns(pl.lit(None, dtype=t).alias(c) for c, t in ROUTE_COLUMNS.items())
    latest = features.sort("feature_at").group_by("charge_point_id").last()
    routes = router(latest).select("charge_point_id", *ROUTE_COLUMNS)
    # the router given overrides the one inside the model, if any
    return scored.drop([c for c in ROUTE_COLUMNS if c in scored.columns]).join(
        routes, on="charge_point_id", how="left")
