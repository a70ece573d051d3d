/**
 * EventBridge Scheduler cron expressions, `cron(minutes hours day-of-month month day-of-week year)`:
 * six fields, UTC here. Rules from the EventBridge "Cron expressions reference"
 * (docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html), which Scheduler's
 * "Schedule types" page refers to:
 *  - minutes 0-59 `, - * /`; hours 0-23 `, - * /`; day-of-month 1-31 `, - * ? / L W`;
 *    month 1-12 or JAN-DEC `, - * /`; day-of-week 1-7 or SUN-SAT (1 = Sunday) `, - * ? L #`;
 *    year 1970-2199 `, - * /`;
 *  - day-of-month and day-of-week cannot both be given: one of them must be `?`;
 *  - a `#` makes the day-of-week field a single expression ("3#1,6#3" is invalid).
 * `cronProblem` names what is wrong (for a 400); `cronMatches` tells whether a minute is one the
 * expression names (the offline scheduler fires with it; `L`, `W` and `#` are not evaluated there).
 */

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** `?` allowed (day-of-month, day-of-week). */
  any?: boolean;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, any: true },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, any: true },
  { name: 'year', min: 1970, max: 2199 },
];

const CRON = /^cron\((.*)\)$/;

function fieldValue(text: string, spec: FieldSpec): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= spec.min && n <= spec.max ? n : undefined;
  }
  const index = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  return index >= 0 ? index + spec.min : undefined;
}

/** `N`, `N-M`, `*`, each optionally `/step`: the values it names, or undefined when malformed. */
function rangeValues(item: string, spec: FieldSpec): number[] | undefined {
  const [base = '', step, extra] = item.split('/');
  if (extra !== undefined) return undefined;
  let from: number | undefined;
  let to: number | undefined;
  if (base === '*') {
    from = spec.min;
    to = spec.max;
  } else {
    const [a = '', b, more] = base.split('-');
    if (more !== undefined) return undefined;
    from = fieldValue(a, spec);
    to = b === undefined ? (step === undefined ? from : spec.max) : fieldValue(b, spec);
  }
  if (from === undefined || to === undefined || from > to) return undefined;
  let increment = 1;
  if (step !== undefined) {
    if (!/^\d+$/.test(step) || Number(step) < 1) return undefined;
    increment = Number(step);
  }
  const out: number[] = [];
  for (let v = from; v <= to; v += increment) out.push(v);
  return out;
}

/** AWS's special forms: `L`, `LW`, `<n>W` (day-of-month), `L`, `<d>L`, `<d>#<k>` (day-of-week). */
function isSpecial(item: string, spec: FieldSpec): boolean {
  const upper = item.toUpperCase();
  if (spec.name === 'day-of-month') {
    if (upper === 'L' || upper === 'LW') return true;
    const w = /^(\d+)W$/.exec(upper);
    return Boolean(w?.[1] && fieldValue(w[1], spec) !== undefined);
  }
  if (spec.name === 'day-of-week') {
    if (upper === 'L') return true;
    const last = /^(\w+)L$/.exec(upper);
    if (last?.[1] && fieldValue(last[1], spec) !== undefined) return true;
    const nth = /^(\w+)#([1-5])$/.exec(upper);
    return Boolean(nth?.[1] && fieldValue(nth[1], spec) !== undefined);
  }
  return false;
}

function fieldProblem(text: string, spec: FieldSpec): string | undefined {
  if (text === '?') return spec.any ? undefined : `${spec.name} cannot be "?"`;
  const items = text.split(',');
  if (spec.name === 'day-of-week' && text.includes('#') && items.length > 1) {
    return 'day-of-week with "#" must be a single expression';
  }
  for (const item of items) {
    if (rangeValues(item, spec) === undefined && !isSpecial(item, spec)) {
      return `${spec.name} "${item}" is not valid (${spec.min}-${spec.max}${spec.names ? ` or ${spec.names[0]}-${spec.names.at(-1)}` : ''})`;
    }
  }
  return undefined;
}

/** What is wrong with a Scheduler cron expression, or undefined when it is valid. */
export function cronProblem(expression: string): string | undefined {
  const match = CRON.exec(expression.trim());
  if (!match) return 'must look like cron(minutes hours day-of-month month day-of-week year)';
  const fields = (match[1] ?? '').trim().split(/\s+/);
  if (fields.length !== FIELDS.length) {
    return `has ${fields.length} field${fields.length === 1 ? '' : 's'}; a Scheduler cron has six: minutes hours day-of-month month day-of-week year`;
  }
  for (const [i, spec] of FIELDS.entries()) {
    const problem = fieldProblem(fields[i] ?? '', spec);
    if (problem) return problem;
  }
  const dom = fields[2];
  const dow = fields[4];
  if ((dom === '?') === (dow === '?')) {
    return 'give day-of-month or day-of-week and "?" in the other (e.g. cron(0 3 * * ? *) for 03:00 UTC daily)';
  }
  return undefined;
}

function fieldMatches(text: string, spec: FieldSpec, value: number): boolean | undefined {
  if (text === '?') return true;
  for (const item of text.split(',')) {
    const values = rangeValues(item, spec);
    if (values === undefined) return undefined; // L, W, #: not evaluated here
    if (values.includes(value)) return true;
  }
  return false;
}

/**
 * Whether the expression names the UTC minute of `at`; undefined when it uses a form this does not
 * evaluate (`L`, `W`, `#`) or is invalid.
 */
export function cronMatches(expression: string, at: Date): boolean | undefined {
  if (cronProblem(expression) !== undefined) return undefined;
  const fields = (CRON.exec(expression.trim())?.[1] ?? '').trim().split(/\s+/);
  const values = [
    at.getUTCMinutes(),
    at.getUTCHours(),
    at.getUTCDate(),
    at.getUTCMonth() + 1,
    at.getUTCDay() + 1,
    at.getUTCFullYear(),
  ];
  let matches = true;
  for (const [i, spec] of FIELDS.entries()) {
    const result = fieldMatches(fields[i] ?? '', spec, values[i] ?? -1);
    if (result === undefined) return undefined;
    matches &&= result;
  }
  return matches;
}
