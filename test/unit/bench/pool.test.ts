import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EMULATOR_DEFAULT_DELAY_MS, poolFigure } from '../../../bench/pool.js';

describe('poolFigure', () => {
  it('gives claim and cold percentiles side by side, with claim p95 over cold p95', () => {
    const figure = poolFigure([3400, 3500, 3600], [7000, 7400, 7200]);

    expect(figure.claimMs).toEqual({ p50: 3500, p95: 3590 });
    expect(figure.coldMs).toEqual({ p50: 7200, p95: 7380 });
    expect(figure.n).toBe(3);
    expect(figure.ratio).toBeCloseTo(3590 / 7380, 10);
  });

  it('counts the smaller side and has no ratio without a cold baseline', () => {
    const figure = poolFigure([3400, 3500], []);

    expect(figure.n).toBe(0);
    expect(figure.coldMs).toEqual({ p50: null, p95: null });
    expect(figure.ratio).toBeNull();
  });
});

describe('EMULATOR_DEFAULT_DELAY_MS', () => {
  it('is the faithful emulator’s own default delay per transition', () => {
    const config = readFileSync(new URL('../../../local/moto/faithful/config.py', import.meta.url), 'utf8');

    expect(/^DEFAULT_DELAY_MS = (\d+)$/m.exec(config)?.[1]).toBe(String(EMULATOR_DEFAULT_DELAY_MS));
  });
});
