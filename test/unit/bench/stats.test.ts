import { describe, expect, it } from 'vitest';
import { mean, median, percentile, ratio, round } from '../../../bench/stats.js';

describe('percentile', () => {
  it('interpolates between the closest ranks of the sorted values', () => {
    const values = [40, 10, 30, 20];
    expect(percentile(values, 0)).toBe(10);
    expect(percentile(values, 50)).toBe(25);
    expect(percentile(values, 100)).toBe(40);
    expect(percentile(values, 95)).toBeCloseTo(38.5, 10);
  });

  it('gives the one value of a single sample for every percentile', () => {
    expect(percentile([7], 5)).toBe(7);
    expect(percentile([7], 99)).toBe(7);
  });

  it('is null for no values and refuses a percentile outside 0..100', () => {
    expect(percentile([], 50)).toBeNull();
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it('leaves the input unsorted', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('median, mean, ratio and round', () => {
  it('summarize values and keep null for what is missing', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(mean([1, 2, 6])).toBe(3);
    expect(mean([])).toBeNull();
    expect(ratio(50, 200)).toBe(0.25);
    expect(ratio(null, 200)).toBeNull();
    expect(ratio(5, 0)).toBeNull();
    expect(round(1.23456, 2)).toBe(1.23);
    expect(round(null)).toBeNull();
  });
});
