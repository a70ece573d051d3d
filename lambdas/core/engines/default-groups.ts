/**
 * Default option and parameter groups (`default:mysql-8-0`, `default.postgres16`,
 * `default.aurora-postgresql16`, `default.docdb5.0`) belong to an engine version, and AWS applies
 * the engine's default when a restore or create names none ("If you don't specify a value, then
 * Amazon RDS uses the default DB parameter group for the specified DB engine and version",
 * CreateDBInstance `DBParameterGroupName` in @aws-sdk/client-rds). Naming a default explicitly
 * buys nothing and can name the wrong version's default, so a fork names only custom groups.
 */
export function isDefaultGroup(name: string): boolean {
  return name.startsWith('default.') || name.startsWith('default:');
}

/** `{ [key]: name }` for a custom group, `{}` for a default or missing one (spread into an input). */
export function customGroup<K extends string>(key: K, name: string | undefined): Partial<Record<K, string>> {
  return name && !isDefaultGroup(name) ? ({ [key]: name } as Partial<Record<K, string>>) : {};
}
