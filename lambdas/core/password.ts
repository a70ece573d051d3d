import { randomInt } from 'node:crypto';

/**
 * Master passwords to each engine's rules, from the `MasterUserPassword` docs of the SDK models
 * (CreateDBInstance / ModifyDBInstance / ModifyDBCluster in @aws-sdk/client-rds, ModifyDBCluster in
 * @aws-sdk/client-docdb): "any printable ASCII character except "/", """, or "@"" (and for RDS for
 * Oracle not "&" or "'"); RDS for Oracle 8 to 30 characters; MySQL, MariaDB and every Aurora
 * cluster (ModifyDBCluster) 8 to 41; PostgreSQL and SQL Server 8 to 128; DocumentDB 8 to 100.
 *
 * The alphabet keeps to letters, digits and punctuation that need no quoting in a shell, a URL
 * userinfo or a connection string (no space, quote, backslash, `/`, `@`, `&`, `:`, `?`, `#`, `%`),
 * and leaves out look-alikes; the first character is a letter.
 */
const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const ALPHABET = `${LETTERS}23456789!$^*-_=+.~`;

/** The longest password each engine accepts (the shortest is 8 for all). */
export function maxPasswordLength(engine: string): number {
  if (engine.startsWith('oracle')) return 30;
  if (engine.startsWith('aurora') || engine === 'mysql' || engine === 'mariadb') return 41;
  if (engine === 'docdb') return 100;
  return 128; // postgres, sqlserver-*
}

/** 32 characters (about 190 bits), or the engine's maximum when lower (Oracle: 30). */
export function generatePassword(engine: string): string {
  const length = Math.min(32, maxPasswordLength(engine));
  let out = LETTERS[randomInt(LETTERS.length)] ?? 'A';
  while (out.length < length) out += ALPHABET[randomInt(ALPHABET.length)] ?? '';
  return out;
}
