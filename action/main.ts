import { main, runStep } from './run.js';

await runStep(main);
