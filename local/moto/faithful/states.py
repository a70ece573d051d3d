"""Statuses before `available`, and deletes that take a while.

AWS answers every create, restore, snapshot, password reset and delete at once but finishes it
later: the resource shows a transitional status (`creating`, `resetting-master-credentials`,
`modifying`, `deleting`) until then. Status values: RDS User Guide, "Viewing Amazon RDS DB
instance status" (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html)
and Aurora User Guide, "Viewing DB cluster status"
(https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/accessing-monitoring.html).

Transitions are applied at the start of each RDS request (under config.LOCK), so a request always
sees what is due (deterministic in tests), and also by a small ticker thread (``start_ticker``,
under the same lock): a transition emits its RDS event (events.py), and a consumer that waits for
that event instead of polling must get it on time even if nobody calls RDS.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from typing import Any, Callable

from . import config

_pending: list[tuple[float, int, Callable[[], None]]] = []
_sequence = itertools.count()
CLUSTER_STATUS_ATTR = "_dbfork_status"


def clear() -> None:
    with config.LOCK:
        _pending.clear()


def advance(now: float | None = None) -> None:
    """Apply every transition that is due."""
    now = time.monotonic() if now is None else now
    while _pending and _pending[0][0] <= now:
        _, _, apply = heapq.heappop(_pending)
        apply()


def schedule(delay_seconds: float, apply: Callable[[], None]) -> None:
    heapq.heappush(_pending, (time.monotonic() + delay_seconds, next(_sequence), apply))


def status_of(resource: Any) -> str:
    return str(resource.__dict__.get(CLUSTER_STATUS_ATTR) or resource.status)


def set_status(resource: Any, status: str, *copies: Any) -> None:
    for target in (resource, *copies):
        if _is_cluster(target):
            # moto's DBCluster.status getter turns `creating` into `available` on first read;
            # the faithful status is kept beside it (see install_cluster_status).
            if status == "available":
                target.__dict__.pop(CLUSTER_STATUS_ATTR, None)
                target._status = "available"
            else:
                target.__dict__[CLUSTER_STATUS_ATTR] = status
        else:
            target.status = status


def begin(
    resource: Any,
    transitional: str,
    final: str,
    kind: str,
    *copies: Any,
    then: Callable[[str], None] | None = None,
) -> None:
    """Show ``transitional`` now and ``final`` once the delay of ``kind`` has passed; ``then(final)``
    runs when the final status is applied (not when something else changed the status meanwhile)."""
    set_status(resource, transitional, *copies)

    def finish() -> None:
        if status_of(resource) == transitional:
            set_status(resource, final)
            if then is not None:
                then(final)

    schedule(config.delay_seconds(kind), finish)


def begin_delete(
    container: dict[str, Any], key: str, resource: Any, then: Callable[[], None] | None = None
) -> None:
    """moto has already removed ``resource``; keep it visible as `deleting` for a while, then run
    ``then()`` once it is gone."""
    if key in container:
        return
    container[key] = resource
    set_status(resource, "deleting")

    def finish() -> None:
        if container.get(key) is resource:
            del container[key]
            if then is not None:
                then()

    schedule(config.delay_seconds("delete"), finish)


TICK_SECONDS = 0.02
_ticker_started = False


def start_ticker() -> None:
    """Apply due transitions every TICK_SECONDS, under the lock requests run under (once)."""
    global _ticker_started
    if _ticker_started:
        return
    _ticker_started = True

    def tick() -> None:
        while True:
            time.sleep(TICK_SECONDS)
            if not _pending:
                continue  # read without the lock: a miss is caught on the next tick
            try:
                with config.LOCK:
                    advance()
            except Exception as error:  # noqa: BLE001 - one failing transition must not stop the others
                import sys

                print(f"[dbfork moto launcher] faithful transition failed: {error!r}", file=sys.stderr, flush=True)

    threading.Thread(target=tick, name="faithful-transition-ticker", daemon=True).start()


def _is_cluster(resource: Any) -> bool:
    return type(resource).__name__ == "DBCluster"


def install_cluster_status() -> None:
    """Make DBCluster.status report the faithful status while one is set."""
    from moto.rds.models import DBCluster

    original = DBCluster.__dict__["status"]

    def getter(self: Any) -> str:
        held = self.__dict__.get(CLUSTER_STATUS_ATTR)
        return str(held) if held else original.fget(self)

    def setter(self: Any, value: str) -> None:
        # moto sets a status itself (stop/start/failover): its word then wins.
        self.__dict__.pop(CLUSTER_STATUS_ATTR, None)
        original.fset(self, value)

    DBCluster.status = property(getter, setter)

    # A restore copies the source cluster's attributes (DBCluster.get_cfg): not its faithful status.
    original_get_cfg = DBCluster.get_cfg

    def get_cfg(self: Any) -> dict[str, Any]:
        cfg = original_get_cfg(self)
        cfg.pop(CLUSTER_STATUS_ATTR, None)
        return cfg

    DBCluster.get_cfg = get_cfg
