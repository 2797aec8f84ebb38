"""Predictive dispatch on its own (no CSMS): the warning-code route on synthetic feature rows
whose fault type is known, the seam a trained router plugs into, and the policy turning an
alert routed to a technician into a ticket (no reset), at most once per dispatch cooldown."""

from __future__ import annotations

import polars as pl
import pytest

from models.fault.routing import Routing
from models.healing import policy
from models.healing.routing import RESET, TECHNICIAN, route_by_warning_codes, with_routes
from models.healing.views import ChargerView, Port
from models.tickets import from_policy

HOUR = 3600.0


def _features(**rows: dict[str, float]) -> pl.DataFrame:
    cols = ("warn_high_temperature_48h", "warn_ground_48h", "warn_undervoltage_48h",
            "warn_overcurrent_48h", "warn_connector_lock_48h", "reboots_48h",
            "temp_max_6h_above_7d")
    return pl.DataFrame([{"charge_point_id": cp, "feature_at": 0, **dict.fromkeys(cols, 0.0),
                          **r} for cp, r in rows.items()])


def test_hardware_warnings_route_to_a_technician_restart_signs_to_a_reset() -> None:
    f = _features(
        power_module={"warn_high_temperature_48h": 3, "warn_undervoltage_48h": 1,
                      "temp_max_6h_above_7d": 14.0},
        ground_fault={"warn_ground_48h": 2},
        lock_stuck={"warn_connector_lock_48h": 4},
        firmware={"reboots_48h": 3, "warn_overcurrent_48h": 1},
        one_noise_code={"warn_ground_48h": 1},
        quiet={},
    )
    routes = dict(route_by_warning_codes(f).select("charge_point_id", "route").iter_rows())
    assert routes == {"power_module": TECHNICIAN, "ground_fault": TECHNICIAN,
                      "lock_stuck": RESET, "firmware": RESET, "one_noise_code": RESET,
                      "quiet": RESET}
    share = route_by_warning_codes(f).select("charge_point_id", "type_probability")
    p = dict(share.iter_rows())
    assert p["power_module"] > p["ground_fault"] > p["quiet"] == pytest.approx(0.0)
    verdict = dict(route_by_warning_codes(f).select("charge_point_id", "technician_probability")
                   .iter_rows())
    assert verdict == {cp: 1.0 if r == TECHNICIAN else 0.0 for cp, r in routes.items()}


def test_a_trained_router_plugs_into_the_same_seam() -> None:
    scored = pl.DataFrame({"charge_point_id": ["A", "B"], "probability": [0.9, 0.1]})
    features = _features(A={}, B={})

    def always_technician(rows: pl.DataFrame) -> pl.DataFrame:
        return rows.select("charge_point_id", pl.lit(TECHNICIAN).alias("route"),
                           pl.lit("ground_fault").alias("fault_type"),
                           pl.lit(0.8).alias("type_probability"),
                           pl.lit(0.8).alias("technician_probability"),
                           pl.lit("[]").alias("routing_features"),
                           pl.lit('["charging cable"]').alias("suggested_parts"))

    out = with_routes(scored, features, always_technician)
    assert out["route"].to_list() == [TECHNICIAN, TECHNICIAN]
    assert with_routes(scored, features)["route"].to_list() == [RESET, RESET]


def _charger() -> ChargerView:
    return ChargerView("CP-1", True, 0.0, None, None, 900, (Port("1", "Available", None, 0.0),),
                       ())


def _routing(route: str) -> Routing:
    return Routing("CP-1", route, "worn_hardware" if route == TECHNICIAN else "restart_curable",
                   0.7, 1.0 if route == TECHNICIAN else 0.0)


def _decide(now: float, memory: policy.Memory, cfg: policy.PolicyConfig,
            route: str) -> list[policy.Decision]:
    scores = {"CP-1": policy.Score(0.5, True, "[]", _routing(route))}
    return policy.decide(now, [_charger()], scores, memory, cfg)


def test_an_alert_routed_to_a_technician_opens_a_ticket_and_sends_no_reset() -> None:
    cfg, memory = policy.PolicyConfig(dispatch_on_predictions=True), policy.Memory()
    [d] = _decide(0.0, memory, cfg, TECHNICIAN)
    assert (d.action, d.trigger, d.go) == ("ticket", from_policy.PREDICTED_HARDWARE, True)
    ticket = from_policy.new_ticket(d, policy.Score(0.5, True, '[{"feature": "temp"}]',
                                                    _routing(TECHNICIAN)))
    assert (ticket.trigger, ticket.created_by, ticket.predicted_fault_type) == (
        from_policy.PREDICTED_HARDWARE, "policy", "worn_hardware")
    assert ticket.probability == pytest.approx(0.5)
    # Past the prediction cooldown the alert comes back, but the dispatch cooldown holds it:
    # no second van, and no reset either.
    assert _decide(30 * HOUR, memory, cfg, TECHNICIAN) == []
    assert [d.action for d in _decide(5 * 24 * HOUR + 1, memory, cfg, TECHNICIAN)] == ["ticket"]


def test_without_predictive_dispatch_or_on_a_reset_route_the_alert_sends_a_reset() -> None:
    off = policy.PolicyConfig(dispatch_on_predictions=False)
    assert [d.action for d in _decide(0.0, policy.Memory(), off, TECHNICIAN)] == ["soft_reset"]
    on = policy.PolicyConfig(dispatch_on_predictions=True)
    assert [d.action for d in _decide(0.0, policy.Memory(), on, RESET)] == ["soft_reset"]
