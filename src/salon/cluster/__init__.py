"""Many nodes: what `salon serve` processes share when `--redis-url` is given.

    model.py        the interfaces (pure): ApiLimiter, SignInLimiter, ClusterBus, RoomDirectory
    local.py        one process: in memory, no Redis (the default)
    redis_*.py      several nodes: the same interfaces over Redis (redis-py's asyncio client)
    wiring.py       the one place that picks one set or the other (`build_cluster`)

Every Redis call goes through `guard.RedisGuard`: when Redis cannot be reached, limits fail open
and reads fall back to this node's own rooms, with one warning a minute, never a 5xx.
"""
