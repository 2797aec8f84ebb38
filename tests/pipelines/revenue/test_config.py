"""Site tariffs and partners config: shipped defaults, resolution, validation errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipelines.errors import ConfigFileError
from pipelines.tariffs import ocpi, utility

UTILITIES = utility.load()


def _tariff(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "T1",
        "currency": "USD",
        "elements": [{"price_components": [{"type": "ENERGY", "price": 0.4, "step_size": 1}]}],
    }
    return base | over


def _write(tmp_path: Path, doc: Any, name: str = "tariffs.json") -> Path:
    (tmp_path / name).write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return tmp_path


def _config(**over: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "tariffs": [_tariff()],
        "default": {"tariff_id": "T1", "utility_tariff": "SCE TOU-EV-8"},
    }
    return doc | over


def test_shipped_defaults_load() -> None:
    doc, path = ocpi.load_tariffs(None, UTILITIES)
    assert path.parent == ocpi.DEFAULTS_DIR
    assert {t.id for t in doc.tariffs} == {"US-AC", "US-DC"}
    partners = {r["partner"]: r for r in ocpi.partner_rows(ocpi.load_partners(None))}
    assert set(partners) == {None, "CPO-APP", "EMSP-ROAMY", "EMSP-PLUGPAY", "EMSP-FLEETCO"}
    assert partners["CPO-APP"]["fee_pct"] == 0
    assert partners["CPO-APP"]["fee_per_session_usd"] == 0


def test_site_resolution(tmp_path: Path) -> None:
    doc = _config(
        tariffs=[_tariff(), _tariff(id="T2")],
        sites={"S09": {"tariff_id": "T2", "utility_tariff": "sce_tou_ev_8_oct_2018"}},
        utility_by_address=[{"contains": "Lompoc", "utility_tariff": "PGE A-10 TOU"}],
    )
    cfg, _ = ocpi.load_tariffs(_write(tmp_path, doc), UTILITIES)
    sites = [("S01", "Transit Center", "1 State St, Santa Barbara"), ("S04", None, "Lompoc, CA")]
    rows = {r["site_id"]: r for r in ocpi.site_rows(cfg, UTILITIES, sites)}
    assert rows[None]["utility_tariff"] == "sce_tou_ev_8_june_2019"  # default, by name
    assert rows["S01"]["utility_source"] == "default"
    assert rows["S04"]["utility_tariff"] == "pge_a10_tou_aug_2019"  # address rule
    assert rows["S09"] == {
        "site_id": "S09",  # only in the config: still gets a row
        "ac_tariff_id": "T2",
        "dc_tariff_id": "T2",  # a site's single tariff_id serves its DC chargers too
        "utility_tariff": "sce_tou_ev_8_oct_2018",
        "utility_tariff_name": "SCE TOU-EV-8",
        "utility_source": "site",
    }


def test_components_flatten_restrictions(tmp_path: Path) -> None:
    element = {
        "price_components": [{"type": "PARKING_TIME", "price": 24, "step_size": 60}],
        "restrictions": {"start_time": "22:00", "end_time": "06:30", "day_of_week": ["SUNDAY"]},
    }
    doc = _config(tariffs=[_tariff(elements=[element], idle_grace_min=10)])
    cfg, _ = ocpi.load_tariffs(_write(tmp_path, doc), UTILITIES)
    [row] = ocpi.component_rows(cfg)
    # 22:00 = 1320 min, 06:30 = 390 min; Sunday = ISO day 7
    assert (row["start_minute"], row["end_minute"], row["days_of_week"]) == (1320, 390, "7")
    assert (row["type"], row["price"], row["step_size"], row["idle_grace_min"]) == (
        "PARKING_TIME",
        24,
        60,
        10,
    )


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("{not json", "invalid JSON at line 1"),
        (
            _config(tariffs=[_tariff(currency="EUR")]),
            r"tariffs\.0\.currency: tariffs must be in USD",
        ),
        (
            _config(default={"tariff_id": "T9", "utility_tariff": "SCE TOU-EV-8"}),
            r"default\.tariff_id 'T9' is not one of the tariffs' ids \['T1'\]",
        ),
        (
            _config(default={"tariff_id": "T1"}),
            "'default' needs a 'tariff_id' and a 'utility_tariff'",
        ),
        (
            _config(default={"tariff_id": "T1", "utility_tariff": "Edison Magic"}),
            "'Edison Magic' is unknown; use one of",
        ),
        (
            _config(tariffs=[_tariff(), _tariff()]),
            r"tariff id\(s\) \['T1'\] are defined more than once",
        ),
        (
            _config(
                tariffs=[
                    _tariff(
                        elements=[
                            {
                                "price_components": [{"type": "ENERGY", "price": 1}],
                                "restrictions": {"min_power": 50},
                            }
                        ]
                    )
                ]
            ),
            r"elements\.0\.restrictions\.min_power: not a supported field",
        ),
        (
            _config(
                tariffs=[
                    _tariff(
                        elements=[
                            {
                                "price_components": [{"type": "ENERGY", "price": 1}],
                                "restrictions": {"start_time": "25:00"},
                            }
                        ]
                    )
                ]
            ),
            "between 00:00 and 23:59",
        ),
        (
            _config(
                tariffs=[_tariff(elements=[{"price_components": [{"type": "KWH", "price": 1}]}])]
            ),
            r"price_components\.0\.type",
        ),
        (
            _config(
                tariffs=[_tariff(elements=[{"price_components": [{"type": "FLAT", "price": -1}]}])]
            ),
            r"price_components\.0\.price",
        ),
        (_config(sites={"S1": {"tariff_id": "T1", "colour": "red"}}), r"sites\.S1\.colour"),
    ],
)
def test_tariff_config_errors(tmp_path: Path, doc: Any, message: str) -> None:
    with pytest.raises(ConfigFileError, match=message) as err:
        ocpi.load_tariffs(_write(tmp_path, doc), UTILITIES)
    assert str(tmp_path / "tariffs.json") in str(err.value)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"partners": {"EMSP-X": {"fee_pct": 150}}}, r"partners\.EMSP-X\.fee_pct"),
        ({"partners": {"EMSP-X": {"fee_per_session": "lots"}}}, "fee_per_session"),
        ({"default": {}}, r"partners: Field required"),
    ],
)
def test_partner_config_errors(tmp_path: Path, doc: Any, message: str) -> None:
    with pytest.raises(ConfigFileError, match=message):
        ocpi.load_partners(_write(tmp_path, doc, "partners.json"))
