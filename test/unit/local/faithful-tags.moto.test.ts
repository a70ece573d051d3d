import {
  AddTagsToResourceCommand,
  CreateDBClusterCommand,
  DeleteDBClusterCommand,
  ListTagsForResourceCommand,
  RDSClient,
  RemoveTagsFromResourceCommand,
} from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import { motoClientConfig, resetMoto, setEmulatorConfig, waitForAvailable } from '../../support/moto.js';

const ARN = 'arn:aws:rds:us-east-1:123456789012';

/** local/moto/faithful/actions.py: tag actions on an ARN that names nothing answer NotFound, as AWS does. */
describe('faithful mode: tags of resources that do not exist', () => {
  let rds: RDSClient;

  beforeEach(async () => {
    await resetMoto();
    await setEmulatorConfig({ faithful: true, delayMs: 100 });
    rds = new RDSClient(motoClientConfig());
  });

  const listTags = (arn: string) => rds.send(new ListTagsForResourceCommand({ ResourceName: arn }));

  it.each([
    ['db', 'DBInstanceNotFoundFault'],
    ['cluster', 'DBClusterNotFoundFault'],
    ['snapshot', 'DBSnapshotNotFoundFault'],
  ])(
    'ListTagsForResource, AddTagsToResource and RemoveTagsFromResource on a missing %s: %s (404)',
    async (type, fault) => {
      const arn = `${ARN}:${type}:nowhere`;
      const notFound = { name: fault, $metadata: { httpStatusCode: 404 } };

      await expect(listTags(arn)).rejects.toMatchObject(notFound);
      await expect(
        rds.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: [{ Key: 'k', Value: 'v' }] })),
      ).rejects.toMatchObject(notFound);
      await expect(
        rds.send(new RemoveTagsFromResourceCommand({ ResourceName: arn, TagKeys: ['k'] })),
      ).rejects.toMatchObject(notFound);
    },
  );

  const createCluster = async (id: string) => {
    const created = await rds.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: id,
        Engine: 'aurora-postgresql',
        MasterUsername: 'ledger',
        MasterUserPassword: 'ledger-password',
        Tags: [{ Key: 'team', Value: 'payments' }],
      }),
    );
    await waitForAvailable({ cluster: id }, { client: rds });
    return created.DBCluster?.DBClusterArn ?? '';
  };
  const deleteCluster = (id: string) =>
    rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: id, SkipFinalSnapshot: true }));

  it('lists the tags of a cluster while it is deleting', async () => {
    const arn = await createCluster('ledger');
    await setEmulatorConfig({ delaysMs: { delete: 60_000 } });
    await deleteCluster('ledger');

    expect((await listTags(arn)).TagList).toEqual([{ Key: 'team', Value: 'payments' }]);
  });

  it('answers DBClusterNotFoundFault for a cluster once its delete is done', async () => {
    const arn = await createCluster('ledger');
    await deleteCluster('ledger');

    await expect
      .poll(
        () =>
          listTags(arn).then(
            () => 'listed',
            (error: Error) => error.name,
          ),
        { timeout: 10_000 },
      )
      .toBe('DBClusterNotFoundFault');
  });

  it('answers as stock moto (no tags, no error) with the faithful mode off', async () => {
    await setEmulatorConfig({ faithful: false });
    expect((await listTags(`${ARN}:cluster:nowhere`)).TagList).toEqual([]);
  });
});
