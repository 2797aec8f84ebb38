"""Site tariffs (OCPI 2.2.1 ``Tariff`` objects) and roaming partners' fees, from config files.

``<data>/config/tariffs.json`` (else the shipped ``defaults/tariffs.json``)::

    {"tariffs": [<OCPI 2.2.1 Tariff>, ...],
     "default": {"tariff_id": "US-AC", "dc_tariff_id": "US-DC", "utility_tariff": "SCE TOU-EV-8"},
     "sites": {"S04": {"utility_tariff": "PGE A-10 TOU"}},          # per site, overrides default
     "utility_by_address": [{"contains": "Lompoc", "utility_tariff": "PGE A-10 TOU"}]}

A site's AC chargers use ``tariff_id``, its DC chargers ``dc_tariff_id`` (else ``tariff_id``).
A site's utility tariff: its own entry, else the first ``utility_by_address`` rule whose text is
in the site's name or address, else the default. ``utility_tariff`` is a file id
(``sce_tou_ev_8_june_2019``) or a name (the latest file of that name).

OCPI subset: price component types ENERGY ($/kWh), TIME ($/hour charging), PARKING_TIME ($/hour
not charging), FLAT ($/session); ``step_size`` (Wh or s) rounds the session's billed volume up.
Restrictions: ``start_time``/``end_time`` (local HH:MM, end exclusive, may wrap midnight),
``start_date``/``end_date``, ``day_of_week``, ``min_duration``/``max_duration`` (s since start).
Other restrictions (kWh, current, power, reservation) are refused rather than silently ignored.
Workbench extension: ``idle_grace_min`` on a tariff, idle minutes not billed as PARKING_TIME.
Prices are excl. VAT, in USD (the utility tariffs' currency, so margins add up).

``<data>/config/partners.json`` (else ``defaults/partners.json``)::

    {"partners": {"EMSP-ROAMY": {"fee_pct": 10, "fee_per_session": 0.30}, ...},
     "default": {"fee_pct": 0, "fee_per_session": 0}}       # sessions of unknown partners
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipelines.errors import ConfigFileError
from pipelines.tariffs import utility

M = TypeVar("M", bound=BaseModel)
DEFAULTS_DIR = Path(__file__).parent / "defaults"
DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
Day = Literal["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]


def _hhmm(value: str | None) -> str | None:
    if value is None:
        return None
    parts = value.split(":")
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 2 for p in parts):
        raise ValueError("must be a local time 'HH:MM'")
    if int(parts[0]) > 23 or int(parts[1]) > 59:
        raise ValueError("must be a local time between 00:00 and 23:59")
    return value


class PriceComponent(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["ENERGY", "TIME", "PARKING_TIME", "FLAT"]
    price: float = Field(ge=0)
    vat: float | None = None
    step_size: int = Field(default=1, ge=1)


class Restrictions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start_time: str | None = None
    end_time: str | None = None
    start_date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    end_date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    min_duration: int | None = Field(default=None, ge=0)
    max_duration: int | None = Field(default=None, ge=0)
    day_of_week: list[Day] | None = None

    _times = field_validator("start_time", "end_time")(_hhmm)


class Element(BaseModel):
    model_config = ConfigDict(extra="forbid")
    price_components: list[PriceComponent] = Field(min_length=1)
    restrictions: Restrictions | None = None


class Tariff(BaseModel):
    model_config = ConfigDict(extra="allow")  # OCPI's country_code, party_id, tariff_alt_text...
    id: str = Field(min_length=1, max_length=36)
    currency: Literal["USD"]
    elements: list[Element] = Field(min_length=1)
    idle_grace_min: float = Field(default=0, ge=0)


class SiteRates(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tariff_id: str | None = None
    dc_tariff_id: str | None = None
    utility_tariff: str | None = None


class AddressRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contains: str = Field(min_length=1)
    utility_tariff: str


class TariffsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tariffs: list[Tariff] = Field(min_length=1)
    default: SiteRates
    sites: dict[str, SiteRates] = {}
    utility_by_address: list[AddressRule] = []


class PartnerFee(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    fee_pct: float = Field(default=0, ge=0, le=100)
    fee_per_session: float = Field(default=0, ge=0)
    own: bool = False


class PartnersFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    partners: dict[str, PartnerFee]
    default: PartnerFee = PartnerFee()


_HINTS = {
    "currency": "tariffs must be in USD, the utility tariffs' currency",
    "extra_forbidden": "not a supported field (see pipelines/tariffs/ocpi.py for the format)",
}


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigFileError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from exc


def _validate(model: type[M], doc: Any, path: Path) -> M:
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        lines = []
        for err in exc.errors()[:10]:
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            hint = _HINTS.get(err["type"]) or (
                _HINTS["currency"] if err["loc"][-1:] == ("currency",) else err["msg"]
            )
            lines.append(f"  {where}: {hint}")
        raise ConfigFileError(f"{path} is not valid:\n" + "\n".join(lines)) from None


def config_file(config_dir: Path | None, name: str) -> Path:
    """``config_dir/name`` when it exists, else the shipped default."""
    if config_dir is not None and (config_dir / name).is_file():
        return config_dir / name
    return DEFAULTS_DIR / name


def load_tariffs(
    config_dir: Path | None, utilities: dict[str, utility.UtilityTariff]
) -> tuple[TariffsFile, Path]:
    path = config_file(config_dir, "tariffs.json")
    doc = _validate(TariffsFile, _read(path), path)
    ids = [t.id for t in doc.tariffs]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ConfigFileError(f"{path}: tariff id(s) {dupes} are defined more than once")
    if doc.default.tariff_id is None or doc.default.utility_tariff is None:
        raise ConfigFileError(f"{path}: 'default' needs a 'tariff_id' and a 'utility_tariff'")
    scopes: list[tuple[str, SiteRates | AddressRule]] = [("default", doc.default)]
    scopes += [(f"sites.{k}", v) for k, v in doc.sites.items()]
    scopes += [(f"utility_by_address.{n}", r) for n, r in enumerate(doc.utility_by_address)]
    for where, rates in scopes:
        for field in ("tariff_id", "dc_tariff_id"):
            ref = getattr(rates, field, None)
            if ref is not None and ref not in ids:
                raise ConfigFileError(
                    f"{path}: {where}.{field} {ref!r} is not one of the tariffs' ids {ids}"
                )
        if (
            rates.utility_tariff is not None
            and utility.resolve(utilities, rates.utility_tariff) is None
        ):
            names = sorted({t.name for t in utilities.values()} | set(utilities))
            raise ConfigFileError(
                f"{path}: {where}.utility_tariff {rates.utility_tariff!r} is unknown; use one of"
                f" {names} (or add a schedule file to config/utility_tariffs/)"
            )
    return doc, path


def load_partners(config_dir: Path | None) -> PartnersFile:
    path = config_file(config_dir, "partners.json")
    return _validate(PartnersFile, _read(path), path)


def _minute(hhmm: str | None) -> int | None:
    return None if hhmm is None else int(hhmm[:2]) * 60 + int(hhmm[3:])


def component_rows(doc: TariffsFile) -> list[dict[str, Any]]:
    """``tariff_components``: one row per tariff x element x price component, restrictions flat."""
    rows = []
    for tariff in doc.tariffs:
        for e, element in enumerate(tariff.elements):
            r = element.restrictions or Restrictions()
            for c, comp in enumerate(element.price_components):
                rows.append(
                    {
                        "tariff_id": tariff.id,
                        "currency": tariff.currency,
                        "idle_grace_min": tariff.idle_grace_min,
                        "element_no": e,
                        "component_no": c,
                        "type": comp.type,
                        "price": comp.price,
                        "vat": comp.vat,
                        "step_size": comp.step_size,
                        "start_minute": _minute(r.start_time),
                        "end_minute": _minute(r.end_time),
                        "start_date": r.start_date,
                        "end_date": r.end_date,
                        "min_duration_s": r.min_duration,
                        "max_duration_s": r.max_duration,
                        # ISO day numbers (1 = Monday), as DuckDB's isodow(); NULL = every day
                        "days_of_week": None
                        if r.day_of_week is None
                        else ",".join(str(DAYS.index(d) + 1) for d in r.day_of_week),
                    }
                )
    return rows


def site_rows(
    doc: TariffsFile,
    utilities: dict[str, utility.UtilityTariff],
    sites: list[tuple[str, str | None, str | None]],
) -> list[dict[str, Any]]:
    """``site_tariffs``: per site (id, name, address) known to the warehouse or the config, plus
    a row with site_id NULL: the default, for sessions of unknown sites."""
    known = {s[0]: s for s in sites}
    for configured in doc.sites:
        known.setdefault(configured, (configured, None, None))
    rows = []
    default = doc.default
    scopes: list[tuple[str | None, str | None, str | None]] = [(None, None, None)]
    for site_id, name, address in [*scopes, *sorted(known.values())]:
        own = doc.sites.get(site_id) if site_id is not None else None
        text = f"{name or ''} {address or ''}".upper()
        rule = next((r for r in doc.utility_by_address if r.contains.upper() in text), None)
        if own is not None and own.utility_tariff is not None:
            ref, source = own.utility_tariff, "site"
        elif rule is not None and site_id is not None:
            ref, source = rule.utility_tariff, f"address contains {rule.contains!r}"
        else:
            ref, source = str(default.utility_tariff), "default"
        ac = default.tariff_id
        dc = default.dc_tariff_id or ac
        if own is not None and (own.tariff_id or own.dc_tariff_id):
            ac = own.tariff_id or ac
            dc = own.dc_tariff_id or own.tariff_id or dc
        uid = utility.resolve(utilities, ref)
        rows.append(
            {
                "site_id": site_id,
                "ac_tariff_id": ac,
                "dc_tariff_id": dc,
                "utility_tariff": uid,
                "utility_tariff_name": utilities[uid].name if uid else None,
                "utility_source": source,
            }
        )
    return rows


def partner_rows(doc: PartnersFile) -> list[dict[str, Any]]:
    """``partners``: fee terms per partner, plus a row with partner NULL for unknown partners."""
    rows = []
    for key, fee in [(None, doc.default), *sorted(doc.partners.items())]:
        rows.append(
            {
                "partner": key,
                "name": fee.name or key,
                "own": fee.own,
                "fee_pct": 0.0 if fee.own else fee.fee_pct,
                "fee_per_session_usd": 0.0 if fee.own else fee.fee_per_session,
            }
        )
    return rows
