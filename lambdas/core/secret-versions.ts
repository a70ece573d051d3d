import { createHash } from 'node:crypto';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { RestoreFailedError } from './errors.js';
import { secretName } from './ids.js';
import type { DatabaseSecret } from './secret-value.js';
import { assertManagedBy, tagMap } from './tags.js';

/**
 * A refresh moves the fork's one secret to the new database with Secrets Manager's own staging
 * labels, as its rotation does ("Rotation by Lambda function", Secrets Manager User Guide): the new
 * credentials are written as a version labelled AWSPENDING (readers get AWSCURRENT, untouched),
 * the new database is given that password, and only once it accepts it AWSCURRENT moves to that
 * version ("Whenever you move AWSCURRENT, Secrets Manager automatically moves the label AWSPREVIOUS
 * to the version that AWSCURRENT was removed from", UpdateSecretVersionStage, API Reference). So a
 * reader always gets a host and password that go together: the old database's until the switch,
 * the new one's after. The secret's ARN never changes. Every call is tag-guarded.
 */

export const PENDING = 'AWSPENDING';
export const CURRENT = 'AWSCURRENT';
export const PREVIOUS = 'AWSPREVIOUS';

/** The database a secret value is for (its `dbInstanceIdentifier` or `dbClusterIdentifier`). */
export function databaseOfSecret(value: Partial<DatabaseSecret>): string | undefined {
  const v = value as { dbInstanceIdentifier?: string; dbClusterIdentifier?: string };
  return v.dbInstanceIdentifier ?? v.dbClusterIdentifier;
}

/**
 * PutSecretValue's ClientRequestToken (32-64 characters) for the version of a database: a retried
 * put of the same value is the same version ("If a version with this value already exists and the
 * version SecretString … values are the same as those in the request, the request is ignored").
 */
export function versionToken(databaseId: string): string {
  return createHash('sha256').update(`dbfork:${databaseId}`).digest('hex').slice(0, 32);
}

export class SecretVersions {
  constructor(private readonly client: SecretsManagerClient) {}

  /** The fork's secret's versions by label (tag-guarded). */
  private async stages(forkId: string): Promise<{ arn: string; labels: Map<string, string> }> {
    const secret = await this.client.send(new DescribeSecretCommand({ SecretId: secretName(forkId) }));
    assertManagedBy(tagMap(secret.Tags), forkId, `secret ${secretName(forkId)}`);
    const labels = new Map<string, string>();
    for (const [versionId, stages] of Object.entries(secret.VersionIdsToStages ?? {})) {
      for (const stage of stages) labels.set(stage, versionId);
    }
    return { arn: secret.ARN ?? secretName(forkId), labels };
  }

  private async value(arn: string, versionId: string): Promise<DatabaseSecret> {
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: arn, VersionId: versionId }));
    return JSON.parse(out.SecretString ?? '{}') as DatabaseSecret;
  }

  /** The version labelled `label`, with its value, if there is one. */
  async read(
    forkId: string,
    label: string,
  ): Promise<{ versionId: string; value: DatabaseSecret } | undefined> {
    const { arn, labels } = await this.stages(forkId);
    const versionId = labels.get(label);
    return versionId ? { versionId, value: await this.value(arn, versionId) } : undefined;
  }

  /** Writes the new database's credentials as the AWSPENDING version (readers still get AWSCURRENT). */
  async putPending(forkId: string, databaseId: string, value: DatabaseSecret): Promise<void> {
    const { arn } = await this.stages(forkId);
    await this.client.send(
      new PutSecretValueCommand({
        SecretId: arn,
        ClientRequestToken: versionToken(databaseId),
        SecretString: JSON.stringify(value),
        VersionStages: [PENDING],
      }),
    );
  }

  /**
   * Makes the AWSPENDING version (which must be `databaseId`'s) the current one, then drops its
   * AWSPENDING label. Idempotent: done when AWSCURRENT already is `databaseId`'s.
   */
  async promote(forkId: string, databaseId: string): Promise<void> {
    const { arn, labels } = await this.stages(forkId);
    const current = labels.get(CURRENT);
    const pending = labels.get(PENDING);
    const currentIsNew = current ? databaseOfSecret(await this.value(arn, current)) === databaseId : false;
    if (!currentIsNew) {
      if (!pending || databaseOfSecret(await this.value(arn, pending)) !== databaseId) {
        throw new RestoreFailedError(
          `the secret of fork ${forkId} has no pending version for ${databaseId}; the refresh cannot switch`,
        );
      }
      await this.move(arn, CURRENT, pending, current);
    }
    const promoted = currentIsNew ? current : pending;
    if (promoted && pending === promoted) await this.move(arn, PENDING, undefined, promoted);
  }

  /**
   * Undoes a switch that did not finish: AWSCURRENT goes back to the AWSPREVIOUS version when the
   * current one is `databaseId`'s and the previous one `previousDatabaseId`'s; the pending label of
   * `databaseId`'s version is dropped.
   */
  async rollBack(forkId: string, databaseId: string, previousDatabaseId: string): Promise<void> {
    const { arn, labels } = await this.stages(forkId);
    const current = labels.get(CURRENT);
    const previous = labels.get(PREVIOUS);
    if (current && databaseOfSecret(await this.value(arn, current)) === databaseId) {
      if (!previous || databaseOfSecret(await this.value(arn, previous)) !== previousDatabaseId) {
        throw new RestoreFailedError(
          `the secret of fork ${forkId} has no previous version for ${previousDatabaseId} to go back to`,
        );
      }
      await this.move(arn, CURRENT, previous, current);
    }
    await this.discardPending(forkId, databaseId);
  }

  /** Drops the AWSPENDING label from `databaseId`'s version (a refresh that failed); nothing else changes. */
  async discardPending(forkId: string, databaseId: string): Promise<void> {
    const { arn, labels } = await this.stages(forkId);
    const pending = labels.get(PENDING);
    if (pending && databaseOfSecret(await this.value(arn, pending)) === databaseId) {
      await this.move(arn, PENDING, undefined, pending);
    }
  }

  private async move(arn: string, stage: string, to: string | undefined, from: string | undefined) {
    await this.client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: arn,
        VersionStage: stage,
        ...(to ? { MoveToVersionId: to } : {}),
        ...(from ? { RemoveFromVersionId: from } : {}),
      }),
    );
  }
}
