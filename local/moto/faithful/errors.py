"""AWS errors by their shape names in the RDS model. moto's serializer looks the shape up and
writes the model's wire code and HTTP status (``awsQueryError``; e.g. InvalidDBInstanceStateFault
goes out as code ``InvalidDBInstanceState``, HTTP 400; see ``@aws-sdk/client-rds``
dist-es/schemas/schemas_0.js), so SDK clients raise the right class."""

from __future__ import annotations

from moto.rds.exceptions import RDSClientError


def invalid_db_instance_state(message: str) -> RDSClientError:
    return RDSClientError("InvalidDBInstanceStateFault", message)


def invalid_db_cluster_state(message: str) -> RDSClientError:
    return RDSClientError("InvalidDBClusterStateFault", message)


def invalid_db_snapshot_state(message: str) -> RDSClientError:
    return RDSClientError("InvalidDBSnapshotStateFault", message)


def invalid_db_cluster_snapshot_state(message: str) -> RDSClientError:
    return RDSClientError("InvalidDBClusterSnapshotStateFault", message)


def invalid_parameter_value(message: str) -> RDSClientError:
    return RDSClientError("InvalidParameterValue", message)


def invalid_parameter_combination(message: str) -> RDSClientError:
    return RDSClientError("InvalidParameterCombination", message)


def db_snapshot_not_found(identifier: str) -> RDSClientError:
    return RDSClientError("DBSnapshotNotFoundFault", f"DBSnapshot not found: {identifier}")


def db_cluster_snapshot_not_found(identifier: str) -> RDSClientError:
    return RDSClientError("DBClusterSnapshotNotFoundFault", f"DBClusterSnapshot not found: {identifier}")


def db_instance_not_found(identifier: str) -> RDSClientError:
    return RDSClientError("DBInstanceNotFoundFault", f"DBInstance {identifier} not found.")


def db_cluster_not_found(identifier: str) -> RDSClientError:
    return RDSClientError("DBClusterNotFoundFault", f"DBCluster {identifier} not found.")
