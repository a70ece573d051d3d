"""The RDS events AWS documents for the state changes the faithful mode emulates, put on moto's
default EventBridge bus of the resource's account and region (so rules and targets there see them).

Event IDs, categories and descriptions: RDS User Guide, "Amazon RDS event categories and event
messages" (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html),
the Aurora User Guide page of the same name
(https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_Events.Messages.html) and,
for DocumentDB, "Amazon DocumentDB event categories and messages" ("Amazon DocumentDB uses existing
Amazon RDS event definitions and IDs";
https://docs.aws.amazon.com/documentdb/latest/developerguide/event-subscriptions.categories-messages.html).

The EventBridge shape (source ``aws.rds``; detail-type ``RDS DB Instance Event`` / ``RDS DB Cluster
Event`` / ``RDS DB Snapshot Event`` / ``RDS DB Cluster Snapshot Event``; detail EventCategories,
SourceType DB_INSTANCE / CLUSTER / SNAPSHOT / CLUSTER_SNAPSHOT, SourceArn, Date, Message,
SourceIdentifier, EventID): RDS User Guide "Overview of events for Amazon RDS"
(rds-cloudwatch-events.sample.html), Aurora User Guide "Overview of events for Aurora" and "Creating
a rule that triggers on an Amazon RDS event" (rds-cloud-watch-events.html), whose received event
carries the bare identifier (``"SourceIdentifier": "testdb"``); the samples page writes
``rds:<name>``. Bare identifiers are emitted here, as the tutorial and events seen on accounts show.

RDS events are best effort ("they might be out of sequence or missing", same pages): the
``events.dropFraction`` setting drops that fraction of them, deterministically, so that a consumer's
safety net can be exercised. Every emitted or dropped event is kept in a short log for tests
(``GET /dbfork-emulator/events``).
"""

from __future__ import annotations

import collections
import datetime
import json
from dataclasses import dataclass
from typing import Any, Callable

from . import config

SOURCE = "aws.rds"
LOG_SIZE = 1000

# resource model name -> (detail-type, detail.SourceType)
_SOURCES = {
    "DBInstance": ("RDS DB Instance Event", "DB_INSTANCE"),
    "DBInstanceClustered": ("RDS DB Instance Event", "DB_INSTANCE"),
    "DBCluster": ("RDS DB Cluster Event", "CLUSTER"),
    "DBSnapshot": ("RDS DB Snapshot Event", "SNAPSHOT"),
    "DBClusterSnapshot": ("RDS DB Cluster Snapshot Event", "CLUSTER_SNAPSHOT"),
}


@dataclass(frozen=True)
class RdsEvent:
    event_id: str
    category: str
    message: str


# --- DB instance events (RDS User Guide, "DB instance events"; same IDs for Aurora and DocumentDB) --
INSTANCE_CREATED = RdsEvent("RDS-EVENT-0005", "creation", "DB instance created")
INSTANCE_DELETED = RdsEvent("RDS-EVENT-0003", "deletion", "The DB instance has been deleted")
INSTANCE_PASSWORD_RESET = RdsEvent(
    "RDS-EVENT-0016", "configuration change", "The master password for the DB instance has been reset"
)
INSTANCE_RESTORED_FROM_SNAPSHOT = RdsEvent(
    "RDS-EVENT-0043",
    "restoration",
    "Restored from snapshot {snapshot}. The DB instance has been restored from a DB snapshot",
)
INSTANCE_RESTORED_TO_POINT_IN_TIME = RdsEvent(
    "RDS-EVENT-0019", "restoration", "The DB instance has been restored from a point-in-time backup"
)
INSTANCE_FAILED = RdsEvent(
    "RDS-EVENT-0031",
    "failure",
    "The DB instance has failed due to an incompatible configuration or an underlying storage issue. "
    "Begin a point-in-time-restore for the DB instance",
)
INSTANCE_INVALID_PARAMETERS = RdsEvent(
    "RDS-EVENT-0035",
    "failure",
    "The DB instance has invalid parameters. For example, if the DB instance could not start because a "
    "memory-related parameter is set too high for this instance class, the customer action would be to "
    "modify the memory parameter and reboot the DB instance",
)
INSTANCE_INCOMPATIBLE_NETWORK = RdsEvent(
    "RDS-EVENT-0036",
    "failure",
    "The DB instance is in an incompatible network. Some of the specified subnet IDs are invalid or do not exist",
)
INSTANCE_STORAGE_FULL = RdsEvent(
    "RDS-EVENT-0221",
    "availability",
    "The DB instance has reached the storage-full threshold, and the database has been shut down. "
    "You can increase the allocated storage to address this issue",
)

# --- DB cluster events (Aurora User Guide, "DB cluster events"; DocumentDB: cluster created/deleted) --
CLUSTER_CREATED = RdsEvent("RDS-EVENT-0170", "creation", "DB cluster created")
CLUSTER_DELETED = RdsEvent("RDS-EVENT-0171", "deletion", "DB cluster deleted")
# Listed for DB clusters in the current RDS and Aurora guides ("Reset master credentials").
CLUSTER_PASSWORD_RESET = RdsEvent("RDS-EVENT-0016", "configuration change", "Reset master credentials")
# Current RDS User Guide, DB cluster events, failure: "You can't create the DB cluster because of
# incompatible resources. {message}".
CLUSTER_FAILED = RdsEvent(
    "RDS-EVENT-0354",
    "failure",
    "You can't create the DB cluster because of incompatible resources. The DB cluster is in status {status}",
)

# --- DB snapshot / DB cluster snapshot events ------------------------------------------------------
SNAPSHOT_CREATING = RdsEvent("RDS-EVENT-0040", "creation", "A manual DB snapshot is being created")
SNAPSHOT_CREATED = RdsEvent("RDS-EVENT-0042", "creation", "A manual DB snapshot has been created")
CLUSTER_SNAPSHOT_CREATING = RdsEvent("RDS-EVENT-0074", "backup", "Creation of a manual DB cluster snapshot has started")
CLUSTER_SNAPSHOT_CREATED = RdsEvent("RDS-EVENT-0075", "backup", "A manual DB cluster snapshot has been created")

# The failure event of a restore that ends in a failure status (statuses: config.FAILURE_STATUSES).
_INSTANCE_FAILURE_BY_STATUS = {
    "incompatible-parameters": INSTANCE_INVALID_PARAMETERS,
    "incompatible-network": INSTANCE_INCOMPATIBLE_NETWORK,
    "storage-full": INSTANCE_STORAGE_FULL,
}


def instance_failure(status: str) -> RdsEvent:
    return _INSTANCE_FAILURE_BY_STATUS.get(status, INSTANCE_FAILED)


_log: collections.deque[dict[str, Any]] = collections.deque(maxlen=LOG_SIZE)
_drop_credit = 0.0


def clear() -> None:
    global _drop_credit
    with config.LOCK:
        _log.clear()
        _drop_credit = 0.0


def log() -> list[dict[str, Any]]:
    with config.LOCK:
        return list(_log)


def _should_drop() -> bool:
    """Drop exactly ``dropFraction`` of the events, spread evenly (a credit that fills by the
    fraction per event and pays one drop per whole unit): deterministic, no seed to manage."""
    global _drop_credit
    _drop_credit += config.drop_fraction()
    if _drop_credit >= 1.0 - 1e-9:
        _drop_credit -= 1.0
        return True
    return False


def _now_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


_IDENTIFIER_ATTRIBUTES = {
    "DBInstance": "db_instance_identifier",
    "DBInstanceClustered": "db_instance_identifier",
    "DBCluster": "db_cluster_identifier",
    "DBSnapshot": "db_snapshot_identifier",
    "DBClusterSnapshot": "db_cluster_snapshot_identifier",
}


def _identifier(resource: Any) -> str:
    attribute = _IDENTIFIER_ATTRIBUTES.get(type(resource).__name__, "resource_id")
    return str(getattr(resource, attribute, None) or resource.resource_id)


def entry_for(resource: Any, event: RdsEvent, **message_values: str) -> dict[str, Any] | None:
    """The EventBridge event for ``resource``, or None for a resource type RDS sends no events of."""
    source = _SOURCES.get(type(resource).__name__)
    if source is None:
        return None
    detail_type, source_type = source
    arn = str(resource.arn)
    return {
        "source": SOURCE,
        "detail-type": detail_type,
        "resources": [arn],
        "detail": {
            "EventCategories": [event.category],
            "SourceType": source_type,
            "SourceArn": arn,
            "Date": _now_iso(),
            "Message": event.message.format(**message_values),
            "SourceIdentifier": _identifier(resource),
            "EventID": event.event_id,
        },
    }


def emit(resource: Any, event: RdsEvent, warn: Callable[[str], None] | None = None, **message_values: str) -> None:
    """Put the event on the default bus of the resource's account and region (unless dropped)."""
    entry = entry_for(resource, event, **message_values)
    if entry is None:
        return
    with config.LOCK:
        dropped = _should_drop()
        _log.append({"event": entry, "dropped": dropped})
    if dropped:
        return
    try:
        from moto.events.models import events_backends

        backend = events_backends[str(resource.account_id)][str(resource.region)]
        backend.put_events(
            [
                {
                    "Source": entry["source"],
                    "DetailType": entry["detail-type"],
                    "Detail": json.dumps(entry["detail"]),
                    "Resources": entry["resources"],
                }
            ]
        )
    except Exception as error:  # noqa: BLE001 - an event that cannot be put must not undo the transition
        (warn or _stderr)(f"faithful mode: could not put {event.event_id} for {entry['resources'][0]}: {error!r}")


def _stderr(message: str) -> None:
    import sys

    print(f"[dbfork moto launcher] {message}", file=sys.stderr, flush=True)
