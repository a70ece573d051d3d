import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';

/**
 * Makes the emulator look like an account where dbfork is deployed: a CloudFormation stack whose
 * `ApiUrl` output is the offline API. Returns the environment a user's shell (or a CI job) would
 * have there — the stack name and AWS credentials reaching the emulator — so the CLI and the Action
 * find the API the way they do on AWS, from the stack output.
 */
export async function deployedStackEnv(emulator: string, apiUrl: string): Promise<Record<string, string>> {
  const stackName = `dbfork-e2e-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const cfn = new CloudFormationClient({
    endpoint: emulator,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  try {
    await cfn.send(
      new CreateStackCommand({
        StackName: stackName,
        TemplateBody: JSON.stringify({
          Resources: { Topic: { Type: 'AWS::SNS::Topic' } },
          Outputs: { ApiUrl: { Value: apiUrl } },
        }),
      }),
    );
  } finally {
    cfn.destroy();
  }
  return {
    DBFORK_STACK_NAME: stackName,
    AWS_ENDPOINT_URL_CLOUDFORMATION: emulator,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
  };
}
