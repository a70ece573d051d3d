import { post, runStep } from './run.js';

await runStep(post);
