"""Who may call the API: bearer tokens from the registry, each with scopes (``read``,
``command``, ``admin``), checked per route. A missing, unknown or revoked token is 401; a
token without the route's scope is 403. Uses are counted per token and written to the
registry at most once a second (a write costs an fsync; a request must not)."""

from __future__ import annotations

import time

from csms_lite.registry.tokens import ApiToken, TokenStore

FLUSH_EVERY_S = 1.0


class Authenticator:
    def __init__(self, tokens: TokenStore) -> None:
        self.tokens = tokens
        self._uses: dict[str, tuple[int, float]] = {}
        self._flushed = time.monotonic()

    def check(self, header: str, scope: str) -> ApiToken | tuple[int, str]:
        """The caller's token, or (HTTP status, why) to refuse it."""
        scheme, _, secret = header.partition(" ")
        token = self.tokens.find(secret) if scheme == "Bearer" and secret else None
        if token is None:
            return 401, ("missing or unknown bearer token (cpo tokens create; the local "
                         "operator token is in <data-dir>/api_token)")
        if not token.active:
            return 401, f"token {token.name!r} was revoked"
        self._used(token.name)
        if scope not in token.scopes:
            return 403, f"token {token.name!r} lacks the {scope!r} scope this endpoint needs"
        return token

    def _used(self, name: str) -> None:
        count, _ = self._uses.get(name, (0, 0.0))
        self._uses[name] = (count + 1, time.time())
        if time.monotonic() - self._flushed >= FLUSH_EVERY_S:
            self.flush()

    def flush(self) -> None:
        uses, self._uses = self._uses, {}
        self._flushed = time.monotonic()
        if uses:
            self.tokens.record_uses(uses)
