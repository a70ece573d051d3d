import { defineConfig } from 'vitest/config';

/**
 * Three projects (`npx vitest run` runs all; `--project unit|moto|e2e` picks one):
 * - unit: unit, infra and property tests; no shared emulator; files run in parallel.
 * - moto: workflow tests and any `*.moto.test.ts`; they share ONE moto server
 *   (test/support/moto-global-setup.ts) and reset it between tests, so files run one at a time.
 * - iam: the IAM simulation (test/iam): drives every engine and restore type, the API and the
 *   reconciler on its own moto server with every AWS call recorded, and evaluates each call against
 *   the synthesized policy of the function that made it (docs/iam.md); one file at a time.
 * - e2e: the offline mode as a user starts it (`npm run local`, which starts its own moto) driven
 *   through the built CLI (test/support/e2e-global-setup.ts builds it); one file at a time.
 */
const MOTO_TESTS = ['test/workflow/**/*.test.ts', 'test/**/*.moto.test.ts'];
const E2E_TESTS = ['test/e2e/**/*.test.ts'];
const IAM_TESTS = ['test/iam/**/*.test.ts'];

const env = {
  // The AWS SDK warns once per process that it will need Node 22 from 2027; not news in a test log.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

export default defineConfig({
  test: {
    env,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...MOTO_TESTS, ...E2E_TESTS, ...IAM_TESTS, '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'moto',
          include: MOTO_TESTS,
          globalSetup: ['test/support/moto-global-setup.ts'],
          setupFiles: ['test/support/moto-env.setup.ts'],
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'iam',
          include: IAM_TESTS,
          globalSetup: ['test/support/moto-global-setup.ts'],
          setupFiles: ['test/support/moto-env.setup.ts'],
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 600_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: E2E_TESTS,
          globalSetup: ['test/support/e2e-global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 150_000,
        },
      },
    ],
  },
});
