"""The Joint Office's EV-ChART module rules for modules 2, 3, 4 and 9, as one data table.

Source: the open-source EV-ChART validator, github.com/US-JOET/ev-chart-open-source at commit
6664664 (2025-12-19):
``source/lambda_layers/python/module_validation/module_definitions/module{2,3,4,9}.json`` (field
names, types, precision/scale, lengths, minimums, required flags), ``.../database_central_config/
database_central_config.json`` (module 4's ``excluded_outage*`` fields; ``station_id`` (36) and
the module tables' ``network_provider`` column (varchar 30)), ``module_validation/__init__.py``
(how each type is checked, every module's ``station_id``/``network_provider`` columns) and
``validate_m{2,3,4,9}`` (the row rules: ``blank_together`` and ``required_after_a_year`` here).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Kind = Literal["string", "datetime", "decimal", "integer", "boolean"]


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    required: bool = False
    max_length: int | None = None
    precision: int | None = None  # decimal: digits in all; integer digits <= precision - scale
    scale: int | None = None  # decimal: digits after the point
    min_value: Decimal | None = None
    max_value: Decimal | None = None


@dataclass(frozen=True)
class Module:
    number: int
    file_name: str
    title: str
    fields: tuple[Field, ...]
    # Required fields a row may leave blank only all at once (validate_m2/m4/m9: a "no data" row).
    blank_together: frozenset[str] = frozenset()
    # Required only when the row's station was operational for over a year before the row's
    # ``uptime_reporting_start`` (validate_m3.validate_operational_one_year).
    required_after_a_year: frozenset[str] = frozenset()

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _text(name: str, length: int, required: bool = False) -> Field:
    return Field(name, "string", required, max_length=length)


def _dec(name: str, precision: int, low: str = "0", required: bool = True) -> Field:
    return Field(name, "decimal", required, precision=precision, scale=2, min_value=Decimal(low))


def _when(name: str, required: bool = False) -> Field:
    return Field(name, "datetime", required)


def _flag(name: str) -> Field:
    return Field(name, "boolean")


# Every module's upload carries these two (module_validation: MISSING_REQUIRED_COLUMN).
STATION = (_text("station_id", 36, required=True), _text("network_provider", 30, required=True))

MODULE_2 = Module(
    2,
    "module2_sessions.csv",
    "Charging Sessions",
    (
        *STATION,
        _text("port_id", 36, required=True),
        _text("charger_id", 36),
        _text("session_id", 36, required=True),
        _text("connector_id", 36),
        _when("session_start", required=True),
        _when("session_end", required=True),
        _text("session_error", 255, required=True),
        _text("error_other", 255),
        _dec("energy_kwh", 7),
        _dec("power_kw", 7),
        _text("payment_method", 255, required=True),
        _text("payment_other", 255),
    ),
    blank_together=frozenset(
        (
            "session_id",
            "session_start",
            "session_end",
            "session_error",
            "energy_kwh",
            "power_kw",
            "payment_method",
        )
    ),
)
MODULE_3 = Module(
    3,
    "module3_uptime.csv",
    "Uptime",
    (
        *STATION,
        _text("port_id", 36, required=True),
        _when("uptime_reporting_start", required=True),
        _when("uptime_reporting_end", required=True),
        _dec("uptime", 5, required=False),
        _dec("total_outage", 8),
        _dec("total_outage_excl", 8),
    ),
    required_after_a_year=frozenset({"uptime"}),
)
MODULE_4 = Module(
    4,
    "module4_outages.csv",
    "Outages",
    (
        *STATION,
        _text("port_id", 36, required=True),
        _when("outage_id", required=True),  # the outage's start
        _dec("outage_duration", 8, low="0.01"),
        _flag("excluded_outage"),
        # 1..6: the six exclusions of 23 CFR 680.116(b)(3), in the rule's order.
        Field("excluded_outage_reason", "integer", min_value=Decimal(1), max_value=Decimal(6)),
        _text("excluded_outage_notes", 255),
    ),
    blank_together=frozenset({"outage_id", "outage_duration"}),
)
MODULE_9 = Module(
    9,
    "module9_costs.csv",
    "Capital and Installation Costs",
    (
        *STATION,
        _text("project_id", 36),  # no length in module9.json; the table column is varchar(36)
        _flag("station_upgrade"),
        _when("real_property_acq_date"),
        _flag("real_property_acq_owned"),
        _dec("real_property_cost_total", 11),
        _dec("real_property_cost_federal", 11),
        _when("equipment_acq_date"),
        _flag("equipment_acq_owned"),
        _dec("equipment_cost_total", 11),
        _dec("equipment_cost_federal", 11),
        _when("equipment_install_date"),
        _dec("equipment_install_cost_total", 11),
        _dec("equipment_install_cost_federal", 11),
        _dec("equipment_install_cost_elec", 11, required=False),
        _dec("equipment_install_cost_const", 11, required=False),
        _dec("equipment_install_cost_labor", 11, required=False),
        _dec("equipment_install_cost_other", 11, required=False),
        _flag("der_acq_owned"),
        _dec("der_cost_total", 11),
        _dec("der_cost_federal", 11),
        _dec("der_install_cost_total", 11),
        _dec("der_install_cost_federal", 11),
        _dec("dist_sys_cost_total", 11),
        _dec("dist_sys_cost_federal", 11),
        _dec("service_cost_total", 11),
        _dec("service_cost_federal", 11),
    ),
    # The totals and the breakdown; the federal shares are always required.
    blank_together=frozenset(
        (
            "real_property_cost_total",
            "equipment_cost_total",
            "equipment_install_cost_total",
            "equipment_install_cost_elec",
            "equipment_install_cost_const",
            "equipment_install_cost_labor",
            "equipment_install_cost_other",
            "der_cost_total",
            "der_install_cost_total",
            "dist_sys_cost_total",
            "service_cost_total",
        )
    ),
)
MODULES = {m.number: m for m in (MODULE_2, MODULE_3, MODULE_4, MODULE_9)}
BY_FILE = {m.file_name: m for m in MODULES.values()}
