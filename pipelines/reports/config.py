"""Report settings in ``<data>/config/``, apart from ``partners.json`` (roaming fees, unchanged):

``site_hosts.json``: who owns which sites and their revenue share::

    {"default_share_pct": 10,
     "hosts": {"HOST-HARBOR": {"name": "Harbor District", "sites": ["S01", "S02"],
                               "revenue_share_pct": 12.5}}}

Sites no host lists are each their own host ``HOST-<site_id>`` at ``default_share_pct``
(10 % when the file or the field is absent).

``partner_delivery.json``: where to push each partner's reports and the HMAC secret (given
directly, or better the name of an environment variable holding it), plus OCPI party ids::

    {"cpo": {"country_code": "US", "party_id": "CPO"},
     "partners": {"EMSP-ROAMY": {"url": "https://roamy.example/cdrs", "secret_env": "ROAMY_KEY",
                                 "country_code": "US", "party_id": "RMY"}}}
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipelines.errors import ConfigFileError

DEFAULT_SHARE_PCT = 10.0
SITE_HOSTS = "site_hosts.json"
DELIVERY = "partner_delivery.json"
PARTNER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class Host(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    sites: list[str] = Field(min_length=1)
    revenue_share_pct: float | None = Field(default=None, ge=0, le=100)


class SiteHostsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    default_share_pct: float = Field(default=DEFAULT_SHARE_PCT, ge=0, le=100)
    hosts: dict[str, Host] = {}


class Party(BaseModel):
    model_config = ConfigDict(extra="forbid")
    country_code: str = Field(default="US", pattern=r"^[A-Z]{2}$")
    party_id: str = Field(default="CPO", pattern=r"^[A-Z0-9]{3}$")


class Endpoint(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str | None = None
    secret: str | None = None
    secret_env: str | None = None
    country_code: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    party_id: str | None = Field(default=None, pattern=r"^[A-Z0-9]{3}$")
    timeout_s: float = Field(default=10.0, gt=0)
    max_attempts: int = Field(default=4, ge=1, le=10)


class DeliveryFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cpo: Party = Party()
    partners: dict[str, Endpoint] = {}


def _load(path: Path, model: type[BaseModel]) -> Any:
    if not path.is_file():
        return model()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigFileError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        lines = [
            f"  {'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}"
            for e in exc.errors()[:10]
        ]
        raise ConfigFileError(
            f"{path} is not valid (format: pipelines/reports/config.py):\n" + "\n".join(lines)
        ) from None


def load_site_hosts(
    config_dir: Path, site_ids: list[str]
) -> dict[str, tuple[str, list[str], float]]:
    """host id -> (name, sites, share %); every known site belongs to exactly one host."""
    path = config_dir / SITE_HOSTS
    doc: SiteHostsFile = _load(path, SiteHostsFile)
    hosts: dict[str, tuple[str, list[str], float]] = {}
    owner: dict[str, str] = {}
    for host_id, host in sorted(doc.hosts.items()):
        check_partner_id(host_id, path)
        for site in host.sites:
            if site in owner:
                raise ConfigFileError(
                    f"{path}: site {site!r} is listed by both {owner[site]!r} and {host_id!r}; "
                    "a site has one host"
                )
            owner[site] = host_id
        share = doc.default_share_pct if host.revenue_share_pct is None else host.revenue_share_pct
        hosts[host_id] = (host.name or host_id, sorted(host.sites), share)
    for site in sorted(set(site_ids) - set(owner)):
        hosts[f"HOST-{site}"] = (f"Host of site {site}", [site], doc.default_share_pct)
    return hosts


def load_delivery(config_dir: Path) -> DeliveryFile:
    path = config_dir / DELIVERY
    doc: DeliveryFile = _load(path, DeliveryFile)
    for partner, endpoint in doc.partners.items():
        if endpoint.url is not None:
            check_url(endpoint.url, f"{path}: partners.{partner}.url")
    return doc


def load_endpoint(path: Path) -> Endpoint | None:
    """One endpoint file (e.g. ``config/field_service.json``, shaped like a partner's entry
    of ``partner_delivery.json``); None without the file or its url."""
    if not path.is_file():
        return None
    endpoint: Endpoint = _load(path, Endpoint)
    if endpoint.url is None:
        return None
    check_url(endpoint.url, f"{path}: url")
    return endpoint


def check_url(url: str, where: str) -> None:
    """HTTPS only; plain http is accepted for loopback (tests, a local relay)."""
    parsed = urlparse(url)
    if parsed.scheme == "https" or (parsed.scheme == "http" and parsed.hostname in LOCAL_HOSTS):
        return
    raise ConfigFileError(f"{where} {url!r} must be an https:// URL (http only for 127.0.0.1)")


def secret_of(endpoint: Endpoint, partner: str, where: str = f"config/{DELIVERY}") -> bytes:
    if endpoint.secret_env:
        value = os.environ.get(endpoint.secret_env)
        if not value:
            raise ConfigFileError(
                f"partner {partner}: environment variable {endpoint.secret_env} (its HMAC secret) "
                f"is not set; export it or set 'secret' in {where}"
            )
        return value.encode()
    if endpoint.secret:
        return endpoint.secret.encode()
    raise ConfigFileError(
        f"partner {partner}: no HMAC secret; set 'secret_env' (preferred) or 'secret' in "
        f"{where}"
    )


def check_partner_id(partner: str, where: Path | str) -> None:
    """Partner ids name outbox folders and Dagster partitions: keep them filesystem-safe."""
    if not PARTNER_ID.match(partner):
        raise ConfigFileError(
            f"{where}: partner/host id {partner!r} may hold only letters, digits, '.', '_', '-'"
        )
