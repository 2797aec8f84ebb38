"""Fault-type routing: will the fault the model sees coming be cured by a reset, or does it need
a technician (a power module, a ground fault...)?

Learnt from what the CSMS sees, never from the simulator's truth: the rows are the fault model's
own positive hours (a fault begins within H hours), each labelled with the error code the charger
reported when that fault came (the ``faults`` mart's ``error_code``); the features are the same
failure features the fault model scores. A multi-class model predicts that code; the probability
that a technician is needed is the sum over the codes a reset does not cure (the policy's
``CURABLE_CODES``, their one owner). On a real network, closed tickets' resolved causes can
replace the codes as labels.

``route(alert)`` is the one seam: a live Faulted code decides by itself (it is known); otherwise
the router's prediction does, with the predicted type, its probability, the features behind it
and the parts a technician should bring.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from models.errors import NotEnoughDataError
from models.fault import explain, store
from models.fault.candidates import _signed_log1p
from models.fault.dataset import Frame
from models.fault.split import Split
from models.healing.views import CURABLE_CODES

NO_CODE = "(none)"  # a fault reported without an error code (or a lost link)
RESET, TECHNICIAN = "reset", "technician"
TECHNICIAN_AT = 0.5  # technician probability from which a predicted fault gets a ticket


@dataclass(frozen=True)
class FaultKind:
    name: str
    parts: tuple[str, ...]  # what a technician should bring (none: a reset cures it)


# What each OCPP error code points at (ChargeX / OCPP 1.6 ChargePointErrorCode names).
KINDS: dict[str, FaultKind] = {
    "HighTemperature": FaultKind("power_module", ("power module", "cooling fan and filters")),
    "GroundFailure": FaultKind("ground_fault", ("ground-fault monitor (RCD)", "charging cable")),
    "OverCurrent": FaultKind("power_electronics", ("power module", "contactor")),
    "OverVoltage": FaultKind("power_electronics", ("power module", "surge protection")),
    "UnderVoltage": FaultKind("supply", ("AC input wiring", "power module")),
    "PowerMeterFailure": FaultKind("power_meter", ("energy meter",)),
    "PowerSwitchFailure": FaultKind("power_switch", ("contactor / relay",)),
    "InternalError": FaultKind("firmware_hang", ()),
    "ConnectorLockFailure": FaultKind("connector_lock", ()),
    "EVCommunicationError": FaultKind("ev_communication", ()),
    "ReaderFailure": FaultKind("rfid_reader", ()),
    NO_CODE: FaultKind("backend_link", ()),
}


def kind_of(code: str | None) -> FaultKind:
    return KINDS.get(code or NO_CODE, FaultKind(str(code).lower(), ()))


def needs_technician(code: str | None) -> bool:
    return (None if code in (None, NO_CODE) else code) not in CURABLE_CODES


@dataclass(frozen=True)
class Alert:
    """What the fault model raised: the charger, its probability, the feature row it scored
    (column -> value), and the code of a fault already on, if any."""

    charge_point_id: str
    probability: float
    features: dict[str, float]
    error_code: str | None = None


@dataclass(frozen=True)
class Routing:
    charge_point_id: str
    route: str  # reset | technician
    fault_type: str
    probability: float  # of that type
    technician_probability: float
    top_features: list[dict[str, Any]] = field(default_factory=list)
    suggested_parts: tuple[str, ...] = ()
    basis: str = "model"  # model | error_code

    @property
    def technician(self) -> bool:
        return self.route == TECHNICIAN


@dataclass(frozen=True)
class Router:
    model: Any  # a fitted multi-class classifier over ``codes``
    codes: list[str]  # the onset code of each class, in the model's class order
    columns: list[str]
    explainer: explain.Explainer  # behind the technician probability

    def proba(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.model.predict_proba(x))

    def technician_p(self, x: np.ndarray) -> np.ndarray:
        mask = np.array([needs_technician(c) for c in self.codes])
        return np.asarray(self.proba(x)[:, mask].sum(axis=1))

    def route_rows(self, ids: list[str], x: np.ndarray) -> list[Routing]:
        p = self.proba(x)
        tech = p[:, [needs_technician(c) for c in self.codes]].sum(axis=1)
        reasons = self.explainer.top(x)
        out = []
        for i, cp in enumerate(ids):
            is_tech = tech[i] >= TECHNICIAN_AT
            # the likeliest code on the side the decision fell on
            side = [j for j, c in enumerate(self.codes) if needs_technician(c) == is_tech]
            j = max(side or range(len(self.codes)), key=lambda k: p[i, k])
            kind = kind_of(self.codes[j])
            out.append(Routing(cp, TECHNICIAN if is_tech else RESET, kind.name, float(p[i, j]),
                               float(tech[i]), reasons[i], kind.parts))
        return out


def route(alert: Alert, router: Router | None) -> Routing:
    """Reset or technician for one alert; without a router every predicted fault is a reset
    (what the policy did before routing)."""
    if alert.error_code is not None:
        kind, tech = kind_of(alert.error_code), needs_technician(alert.error_code)
        return Routing(alert.charge_point_id, TECHNICIAN if tech else RESET, kind.name, 1.0,
                       float(tech), [], kind.parts, "error_code")
    if router is None:
        return Routing(alert.charge_point_id, RESET, "unknown", alert.probability, 0.0,
                       basis="no_router")
    x = np.array([[alert.features.get(c, np.nan) for c in router.columns]], dtype=float)
    return router.route_rows([alert.charge_point_id], x)[0]


def current_router(data_dir: Path) -> Router | None:
    """The router of the model scoring uses (the folder's own newest, else the default); None
    for a model saved before routing existed."""
    fitted, _card, _folder = store.load_current(data_dir)
    router = getattr(fitted, "router", None)
    return router if isinstance(router, Router) else None


# --- training -------------------------------------------------------------------------------


def onset_codes(part: Frame, faults: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The positive rows of ``part`` and the onset code of the fault each one precedes."""
    positive = np.flatnonzero(part.y == 1)
    keys = part.keys[positive].select("charge_point_id", "next_fault_start_at")
    codes = faults.select(
        "charge_point_id",
        pl.col("start_at").alias("next_fault_start_at"),
        pl.col("error_code").fill_null(NO_CODE),
    ).unique(["charge_point_id", "next_fault_start_at"])
    labelled = keys.join(codes, on=["charge_point_id", "next_fault_start_at"], how="left")
    return positive, labelled["error_code"].fill_null(NO_CODE).to_numpy().astype(str)


def _candidates(columns: list[str], seed: int) -> dict[str, Any]:
    categorical = [i for i, c in enumerate(columns) if c.endswith("_code")]
    return {
        "gradient_boosting": HistGradientBoostingClassifier(
            # 40 rounds: a few dozen faults per class; and the pickle ships (150: 0.66 MB)
            max_iter=40, learning_rate=0.1, max_depth=3, min_samples_leaf=20,
            l2_regularization=1.0,
            categorical_features=categorical or None, random_state=seed,
        ),
        "logistic_regression": make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True),
            FunctionTransformer(_signed_log1p), StandardScaler(),
            LogisticRegression(max_iter=2000, C=0.5),
        ),
    }  # fmt: skip


@dataclass(frozen=True)
class RouterFit:
    router: Router
    card: dict[str, Any]


def fit_router(split: Split, faults: pl.DataFrame, seed: int = 0) -> RouterFit:
    """Fit each candidate on the training weeks' positive hours, keep the best on validation
    (balanced accuracy of reset vs technician), report its confusion matrices on test."""
    rows = {n: onset_codes(p, faults) for n, p in
            (("train", split.train), ("valid", split.valid), ("test", split.test))}
    x = {n: getattr(split, n).x[r[0]] for n, r in rows.items()}
    codes = {n: r[1] for n, r in rows.items()}
    if len(set(codes["train"])) < 2:
        raise NotEnoughDataError("the training weeks' faults all carry one error code: "
                                 "nothing to route between")
    tech = {n: np.array([needs_technician(c) for c in v]) for n, v in codes.items()}
    scores: dict[str, float] = {}
    fitted: dict[str, Router] = {}
    weight = _side_weights(tech["train"])
    for name, model in _candidates(split.train.columns, seed).items():
        if hasattr(model, "steps"):  # a pipeline: the weight goes to its last step
            step = model.steps[-1][0]
            model.fit(x["train"], codes["train"], **{f"{step}__sample_weight": weight})
        else:
            model.fit(x["train"], codes["train"], sample_weight=weight)
        classes = [str(c) for c in model.classes_]
        router = Router(model, classes, split.train.columns, _no_explainer(split.train.columns))
        scores[name] = _balanced(tech["valid"], router.technician_p(x["valid"]) >= TECHNICIAN_AT)
        fitted[name] = router
    best = max(fitted, key=lambda n: scores[n])
    router = fitted[best]
    router = Router(router.model, router.codes, router.columns,
                    _explainer(router, x["train"], x["valid"], tech["valid"], seed))
    card = {
        "model": best,
        "label": "the onset error code of the fault each positive hour precedes (faults mart)",
        "technician_at": TECHNICIAN_AT,
        "classes": router.codes,
        "rows": {n: len(v) for n, v in codes.items()},
        "validation_balanced_accuracy": scores,
        "test": confusion(router, x["test"], codes["test"]),
    }
    return RouterFit(router, card)


def _side_weights(tech: np.ndarray) -> np.ndarray:
    """Reset and technician rows weigh the same in all, each side's codes in their own
    proportions (chosen on validation, 0.77 against 0.76 for ``class_weight="balanced"``,
    which weighs each code alike and so gives the technician side 4 of 6 codes' weight)."""
    share = tech.mean()
    return np.asarray(np.where(tech, 0.5 / max(share, 1e-9), 0.5 / max(1 - share, 1e-9)))


def confusion(router: Router, x: np.ndarray, codes: np.ndarray) -> dict[str, Any]:
    """Hourly confusion matrices on ``x``: reset vs technician, and by fault type."""
    true_tech = np.array([needs_technician(c) for c in codes])
    routed = router.route_rows([""] * len(codes), x) if len(codes) else []
    pred_tech = np.array([r.technician for r in routed], dtype=bool)
    matrix = _matrix(true_tech, pred_tech)
    by_type: dict[str, dict[str, int]] = {}
    for c, r in zip(codes, routed, strict=True):
        row = by_type.setdefault(kind_of(str(c)).name, {})
        row[r.fault_type] = row.get(r.fault_type, 0) + 1
    return {
        "rows": len(codes),
        "reset_vs_technician": matrix,
        "balanced_accuracy": _balanced(true_tech, pred_tech),
        "technician_recall": _share(pred_tech[true_tech]),
        "technician_precision": _share(true_tech[pred_tech]),
        "by_type": by_type,
    }


def _balanced(y: np.ndarray, pred: np.ndarray) -> float:
    if len(set(y.tolist())) < 2:
        return float((y == pred).mean()) if len(y) else float("nan")
    return float(balanced_accuracy_score(y, pred))


def _share(v: np.ndarray) -> float | None:
    return float(v.mean()) if v.size else None


def _no_explainer(columns: list[str]) -> explain.Explainer:
    n = len(columns)
    return explain.Explainer(columns, [0.0] * n, [1.0] * n, [0.0] * n)


def _explainer(
    router: Router, x_train: np.ndarray, x_valid: np.ndarray, tech_valid: np.ndarray, seed: int
) -> explain.Explainer:
    """z-score x permutation importance, for the technician probability (as the fault model's
    explainer is for its own)."""
    rng = np.random.default_rng(seed)
    base = _balanced_score(tech_valid, router.technician_p(x_valid))
    importance = []
    for j in range(x_valid.shape[1]):
        shuffled = x_valid.copy()
        shuffled[:, j] = rng.permutation(shuffled[:, j])
        importance.append(max(base - _balanced_score(tech_valid, router.technician_p(shuffled)),
                              0.0))
    return explain.Explainer(
        router.columns,
        np.nan_to_num(np.nanmean(x_train, axis=0)).tolist(),
        np.nan_to_num(np.nanstd(x_train, axis=0)).tolist(),
        importance,
    )


def _balanced_score(y: np.ndarray, p: np.ndarray) -> float:
    """Mean probability given to the right side, per class: smooth, so a permutation that
    hurts shows even when no decision flips."""
    if len(set(y.tolist())) < 2:
        return 0.0
    return float((p[y].mean() + (1 - p[~y]).mean()) / 2)


def at_first_alert(
    router: Router,
    test: Frame,
    p: np.ndarray,
    threshold: float,
    faults: pl.DataFrame,
    truth: pl.DataFrame | None = None,
) -> dict[str, Any]:
    """Per test fault the fault model alerted on (its first hour over ``threshold`` in the H
    hours before onset), the route taken there: what the policy would have done. Against the
    onset code, and against the simulator's truth (``curable``) when given."""
    positive, codes = onset_codes(test, faults)
    alerted = positive[p[positive] >= threshold]
    keys = test.keys[alerted].with_columns(
        pl.Series("code", codes[p[positive] >= threshold]), pl.Series("_i", alerted)
    )
    first = keys.sort("feature_at").group_by("charge_point_id", "next_fault_start_at").first()
    rows = first["_i"].to_numpy()
    routed = router.route_rows(first["charge_point_id"].to_list(), test.x[rows])
    pred = np.array([r.technician for r in routed], dtype=bool)
    true = np.array([needs_technician(c) for c in first["code"].to_list()], dtype=bool)
    out: dict[str, Any] = {"episodes": len(rows), "vs_onset_code": _matrix(true, pred)}
    if truth is not None and len(rows):
        out["vs_truth"] = _matrix(_truth_technician(first, truth), pred)
    return out


def _truth_technician(first: pl.DataFrame, truth: pl.DataFrame) -> np.ndarray:
    """The simulator's ``curable`` flag of the fault nearest each onset (within 30 minutes)."""
    faults = (
        truth.filter(pl.col("kind") == "fault")
        .select("charge_point_id", pl.col("start").alias("next_fault_start_at"), "curable")
        .sort("next_fault_start_at")
    )
    joined = first.sort("next_fault_start_at").join_asof(
        faults, on="next_fault_start_at", by="charge_point_id", strategy="nearest",
        tolerance="30m", check_sortedness=False,  # sorted within each charger: enough
    )
    order = {i: k for k, i in enumerate(first["_i"].to_list())}
    tech = np.zeros(first.height, dtype=bool)
    for i, curable in zip(joined["_i"].to_list(), joined["curable"].to_list(), strict=True):
        tech[order[i]] = curable is False
    return tech


def _matrix(true: np.ndarray, pred: np.ndarray) -> dict[str, dict[str, int]]:
    """Rows: the true route; columns: the one taken."""
    out: dict[str, dict[str, int]] = {}
    for t in (RESET, TECHNICIAN):
        row = true == (t == TECHNICIAN)
        out[f"true_{t}"] = {
            f"routed_{r}": len(np.flatnonzero(row & (pred == (r == TECHNICIAN))))
            for r in (RESET, TECHNICIAN)
        }
    return out
