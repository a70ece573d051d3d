#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { configFromContext, DbForkConfigError } from '../lib/config.js';
import { DbForkStack } from '../lib/dbfork.stack.js';

const app = new App();
try {
  new DbForkStack(app, 'DbFork', {
    config: configFromContext(app),
    description: 'dbfork: on-demand forks of RDS, Aurora and DocumentDB databases',
  });
} catch (error) {
  if (!(error instanceof DbForkConfigError)) throw error;
  // A bad config is the user's to fix: one clear line naming the field, no stack trace.
  console.error(error.message);
  process.exit(1);
}
// cdk-nag 3 packs are CDK validation plugins (v2 used Aspects): errors fail the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
