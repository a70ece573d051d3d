import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { errorName } from './errors.js';
import { secretName } from './ids.js';
import type { DatabaseSecret } from './secret-value.js';
import { SecretVersions } from './secret-versions.js';
import { type AwsTag, assertManagedBy, tagMap } from './tags.js';

export class ForkSecrets {
  /** The secret's versions, as a refresh moves it to the new database (secret-versions.ts). */
  readonly versions: SecretVersions;

  constructor(private readonly client: SecretsManagerClient) {
    this.versions = new SecretVersions(client);
  }

  private async describe(forkId: string) {
    try {
      return await this.client.send(new DescribeSecretCommand({ SecretId: secretName(forkId) }));
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  /** The fork's secret if it exists (and is ours), so a retried rotation reuses its password. */
  async read(forkId: string): Promise<{ arn: string; value: DatabaseSecret } | undefined> {
    const existing = await this.describe(forkId);
    if (!existing?.ARN || existing.DeletedDate) return undefined;
    assertManagedBy(tagMap(existing.Tags), forkId, `secret ${secretName(forkId)}`);
    const value = await this.client.send(new GetSecretValueCommand({ SecretId: existing.ARN }));
    return { arn: existing.ARN, value: JSON.parse(value.SecretString ?? '{}') as DatabaseSecret };
  }

  async create(forkId: string, value: DatabaseSecret, tags: AwsTag[]): Promise<string> {
    const out = await this.client.send(
      new CreateSecretCommand({
        Name: secretName(forkId),
        Description: `Credentials of dbfork fork ${forkId}`,
        SecretString: JSON.stringify(value),
        Tags: tags,
      }),
    );
    return out.ARN ?? '';
  }

  /** Tag-guarded; no recovery window, so nothing lingers; a missing secret is success. */
  async delete(forkId: string): Promise<boolean> {
    const existing = await this.describe(forkId);
    if (!existing) return false;
    assertManagedBy(tagMap(existing.Tags), forkId, `secret ${secretName(forkId)}`);
    try {
      await this.client.send(
        new DeleteSecretCommand({
          SecretId: existing.ARN ?? secretName(forkId),
          ForceDeleteWithoutRecovery: true,
        }),
      );
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') throw error;
    }
    return true;
  }
}
