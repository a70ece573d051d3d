/**
 * setupFiles of the `moto` project: every AWS SDK client a test (or the code under test)
 * builds with default settings talks to the shared moto server with dummy credentials, so a
 * test can never reach a real AWS account.
 */
import { inject } from 'vitest';

const endpoint = inject('motoEndpoint');
Object.assign(process.env, {
  AWS_ENDPOINT_URL: endpoint,
  DBFORK_AWS_ENDPOINT: endpoint,
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
});
delete process.env.AWS_SESSION_TOKEN;
delete process.env.AWS_PROFILE;
