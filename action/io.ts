import * as core from '@actions/core';
import type { Io } from '../cli/context.js';

/** The CLI's terminal, as a job log: plain lines (no redraws), no prompts. */
export function actionIo(): Io {
  return {
    out: (text) => core.info(text.replace(/\n$/, '')),
    err: (text) => core.info(text.replace(/\n$/, '')),
    stderrIsTTY: false,
    stdinIsTTY: false,
    prompt: async () => '',
    env: process.env,
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}
