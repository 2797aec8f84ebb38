"""Several CSMS nodes as one: what they share through a broker.

- ``broker``: the :class:`Broker` protocol the hub talks to, and what it needs from the hub.
- ``local``: the single-node broker (no ``--broker``): nothing shared, today's behaviour, no
  Redis import.
- ``redis_broker``: Redis: presence (charger -> node, with a TTL the node refreshes), open
  transactions, OCPP 1.6 transaction ids unique across nodes, and the relay of remote commands
  to the node holding the charger (``relay``). Its Lua scripts and key names are in ``scripts``;
  the JSON of what goes through Redis is in ``codec``; ``ids`` keeps a block of transaction ids
  for when Redis is away; ``tasks`` stops background tasks despite redis-py swallowing some
  cancellations.
- ``factory``: ``--broker URL`` -> a broker, with a clear error for a bad URL.

Operations, guarantees and the balancer: docs/scale-out.md.
"""
