import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { FORK_TABLE_INDEXES, FORK_TABLE_TTL_ATTRIBUTE } from '../lambdas/core/table-schema.js';

export interface ForkTableProps {
  /**
   * What happens to the table and its key when the stack is deleted. Fork records are the audit
   * trail, and the key must outlive the table or the retained data becomes unreadable.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The one DynamoDB table of dbfork (fork records, the unique-name guard items, the idempotency keys),
 * encrypted with a customer managed KMS key, with point-in-time recovery and a `ttl` attribute that
 * expires deleted forks' records after the audit retention period.
 */
export class ForkTable extends Construct {
  readonly table: dynamodb.Table;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: ForkTableProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the dbfork fork table',
      enableKeyRotation: true,
      removalPolicy,
    });

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: FORK_TABLE_TTL_ATTRIBUTE,
      removalPolicy,
    });

    for (const [indexName, [partitionKey, sortKey]] of Object.entries(FORK_TABLE_INDEXES)) {
      this.table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }
}
