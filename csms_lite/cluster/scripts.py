"""Redis key names and the Lua scripts the Redis broker runs (each one atomic, one round trip).

Keys (``PREFIX`` = ``cpo:``):

- ``cpo:presence:<cp>``  ``node|connection|version`` of the connection holding the charger, with
  a TTL the holding node refreshes (a node that dies stops refreshing; its chargers reconnect
  elsewhere and overwrite it sooner).
- ``cpo:tx:<cp>``  hash: open transaction id -> JSON of its state (``codec``); expires a week
  after its last write, so a charger that never comes back leaves nothing forever.
- ``cpo:txid``  the last OCPP 1.6 transaction id handed out, cluster-wide.
- ``cpo:txstart:<sha1>``  the id given to one StartTransaction (charger, connector, idTag,
  meterStart, timestamp), for a day: a start retried on another node gets the same id.
- channels ``cpo:cmd:<node>`` (commands for that node) and ``cpo:reply:<node>`` (results of the
  commands that node forwarded).
"""

from __future__ import annotations

import hashlib

PREFIX = "cpo:"
TX_COUNTER = PREFIX + "txid"
TX_TTL_S = 7 * 24 * 3600
TX_START_TTL_S = 24 * 3600


def presence_key(cp_id: str) -> str:
    return f"{PREFIX}presence:{cp_id}"


def transactions_key(cp_id: str) -> str:
    return f"{PREFIX}tx:{cp_id}"


def start_key(cp_id: str, connector_id: int, id_tag: str, meter_start: int,
              timestamp: str) -> str:
    digest = hashlib.sha1(
        "\x1f".join(map(str, (cp_id, connector_id, id_tag, meter_start, timestamp))).encode(),
        usedforsecurity=False,
    ).hexdigest()
    return f"{PREFIX}txstart:{digest}"


def command_channel(node_id: str) -> str:
    return f"{PREFIX}cmd:{node_id}"


def reply_channel(node_id: str) -> str:
    return f"{PREFIX}reply:{node_id}"


# KEYS: start key, counter, transactions hash. ARGV: start ttl, floor, tx json, tx ttl.
# -> {id, duplicate}. ``floor``: the highest id the calling node knows was handed out, so a
# Redis that lost its data never hands out an id twice to that node's knowledge.
START_TRANSACTION = """
local known = redis.call('GET', KEYS[1])
if known then return {tonumber(known), 1} end
local id = redis.call('INCR', KEYS[2])
local floor = tonumber(ARGV[2])
if id <= floor then
  id = floor + 1
  redis.call('SET', KEYS[2], id)
end
redis.call('SET', KEYS[1], id, 'EX', ARGV[1])
redis.call('HSET', KEYS[3], tostring(id), ARGV[3])
redis.call('EXPIRE', KEYS[3], ARGV[4])
return {id, 0}
"""

# KEYS: counter. ARGV: block size, floor. -> the last id of a block of ids kept for later.
RESERVE_IDS = """
local n = tonumber(ARGV[1])
local top = redis.call('INCRBY', KEYS[1], n)
local floor = tonumber(ARGV[2])
if top - n < floor then
  top = floor + n
  redis.call('SET', KEYS[1], top)
end
return top
"""

# KEYS: presence key, transactions hash. ARGV: node id, tx ttl, id1, json1, id2, json2...
# Replaces the charger's open transactions, unless another node holds the charger now (a late
# write of a node it left must not undo the newer node's). -> 1 written, 0 skipped.
PUT_TRANSACTIONS = """
local owner = redis.call('GET', KEYS[1])
if owner and string.sub(owner, 1, #ARGV[1] + 1) ~= ARGV[1] .. '|' then return 0 end
redis.call('DEL', KEYS[2])
if #ARGV > 2 then
  redis.call('HSET', KEYS[2], unpack(ARGV, 3))
  redis.call('EXPIRE', KEYS[2], ARGV[2])
end
return 1
"""

# KEYS: presence key. ARGV: ``node|connection|``. Drops the claim only if it is still that
# connection's (a newer connection of the charger, here or elsewhere, keeps its claim).
RELEASE = """
local now = redis.call('GET', KEYS[1])
if now and string.sub(now, 1, #ARGV[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS: presence keys. ARGV: ttl ms, then one value per key. Extends this node's claims, and
# restores those Redis lost; leaves alone those another node holds now.
REFRESH = """
local ttl = ARGV[1]
for i, key in ipairs(KEYS) do
  local mine = ARGV[i + 1]
  local now = redis.call('GET', key)
  if not now then
    redis.call('SET', key, mine, 'PX', ttl)
  elseif now == mine then
    redis.call('PEXPIRE', key, ttl)
  end
end
return #KEYS
"""
