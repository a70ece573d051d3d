import { describe, expect, it } from 'vitest';
import { generatePassword, maxPasswordLength } from '../../../lambdas/core/password.js';

/** Printable ASCII without the characters the SDK models forbid ("/", '"', "@", Oracle's "&" and "'") or space. */
const ALLOWED = /^[!#-%(-.0-?A-~]+$/;

describe('generatePassword', () => {
  it.each([
    ['oracle-ee', 30],
    ['oracle-se2-cdb', 30],
    ['mysql', 32],
    ['mariadb', 32],
    ['aurora-mysql', 32],
    ['aurora-postgresql', 32],
    ['postgres', 32],
    ['sqlserver-se', 32],
    ['docdb', 32],
  ])('makes a %s password within its length rule (%i characters)', (engine, length) => {
    const password = generatePassword(engine);

    expect(password).toHaveLength(length);
    expect(password.length).toBeLessThanOrEqual(maxPasswordLength(engine));
    expect(password.length).toBeGreaterThanOrEqual(8);
  });

  it('never uses / @ " & \' or a space, only printable ASCII, and starts with a letter', () => {
    const passwords = ['oracle-ee', 'mysql', 'postgres', 'docdb'].flatMap((engine) =>
      Array.from({ length: 100 }, () => generatePassword(engine)),
    );

    for (const password of passwords) {
      expect(password).toMatch(ALLOWED);
      expect(password).not.toMatch(/[/@"&' ]/);
      expect(password).toMatch(/^[A-Za-z]/);
    }
    expect(new Set(passwords).size).toBe(passwords.length);
  });
});

describe('maxPasswordLength', () => {
  it('follows the MasterUserPassword length constraints of each engine', () => {
    expect(
      [
        'oracle-ee',
        'mysql',
        'mariadb',
        'aurora-mysql',
        'aurora-postgresql',
        'docdb',
        'postgres',
        'sqlserver-ex',
      ].map(maxPasswordLength),
    ).toEqual([30, 41, 41, 41, 41, 100, 128, 128]);
  });
});
