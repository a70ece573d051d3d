/**
 * What the Lambda bundles use instead of the SDK's default credential chain
 * (`@aws-sdk/credential-provider-node`: environment, SSO, ini files, process, web identity, ECS and
 * EC2 metadata). Lambda always hands a function its role's credentials in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN — "Defined runtime environment
 * variables", AWS Lambda Developer Guide), so the rest of the chain is dead weight in a handler:
 * about 100 KB of every bundle and of every cold start. Aliased in by `DBFORK_BUNDLE_ALIASES`
 * (lib/dbfork-function.ts); the offline runtime, the tests and the CLI keep the full chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** Same name and shape as `@aws-sdk/credential-provider-node`'s export, the only one the clients import. */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
