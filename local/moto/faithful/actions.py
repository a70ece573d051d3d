"""Where the faithful rules meet moto: wrappers around RDSResponse's action methods.

Each wrapper runs the AWS checks for its action before moto (so a refused request changes
nothing), calls moto, then gives the resource its AWS status and, when that status is reached, the
RDS event AWS documents for it (events.py). All of it only while the faithful mode is on;
otherwise moto answers as it always did.
"""

from __future__ import annotations

from typing import Any, Callable

from . import checks, config, defaults, errors, events, orderable, states

# ModifyDB* settings after which AWS shows `modifying` (RDS User Guide, "Modifying an Amazon RDS
# DB instance" / "Settings for Amazon RDS": class, storage, engine version, identifier and network
# changes are applied by a modification; DeletionProtection, BackupRetentionPeriod changes between
# non-zero values and tags are not).
INSTANCE_MODIFYING_SETTINGS = (
    "DBInstanceClass",
    "AllocatedStorage",
    "StorageType",
    "Iops",
    "EngineVersion",
    "NewDBInstanceIdentifier",
    "MultiAZ",
    "DBPortNumber",
)
CLUSTER_MODIFYING_SETTINGS = (
    "NewDBClusterIdentifier",
    "EngineVersion",
    "Port",
    "DBClusterInstanceClass",
    "AllocatedStorage",
    "StorageType",
    "Iops",
    "ServerlessV2ScalingConfiguration",
)


def _stored_instance(backend: Any, returned: Any) -> Any:
    return backend.databases.get(returned.db_instance_identifier, returned)


def _stored_cluster(backend: Any, returned: Any) -> Any:
    return backend.clusters.get(returned.db_cluster_identifier, returned)


def _copies(stored: Any, returned: Any) -> tuple[Any, ...]:
    return () if returned is stored else (returned,)


def _emit_on(
    resource: Any,
    on_available: events.RdsEvent,
    failure: Callable[[str], events.RdsEvent] | None = None,
    **values: str,
) -> Callable[[str], None]:
    """What to emit once ``resource`` reaches its final status: ``on_available``, or the failure
    event of a failure status (failure injection)."""

    def then(final: str) -> None:
        if final == "available":
            events.emit(resource, on_available, **values)
        elif failure is not None:
            events.emit(resource, failure(final), status=final)

    return then


def _cluster_failure(_status: str) -> events.RdsEvent:
    return events.CLUSTER_FAILED


def _snapshot_engine(backend: Any, snapshot_id: str | None) -> tuple[str | None, str | None]:
    snapshot = backend.database_snapshots.get(str(snapshot_id or ""))
    database = getattr(snapshot, "database", None)
    return getattr(database, "engine", None), getattr(database, "engine_version", None)


# --- instances --------------------------------------------------------------------------------


def create_db_instance(response: Any, run: Callable[[], Any]) -> Any:
    backend, params = response.backend, response.params
    cluster_id = params.get("DBClusterIdentifier")
    engine = params.get("Engine") or checks.engine_of_cluster(backend, cluster_id)
    if cluster_id:
        # CreateDBInstance into a cluster needs an available cluster (API reference: "You can
        # create DB instances only after the RestoreDBClusterToPointInTime operation has completed
        # and the DB cluster is available"); error InvalidDBClusterStateFault.
        checks.cluster_must_be_available(backend, cluster_id, "CreateDBInstance")
    else:
        checks.master_password(engine, params.get("MasterUserPassword"))
    checks.instance_class(engine, params)
    defaults.ensure_named_in(backend, params)
    result = run()
    returned = result.result["DBInstance"]
    stored = _stored_instance(backend, returned)
    defaults.give_instance_defaults(backend, stored)
    then = _emit_on(stored, events.INSTANCE_CREATED)
    states.begin(stored, "creating", "available", "create", *_copies(stored, returned), then=then)
    return result


def _restore_instance(
    response: Any, run: Callable[[], Any], target: str, engine: str | None, restored: events.RdsEvent, **values: str
) -> Any:
    backend, params = response.backend, response.params
    checks.instance_class(engine, params)
    defaults.ensure_named_in(backend, params)
    result = run()
    returned = result.result["DBInstance"]
    stored = _stored_instance(backend, returned)
    defaults.give_instance_defaults(backend, stored)
    final = config.take_restore_failure(target) or "available"
    then = _emit_on(stored, restored, events.instance_failure, **values)
    states.begin(stored, "creating", final, "restore", *_copies(stored, returned), then=then)
    return result


def restore_db_instance_from_db_snapshot(response: Any, run: Callable[[], Any]) -> Any:
    backend, params = response.backend, response.params
    snapshot_id = params.get("DBSnapshotIdentifier")
    checks.snapshot_must_be_available(backend, snapshot_id)
    engine, _ = _snapshot_engine(backend, snapshot_id)
    target = str(params.get("DBInstanceIdentifier"))
    restored = events.INSTANCE_RESTORED_FROM_SNAPSHOT
    return _restore_instance(response, run, target, params.get("Engine") or engine, restored, snapshot=str(snapshot_id))


def restore_db_instance_to_point_in_time(response: Any, run: Callable[[], Any]) -> Any:
    backend, params = response.backend, response.params
    checks.latest_or_time(params, "RestoreTime")
    source = params.get("SourceDBInstanceIdentifier")
    checks.instance_must_be_available(backend, source, "RestoreDBInstanceToPointInTime")
    engine = params.get("Engine") or checks.engine_of_instance(backend, source)
    target = str(params.get("TargetDBInstanceIdentifier"))
    return _restore_instance(response, run, target, engine, events.INSTANCE_RESTORED_TO_POINT_IN_TIME)


def modify_db_instance(response: Any, run: Callable[[], Any]) -> Any:
    backend, params = response.backend, response.params
    identifier = params.get("DBInstanceIdentifier")
    checks.instance_must_be_available(backend, identifier, "ModifyDBInstance")
    checks.master_password(checks.engine_of_instance(backend, identifier), params.get("MasterUserPassword"))
    engine = checks.engine_of_instance(backend, identifier)
    if params.get("DBInstanceClass"):
        checks.instance_class(engine, params)
    defaults.ensure_named_in(backend, params)
    result = run()
    returned = result.result["DBInstance"]
    stored = _stored_instance(backend, returned)
    if params.get("MasterUserPassword") is not None:
        # ModifyDBInstance.MasterUserPassword (SDK model text): "the change is asynchronously applied
        # as soon as possible"; the instance shows `resetting-master-credentials` meanwhile.
        then = _emit_on(stored, events.INSTANCE_PASSWORD_RESET)
        states.begin(stored, "resetting-master-credentials", "available", "passwordReset", *_copies(stored, returned), then=then)
    elif any(params.get(key) is not None for key in INSTANCE_MODIFYING_SETTINGS) and checks._truthy(
        params.get("ApplyImmediately")
    ):
        states.begin(stored, "modifying", "available", "modify", *_copies(stored, returned))
    return result


def delete_db_instance(response: Any, run: Callable[[], Any]) -> Any:
    backend = response.backend
    checks.instance_can_be_deleted(backend, response.params)
    result = run()
    deleted = result.result["DBInstance"]
    # DeleteDBInstance: "the DB instance is in the deleting state until the operation completes"
    # (RDS User Guide, "Deleting a DB instance").
    states.begin_delete(
        backend.databases, deleted.db_instance_identifier, deleted, lambda: events.emit(deleted, events.INSTANCE_DELETED)
    )
    return result


def create_db_snapshot(response: Any, run: Callable[[], Any]) -> Any:
    backend, params = response.backend, response.params
    # CreateDBSnapshot errors: InvalidDBInstanceState (the instance must be available).
    checks.instance_must_be_available(backend, params.get("DBInstanceIdentifier"), "CreateDBSnapshot")
    result = run()
    snapshot = result.result["DBSnapshot"]
    stored = backend.database_snapshots.get(snapshot.db_snapshot_identifier, snapshot)
    events.emit(stored, events.SNAPSHOT_CREATING)
    states.begin(stored, "creating", "available", "snapshot", then=_emit_on(stored, events.SNAPSHOT_CREATED))
    return result


# --- clusters ---------------------------------------------------------------------------------


def create_db_cluster(response: Any, run: Callable[[], Any]) -> Any:
    backend, params = response.backend, response.params
    checks.master_password(params.get("Engine"), params.get("MasterUserPassword"))
    defaults.ensure_named_in(backend, params)
    result = run()
    returned = result.result["DBCluster"]
    stored = _stored_cluster(backend, returned)
    defaults.give_cluster_defaults(backend, stored)
    then = _emit_on(stored, events.CLUSTER_CREATED)
    states.begin(stored, "creating", "available", "create", *_copies(stored, returned), then=then)
    return result


def _restore_cluster(response: Any, run: Callable[[], Any]) -> Any:
    backend, params = response.backend, response.params
    defaults.ensure_named_in(backend, params)
    result = run()
    returned = result.result["DBCluster"]
    stored = _stored_cluster(backend, returned)
    defaults.give_cluster_defaults(backend, stored)
    final = config.take_restore_failure(str(params.get("DBClusterIdentifier"))) or "available"
    # A restored cluster is a created cluster: the Aurora and DocumentDB guides list no cluster
    # restoration event, only RDS-EVENT-0170 "DB cluster created".
    then = _emit_on(stored, events.CLUSTER_CREATED, _cluster_failure)
    states.begin(stored, "creating", final, "restore", *_copies(stored, returned), then=then)
    return result


def restore_db_cluster_from_snapshot(response: Any, run: Callable[[], Any]) -> Any:
    checks.cluster_snapshot_must_be_available(response.backend, response.params.get("SnapshotIdentifier"))
    return _restore_cluster(response, run)


def restore_db_cluster_to_point_in_time(response: Any, run: Callable[[], Any]) -> Any:
    backend, params = response.backend, response.params
    checks.latest_or_time(params, "RestoreToTime")
    checks.copy_on_write_engine(backend, params)
    checks.cluster_must_be_available(backend, params.get("SourceDBClusterIdentifier"), "RestoreDBClusterToPointInTime")
    return _restore_cluster(response, run)


def modify_db_cluster(response: Any, run: Callable[[], Any]) -> Any:
    backend, params = response.backend, response.params
    identifier = params.get("DBClusterIdentifier")
    checks.cluster_must_be_available(backend, identifier, "ModifyDBCluster")
    checks.master_password(checks.engine_of_cluster(backend, identifier), params.get("MasterUserPassword"))
    defaults.ensure_named_in(backend, params)
    result = run()
    returned = result.result["DBCluster"]
    stored = _stored_cluster(backend, returned)
    if params.get("MasterUserPassword") is not None:
        # Aurora User Guide, "Viewing DB cluster status": resetting-master-credentials — "The master
        # user credentials for the DB cluster are being reset because of a customer request".
        then = _emit_on(stored, events.CLUSTER_PASSWORD_RESET)
        states.begin(stored, "resetting-master-credentials", "available", "passwordReset", *_copies(stored, returned), then=then)
    elif any(params.get(key) is not None for key in CLUSTER_MODIFYING_SETTINGS):
        states.begin(stored, "modifying", "available", "modify", *_copies(stored, returned))
    return result


def delete_db_cluster(response: Any, run: Callable[[], Any]) -> Any:
    backend = response.backend
    checks.cluster_can_be_deleted(backend, response.params)
    result = run()
    deleted = result.result["DBCluster"]
    states.begin_delete(
        backend.clusters, deleted.db_cluster_identifier, deleted, lambda: events.emit(deleted, events.CLUSTER_DELETED)
    )
    return result


def create_db_cluster_snapshot(response: Any, run: Callable[[], Any]) -> Any:
    backend, params = response.backend, response.params
    checks.cluster_must_be_available(backend, params.get("DBClusterIdentifier"), "CreateDBClusterSnapshot")
    result = run()
    snapshot = result.result["DBClusterSnapshot"]
    stored = backend.cluster_snapshots.get(snapshot.db_cluster_snapshot_identifier, snapshot)
    events.emit(stored, events.CLUSTER_SNAPSHOT_CREATING)
    states.begin(stored, "creating", "available", "snapshot", then=_emit_on(stored, events.CLUSTER_SNAPSHOT_CREATED))
    return result


# --- describes --------------------------------------------------------------------------------


def describe_db_snapshots(response: Any, run: Callable[[], Any]) -> Any:
    checks.automated_snapshot_needs_type(response.params, cluster=False)
    return run()


def describe_db_cluster_snapshots(response: Any, run: Callable[[], Any]) -> Any:
    checks.automated_snapshot_needs_type(response.params, cluster=True)
    return run()


def describe_groups(response: Any, run: Callable[[], Any]) -> Any:
    defaults.ensure_named_in(response.backend, response.params)
    return run()


def describe_orderable_db_instance_options(response: Any, run: Callable[[], Any]) -> Any:
    from moto.core.responses import PaginatedResult

    options = orderable.describe(response.params)
    if options is None:
        return run()
    return PaginatedResult({"OrderableDBInstanceOptions": options})


# --- tags -------------------------------------------------------------------------------------

# ListTagsForResource / AddTagsToResource / RemoveTagsFromResource on an ARN that names no resource
# (e.g. a database deleted meanwhile): AWS answers 404 DBInstanceNotFound, DBClusterNotFoundFault or
# DBSnapshotNotFound (RDS API Reference, each action's "Errors"); moto lists no tags and ignores
# the write, which would let a tag-guarded caller read "untagged" for "gone".
NOT_FOUND_BY_TYPE: dict[str, Callable[[str], Any]] = {
    "db": errors.db_instance_not_found,
    "cluster": errors.db_cluster_not_found,
    "snapshot": errors.db_snapshot_not_found,
}


def tagged_resource_must_exist(response: Any, run: Callable[[], Any]) -> Any:
    arn = str(response.params.get("ResourceName") or "")
    parts = arn.split(":")
    # arn:aws:rds:<region>:<account>:<type>:<name>; automated snapshots' names hold a colon ("rds:…").
    not_found = NOT_FOUND_BY_TYPE.get(parts[5]) if len(parts) >= 7 else None
    if not_found is not None and response.backend._get_resource_for_tagging(arn) is None:
        raise not_found(":".join(parts[6:]))
    return run()


WRAPPERS: dict[str, Callable[[Any, Callable[[], Any]], Any]] = {
    "create_db_instance": create_db_instance,
    "restore_db_instance_from_db_snapshot": restore_db_instance_from_db_snapshot,
    "restore_db_instance_to_point_in_time": restore_db_instance_to_point_in_time,
    "modify_db_instance": modify_db_instance,
    "delete_db_instance": delete_db_instance,
    "create_db_snapshot": create_db_snapshot,
    "create_db_cluster": create_db_cluster,
    "restore_db_cluster_from_snapshot": restore_db_cluster_from_snapshot,
    "restore_db_cluster_to_point_in_time": restore_db_cluster_to_point_in_time,
    "modify_db_cluster": modify_db_cluster,
    "delete_db_cluster": delete_db_cluster,
    "create_db_cluster_snapshot": create_db_cluster_snapshot,
    "describe_db_snapshots": describe_db_snapshots,
    "describe_db_cluster_snapshots": describe_db_cluster_snapshots,
    "describe_option_groups": describe_groups,
    "describe_db_parameter_groups": describe_groups,
    "describe_db_cluster_parameter_groups": describe_groups,
    "describe_orderable_db_instance_options": describe_orderable_db_instance_options,
    "list_tags_for_resource": tagged_resource_must_exist,
    "add_tags_to_resource": tagged_resource_must_exist,
    "remove_tags_from_resource": tagged_resource_must_exist,
}


def install() -> list[str]:
    """Wrap the RDSResponse actions; return the names that could not be wrapped."""
    from moto.rds.responses import RDSResponse

    missing = []
    for name, wrapper in WRAPPERS.items():
        original = getattr(RDSResponse, name, None)
        if original is None:
            missing.append(name)
            continue
        setattr(RDSResponse, name, _faithful_only(original, wrapper))
    return missing


def _faithful_only(original: Callable[[Any], Any], wrapper: Callable[[Any, Callable[[], Any]], Any]) -> Callable[[Any], Any]:
    def action(self: Any) -> Any:
        if not config.faithful():
            return original(self)
        return wrapper(self, lambda: original(self))

    action.__name__ = original.__name__
    return action
