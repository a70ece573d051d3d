import { randomInt } from 'node:crypto';

// RDS and DocumentDB reject '/', '@', '"' and spaces in master passwords; keep to a safe set.
const CHARSET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#$%^*-_=+';

export function generatePassword(length = 32): string {
  let out = '';
  for (let i = 0; i < length; i++) out += CHARSET[randomInt(CHARSET.length)];
  return out;
}
