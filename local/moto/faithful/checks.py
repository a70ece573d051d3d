"""Rules AWS enforces before it accepts a request (moto accepts these requests).

Each check raises the AWS error before moto touches anything: stock moto 5.2.1 removes the
cluster when ModifyDBCluster fails its own password check (docs/moto-notes.md), so the password
rule must run first.
"""

from __future__ import annotations

from typing import Any

from . import errors, orderable
from .states import status_of

AVAILABLE = "available"


def _truthy(value: Any) -> bool:
    return str(value).lower() == "true" if value is not None else False


def _instance(backend: Any, identifier: str | None) -> Any:
    return backend.databases.get(str(identifier or "").lower()) or backend.databases.get(str(identifier or ""))


def _cluster(backend: Any, identifier: str | None) -> Any:
    return backend.clusters.get(str(identifier or "").lower()) or backend.clusters.get(str(identifier or ""))


# --- states ---------------------------------------------------------------------------------
# API reference, "Errors" of ModifyDBInstance / ModifyDBCluster / CreateDBInstance /
# DeleteDBInstance / DeleteDBCluster: InvalidDBInstanceState "The DB instance isn't in a valid
# state", InvalidDBClusterStateFault "The requested operation can't be performed while the
# cluster is in this state".


def instance_must_be_available(backend: Any, identifier: str | None, action: str) -> None:
    instance = _instance(backend, identifier)
    if instance is not None and status_of(instance) != AVAILABLE:
        raise errors.invalid_db_instance_state(
            f"Database instance is not in available state. ({action} on {identifier}: {status_of(instance)})"
        )


def cluster_must_be_available(backend: Any, identifier: str | None, action: str) -> None:
    cluster = _cluster(backend, identifier)
    if cluster is not None and status_of(cluster) != AVAILABLE:
        raise errors.invalid_db_cluster_state(
            f"DB cluster {identifier} is not in available state ({status_of(cluster)}); {action} needs it available."
        )


def instance_can_be_deleted(backend: Any, params: dict[str, Any]) -> None:
    identifier = params.get("DBInstanceIdentifier")
    instance = _instance(backend, identifier)
    if instance is None:
        return
    status = status_of(instance)
    if status == "deleting":
        raise errors.invalid_db_instance_state(f"Instance {identifier} is already being deleted.")
    # A final snapshot needs a running instance: AWS answers "Instance … is currently creating -
    # a final snapshot cannot be taken." (InvalidDBInstanceState) for one still being created.
    if not _truthy(params.get("SkipFinalSnapshot")) and params.get("FinalDBSnapshotIdentifier") and status != AVAILABLE:
        raise errors.invalid_db_instance_state(
            f"Instance {identifier} is currently {status} - a final snapshot cannot be taken."
        )


def cluster_can_be_deleted(backend: Any, params: dict[str, Any]) -> None:
    identifier = params.get("DBClusterIdentifier")
    cluster = _cluster(backend, identifier)
    if cluster is not None and status_of(cluster) == "deleting":
        raise errors.invalid_db_cluster_state(f"Cluster {identifier} is already being deleted.")


def snapshot_must_be_available(backend: Any, identifier: str | None) -> None:
    # RestoreDBInstanceFromDBSnapshot errors: InvalidDBSnapshotState "The state of the DB snapshot
    # doesn't allow deletion" / restore; a snapshot still `creating` cannot be restored.
    snapshot = backend.database_snapshots.get(str(identifier or ""))
    if snapshot is not None and snapshot.status != AVAILABLE:
        raise errors.invalid_db_snapshot_state(f"Snapshot {identifier} is not in available state ({snapshot.status}).")


def cluster_snapshot_must_be_available(backend: Any, identifier: str | None) -> None:
    snapshot = backend.cluster_snapshots.get(str(identifier or ""))
    if snapshot is not None and snapshot.status != AVAILABLE:
        raise errors.invalid_db_cluster_snapshot_state(
            f"Cluster snapshot {identifier} is not in available state ({snapshot.status})."
        )


# --- automated snapshots ----------------------------------------------------------------------
# DescribeDBSnapshots.DBSnapshotIdentifier / DescribeDBClusterSnapshots.DBClusterSnapshotIdentifier
# (SDK model text): "If this identifier is for an automated snapshot, the SnapshotType parameter
# must also be specified." Without it AWS does not find the snapshot: DBSnapshotNotFound.


def automated_snapshot_needs_type(params: dict[str, Any], cluster: bool) -> None:
    key = "DBClusterSnapshotIdentifier" if cluster else "DBSnapshotIdentifier"
    identifier = str(params.get(key) or "")
    name = identifier.split(":snapshot:")[-1].split(":cluster-snapshot:")[-1]
    if not name.startswith("rds:") or params.get("SnapshotType") == "automated":
        return
    raise errors.db_cluster_snapshot_not_found(identifier) if cluster else errors.db_snapshot_not_found(identifier)


# --- point in time ----------------------------------------------------------------------------

# RestoreDBClusterToPointInTime.RestoreType (SDK model text): copy-on-write is "Valid for: Aurora
# DB clusters and Multi-AZ DB clusters"; DocumentDB documents it for its clusters too
# (https://docs.aws.amazon.com/documentdb/latest/developerguide/backup_restore-point_in_time_recovery.html).
COPY_ON_WRITE_ENGINES = ("aurora", "aurora-mysql", "aurora-postgresql", "docdb", "mysql", "postgres")


def copy_on_write_engine(backend: Any, params: dict[str, Any]) -> None:
    if str(params.get("RestoreType") or "") != "copy-on-write":
        return
    source = _cluster(backend, params.get("SourceDBClusterIdentifier"))
    if source is not None and source.engine not in COPY_ON_WRITE_ENGINES:
        raise errors.invalid_parameter_combination(
            f"The copy-on-write restore type is not supported for engine {source.engine}."
        )


def latest_or_time(params: dict[str, Any], time_key: str) -> None:
    # UseLatestRestorableTime (SDK model text): "Can't be specified if the RestoreTime parameter is
    # provided" (instances) / "if RestoreToTime parameter is provided" (clusters).
    if _truthy(params.get("UseLatestRestorableTime")) and params.get(time_key):
        raise errors.invalid_parameter_combination(
            f"Cannot specify both {time_key} and UseLatestRestorableTime."
        )


# --- master password --------------------------------------------------------------------------
# MasterUserPassword (SDK model text, CreateDBInstance / ModifyDBInstance): MariaDB 8–41,
# SQL Server 8–128, MySQL 8–41, Oracle 8–30, PostgreSQL 8–128, Db2 8–255. CreateDBCluster /
# ModifyDBCluster (Aurora): 8–41; the Aurora User Guide allows Aurora PostgreSQL up to 99
# (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/CHAP_Limits.html#RDS_Limits.Constraints).
# DocumentDB (client-docdb model text): 8–100. Characters: printable ASCII except "/", '"', "@";
# AWS also refuses a space: its message is "Only printable ASCII characters besides '/', '@',
# '"', ' ' may be used." (quoted in github.com/alphagov/govuk-infrastructure/pull/1270).
MAX_PASSWORD = {
    "mysql": 41,
    "mariadb": 41,
    "postgres": 128,
    "aurora-mysql": 41,
    "aurora": 41,
    "aurora-postgresql": 99,
    "docdb": 100,
}
MIN_PASSWORD = 8
FORBIDDEN_PASSWORD_CHARS = set('/"@ ')


def max_password_length(engine: str) -> int:
    if engine.startswith("oracle"):
        return 30
    if engine.startswith("sqlserver"):
        return 128
    if engine.startswith("db2"):
        return 255
    return MAX_PASSWORD.get(engine, 128)


def master_password(engine: str | None, password: Any) -> None:
    if password is None:
        return
    text = str(password)
    if len(text) < MIN_PASSWORD:
        raise errors.invalid_parameter_value(
            f"The parameter MasterUserPassword is not a valid password because it is shorter than {MIN_PASSWORD} characters."
        )
    limit = max_password_length(engine or "")
    if len(text) > limit:
        raise errors.invalid_parameter_value(
            f"The parameter MasterUserPassword is not a valid password because it is longer than {limit} characters."
        )
    if any(not (0x20 <= ord(char) <= 0x7E) or char in FORBIDDEN_PASSWORD_CHARS for char in text):
        raise errors.invalid_parameter_value(
            "The parameter MasterUserPassword is not a valid password. Only printable ASCII characters "
            "besides '/', '@', '\"', ' ' may be used."
        )


def engine_of_instance(backend: Any, identifier: str | None) -> str | None:
    instance = _instance(backend, identifier)
    return getattr(instance, "engine", None)


def engine_of_cluster(backend: Any, identifier: str | None) -> str | None:
    cluster = _cluster(backend, identifier)
    return getattr(cluster, "engine", None)


def instance_class(engine: str | None, params: dict[str, Any], engine_version: str | None = None) -> None:
    orderable.check_orderable(engine, params.get("DBInstanceClass"), params.get("EngineVersion") or engine_version)
