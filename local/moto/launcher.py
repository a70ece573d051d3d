"""Start moto's server with Amazon DocumentDB support (dbfork offline mode).

Usage (same flags as ``moto_server``):

    python3 local/moto/launcher.py [-H 127.0.0.1] [-p 5000] [--exit-on-stdin-eof]

Amazon DocumentDB's API is the RDS Query API (signing name ``rds``), so moto's RDS
backend already answers ``@aws-sdk/client-docdb`` calls; it only refuses the ``docdb``
engine. The patches below are small and each one says why it exists. They target
moto 5.2.x: on another version the launcher warns, applies what still fits, and tells
which patch it could not apply (rather than failing to start).

``--exit-on-stdin-eof`` (ours, not moto's): exit when standard input closes, so a
server spawned by a test run never outlives its parent, even one killed with SIGKILL.

The faithful mode (package ``faithful`` beside this file; docs/aws-fidelity.md) makes the RDS,
Aurora and DocumentDB API behave as AWS documents: statuses before `available`, state checks,
default groups, orderable classes, password rules. It is on unless ``--no-faithful`` or
``DBFORK_FAITHFUL=0``; ``--faithful-delay-ms N`` or ``DBFORK_FAITHFUL_DELAY_MS`` sets how long
every transition takes (default 3000 ms); ``/dbfork-emulator/config`` changes it at run time.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any, Callable

DOCDB_ENGINE = "docdb"
DOCDB_DEFAULTS = {
    "engine_version": "5.0.0",
    "port": 27017,
    # DocumentDB storage grows automatically, like Aurora: AWS reports AllocatedStorage 1.
    "allocated_storage": 1,
    "cluster_parameter_group": "default.docdb5.0",
}
SUPPORTED_MOTO = "5.2."


def _warn(message: str) -> None:
    print(f"[dbfork moto launcher] {message}", file=sys.stderr, flush=True)


def _check_version() -> None:
    import moto

    version = getattr(moto, "__version__", "unknown")
    if not str(version).startswith(SUPPORTED_MOTO):
        _warn(
            f"moto {version} found; these patches were written for moto {SUPPORTED_MOTO}x. "
            "DocumentDB support may be incomplete: pip install 'moto[server]>=5.2,<5.3'"
        )


def _wrap_static(cls: type, name: str, make: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Replace the staticmethod/classmethod ``cls.name`` by ``make(original)``."""
    raw = cls.__dict__[name]
    original = raw.__func__ if isinstance(raw, (staticmethod, classmethod)) else raw
    wrapped = make(original)
    if isinstance(raw, classmethod):
        setattr(cls, name, classmethod(wrapped))
    else:
        setattr(cls, name, staticmethod(wrapped))


def _with_docdb_default(value: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def patched(engine: str, *args: Any, **kwargs: Any) -> Any:
            if engine == DOCDB_ENGINE:
                return value
            return original(engine, *args, **kwargs)

        return patched

    return make


def patch_moto(faithful_defaults: dict[str, Any] | None = None) -> list[str]:
    """Apply the patches (and the faithful mode, with these launch defaults); return the names
    of those that could not be applied."""
    from moto.rds import models
    from moto.rds.utils import ClusterEngine, DbInstanceEngine

    failed: list[str] = []

    def attempt(name: str, patch: Callable[[], None]) -> None:
        try:
            patch()
        except Exception as error:  # noqa: BLE001 - report and go on: moto still starts
            failed.append(name)
            _warn(f"could not apply patch '{name}': {error!r}")

    # 1. Engine allow-lists. DBCluster.__init__ and DBInstance.__init__ reject any engine
    #    not in these enums ("Engine 'docdb' is not supported"); add docdb to both lists.
    def engines() -> None:
        def add_docdb(original: Callable[..., list[str]]) -> Callable[..., list[str]]:
            def patched(cls: Any) -> list[str]:
                return sorted({*original(cls), DOCDB_ENGINE})

            return patched

        _wrap_static(ClusterEngine, "list_cluster_engines", add_docdb)
        _wrap_static(DbInstanceEngine, "valid_db_instance_engine", add_docdb)

    attempt("docdb-engine", engines)

    # 2. Defaults. moto looks engine defaults up in dicts keyed by engine, so a docdb
    #    cluster/instance created without EngineVersion/Port would raise KeyError('docdb').
    def defaults() -> None:
        cluster, instance = models.DBCluster, models.DBInstance
        _wrap_static(cluster, "default_engine_version", _with_docdb_default(DOCDB_DEFAULTS["engine_version"]))
        _wrap_static(cluster, "default_port", _with_docdb_default(DOCDB_DEFAULTS["port"]))
        _wrap_static(cluster, "default_allocated_storage", _with_docdb_default(DOCDB_DEFAULTS["allocated_storage"]))
        # Instances of a docdb cluster take their port from DBInstance.default_port.
        _wrap_static(instance, "default_port", _with_docdb_default(DOCDB_DEFAULTS["port"]))
        _wrap_static(instance, "default_allocated_storage", _with_docdb_default(DOCDB_DEFAULTS["allocated_storage"]))
        instance.default_engine_versions[DOCDB_ENGINE] = DOCDB_DEFAULTS["engine_version"]

    attempt("docdb-defaults", defaults)

    # 3. moto gives every cluster without an explicit parameter group "default.aurora8.0";
    #    DocumentDB's default is "default.docdb5.0" (dbfork copies the source's group to forks).
    def cluster_parameter_group() -> None:
        original_init = models.DBCluster.__init__

        def patched_init(self: Any, *args: Any, **kwargs: Any) -> None:
            original_init(self, *args, **kwargs)
            if self.engine == DOCDB_ENGINE and not kwargs.get("db_cluster_parameter_group_name"):
                self.parameter_group = DOCDB_DEFAULTS["cluster_parameter_group"]

        models.DBCluster.__init__ = patched_init

    attempt("docdb-cluster-parameter-group", cluster_parameter_group)

    # 4. moto 5.2.1 bug: DBCluster.get_cfg() pops "_master_user_password", which a cluster
    #    created with ManageMasterUserPassword=true never has, so RestoreDBClusterFromSnapshot
    #    of its snapshot fails with KeyError. Give get_cfg a None password for the call.
    def managed_password_restore() -> None:
        original_get_cfg = models.DBCluster.get_cfg

        def patched_get_cfg(self: Any) -> dict[str, Any]:
            if "_master_user_password" in self.__dict__:
                return original_get_cfg(self)
            self.__dict__["_master_user_password"] = None
            try:
                return original_get_cfg(self)
            finally:
                del self.__dict__["_master_user_password"]

        models.DBCluster.get_cfg = patched_get_cfg

    attempt("managed-password-snapshot-restore", managed_password_restore)

    # 5. moto 5.2.1 bug: RestoreDBInstanceFromDBSnapshot, RestoreDBInstanceToPointInTime and
    #    RestoreDBClusterFromSnapshot apply only *truthy* parameters (`if value:`), so an explicit
    #    DeletionProtection=false / MultiAZ=false / PubliclyAccessible=false / BackupRetentionPeriod=0
    #    is dropped and the copy keeps the source's value. dbfork forks production sources with
    #    deletion protection on: their forks would be undeletable offline. Apply those explicitly.
    def explicit_false_on_restore() -> None:
        backend = models.RDSBackend
        instance_keys = (
            "deletion_protection",
            "multi_az",
            "publicly_accessible",
            "backup_retention_period",
            "copy_tags_to_snapshot",
            "auto_minor_version_upgrade",
        )
        cluster_keys = ("deletion_protection", "backup_retention_period", "copy_tags_to_snapshot")

        def wrap(name: str, keys: tuple[str, ...]) -> None:
            original = getattr(backend, name)

            def patched(self: Any, *args: Any) -> Any:
                resource = original(self, *args)
                overrides = args[-1]  # every one of the three takes the request's parameters last
                for key in keys:
                    value = overrides.get(key)
                    if value is not None and not value:
                        setattr(resource, key, value)
                return resource

            setattr(backend, name, patched)

        wrap("restore_db_instance_from_db_snapshot", instance_keys)
        wrap("restore_db_instance_to_point_in_time", instance_keys)
        wrap("restore_db_cluster_from_snapshot", cluster_keys)

    attempt("explicit-false-on-restore", explicit_false_on_restore)

    # 6. moto 5.2.1 keeps a cluster's automated snapshot ("rds:<cluster>-<time>", made when the
    #    cluster is created or restored) after DeleteDBCluster. AWS removes a cluster's automated
    #    backups with it (DeleteAutomatedBackups defaults to true; DocumentDB always does), so a
    #    deleted fork left a snapshot behind that AWS would not. Remove them unless the request
    #    says DeleteAutomatedBackups=false.
    def delete_cluster_automated_backups() -> None:
        from moto.rds.responses import RDSResponse

        original = RDSResponse.delete_db_cluster

        def patched(self: Any) -> Any:
            cluster_id = str(self.params.get("DBClusterIdentifier") or "").lower()
            keep = str(self.params.get("DeleteAutomatedBackups", True)).lower() == "false"
            result = original(self)
            if not keep:
                snapshots = self.backend.cluster_snapshots
                for snapshot_id, snapshot in list(snapshots.items()):
                    if snapshot.snapshot_type == "automated" and snapshot.db_cluster_identifier == cluster_id:
                        del snapshots[snapshot_id]
            return result

        RDSResponse.delete_db_cluster = patched

    attempt("delete-cluster-automated-backups", delete_cluster_automated_backups)

    # 7. moto 5.2.1 bug: GetSecretValue without VersionId/VersionStage answers the secret's
    #    "default version", which UpdateSecretVersionStage does not move when it moves AWSCURRENT:
    #    after a switch, readers still got the old value. AWS: "If you don't specify either a
    #    VersionStage or VersionId, then Secrets Manager defaults to the version with the
    #    VersionStage value of AWSCURRENT" (GetSecretValue, Secrets Manager API Reference). A
    #    refresh moves AWSCURRENT this way (lambdas/core/secret-versions.ts).
    def secret_current_follows_label() -> None:
        from moto.secretsmanager.models import SecretsManagerBackend

        original = SecretsManagerBackend.update_secret_version_stage

        def patched(
            self: Any, secret_id: str, version_stage: str, remove_from_version_id: str, move_to_version_id: str
        ) -> Any:
            result = original(self, secret_id, version_stage, remove_from_version_id, move_to_version_id)
            if version_stage == "AWSCURRENT" and move_to_version_id:
                self.secrets[secret_id].set_default_version_id(move_to_version_id)
            return result

        SecretsManagerBackend.update_secret_version_stage = patched

    attempt("secret-current-follows-label", secret_current_follows_label)

    # 8. The faithful mode (its own package: one module per concern, each rule citing AWS).
    try:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import faithful
        from faithful import config as faithful_config
    except Exception as error:  # noqa: BLE001 - moto still starts, as stock moto plus the patches above
        failed.append("faithful")
        _warn(f"could not load the faithful mode: {error!r}")
        return failed
    defaults = faithful_defaults or faithful_config.launch_defaults_from([])[0]
    faithful.install(attempt, defaults, _warn)
    return failed


def _exit_when_stdin_closes() -> None:
    def watch() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            os._exit(0)

    threading.Thread(target=watch, name="stdin-eof-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--exit-on-stdin-eof" in args:
        args.remove("--exit-on-stdin-eof")
        _exit_when_stdin_closes()

    try:
        import moto.server
    except ImportError as error:
        _warn(f"moto is not installed ({error}): pip install 'moto[server]>=5.2'")
        sys.exit(3)

    _check_version()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from faithful.config import launch_defaults_from

    faithful_defaults, args = launch_defaults_from(args)
    patch_moto(faithful_defaults)
    state = "on" if faithful_defaults["faithful"] else "off"
    _warn(f"faithful mode {state} (delays {faithful_defaults['delaysMs']['restore']} ms); see docs/aws-fidelity.md")
    # moto.server.main falls back to sys.argv when given an empty list: keep both in step.
    sys.argv = [sys.argv[0], *args]
    moto.server.main(args)


if __name__ == "__main__":
    main()
