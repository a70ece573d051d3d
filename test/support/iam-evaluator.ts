/**
 * A small IAM identity-policy evaluator: enough of the AWS policy evaluation logic to decide the
 * calls dbfork makes against the statements dbfork's functions hold ("Policy evaluation logic",
 * IAM User Guide: an explicit Deny wins, else any matching Allow, else implicit deny).
 *
 * Supported: Action / NotAction and Resource / NotResource with `*` and `?` wildcards; condition
 * operators String(Not)Equals, String(Not)Like, StringEqualsIgnoreCase, Bool, Null, Arn(Not)Like,
 * Arn(Not)Equals, each with the `ForAllValues:` / `ForAnyValue:` set prefixes and the `IfExists`
 * suffix ("IAM JSON policy elements: Condition operators", "Multivalued context keys"). Any other
 * operator throws, so a policy that starts using one cannot be evaluated silently wrong.
 * Written here rather than taken from an AGPL simulator so nothing copyleft enters the repository.
 */

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** A request-context value: single-valued keys hold a string, multivalued ones a list. */
export type ContextValue = string | readonly string[];

/** One authorization AWS makes for a call: one action on one resource, with its request context. */
export interface AuthorizationRequest {
  readonly action: string;
  /** The resource ARN, or `*` for actions without resource-level permissions. */
  readonly resource: string;
  readonly context: Readonly<Record<string, ContextValue>>;
}

export type Decision = 'Allowed' | 'ImplicitDeny' | 'ExplicitDeny';

export interface Evaluation {
  readonly decision: Decision;
  /** Sids (or indexes) of the statements that matched with the deciding effect. */
  readonly by: readonly string[];
}

const list = (value: unknown): string[] =>
  value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((v) => String(v));

/** `*` matches any run of characters, `?` exactly one; everything else literally. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

function matchesAction(statement: PolicyStatement, action: string): boolean {
  // Action names are case-insensitive ("IAM JSON policy elements: Action").
  if (statement.Action !== undefined)
    return list(statement.Action).some((p) => wildcardMatch(p, action, true));
  if (statement.NotAction !== undefined)
    return !list(statement.NotAction).some((p) => wildcardMatch(p, action, true));
  return false;
}

function matchesResource(statement: PolicyStatement, resource: string): boolean {
  if (statement.Resource !== undefined)
    return list(statement.Resource).some((p) => wildcardMatch(p, resource));
  if (statement.NotResource !== undefined)
    return !list(statement.NotResource).some((p) => wildcardMatch(p, resource));
  return false;
}

type Comparator = (policyValue: string, requestValue: string) => boolean;

/** Positive base operators; the `Not` forms negate them. */
const COMPARATORS: Readonly<Record<string, Comparator>> = {
  StringEquals: (p, r) => p === r,
  StringEqualsIgnoreCase: (p, r) => p.toLowerCase() === r.toLowerCase(),
  StringLike: (p, r) => wildcardMatch(p, r),
  Bool: (p, r) => p.toLowerCase() === r.toLowerCase(),
  ArnEquals: (p, r) => p === r,
  ArnLike: (p, r) => wildcardMatch(p, r),
};

interface ParsedOperator {
  readonly set: 'ForAllValues' | 'ForAnyValue' | undefined;
  readonly base: string;
  readonly negated: boolean;
  readonly ifExists: boolean;
}

function parseOperator(operator: string): ParsedOperator {
  const match = /^(?:(ForAllValues|ForAnyValue):)?(.+?)(IfExists)?$/.exec(operator);
  const name = match?.[2] ?? operator;
  const negated = /^(String|Arn)Not/.test(name);
  const base = negated ? name.replace('Not', '') : name;
  if (base !== 'Null' && !(base in COMPARATORS)) {
    throw new Error(`condition operator ${operator} is not supported by this evaluator`);
  }
  return {
    set: match?.[1] as ParsedOperator['set'],
    base,
    negated,
    ifExists: Boolean(match?.[3]),
  };
}

function lookup(context: Readonly<Record<string, ContextValue>>, key: string): string[] | undefined {
  // Condition key names are case-insensitive.
  const wanted = key.toLowerCase();
  for (const [name, value] of Object.entries(context)) {
    if (name.toLowerCase() === wanted) return list(value);
  }
  return undefined;
}

function conditionHolds(
  operator: string,
  key: string,
  policyValues: string[],
  context: Readonly<Record<string, ContextValue>>,
): boolean {
  const op = parseOperator(operator);
  const values = lookup(context, key);
  if (op.base === 'Null') {
    const wantsAbsent = policyValues.some((v) => v.toLowerCase() === 'true');
    return wantsAbsent === (values === undefined);
  }
  const compare = COMPARATORS[op.base] as Comparator;
  const matchesOne = (value: string) => policyValues.some((p) => compare(p, value));
  if (op.set === 'ForAllValues') {
    // Vacuously true for a missing or empty key ("Multivalued context keys", IAM User Guide).
    const all = (values ?? []).every((v) => (op.negated ? !matchesOne(v) : matchesOne(v)));
    return all;
  }
  if (op.set === 'ForAnyValue') {
    if (values === undefined) return false;
    return values.some((v) => (op.negated ? !matchesOne(v) : matchesOne(v)));
  }
  if (values === undefined) return op.ifExists || op.negated;
  const any = values.some(matchesOne);
  return op.negated ? !any : any;
}

function conditionsHold(
  statement: PolicyStatement,
  context: Readonly<Record<string, ContextValue>>,
): boolean {
  return Object.entries(statement.Condition ?? {}).every(([operator, block]) =>
    Object.entries(block).every(([key, value]) => conditionHolds(operator, key, list(value), context)),
  );
}

function applies(statement: PolicyStatement, request: AuthorizationRequest): boolean {
  return (
    matchesAction(statement, request.action) &&
    matchesResource(statement, request.resource) &&
    conditionsHold(statement, request.context)
  );
}

/** The decision of a set of identity-policy statements on one authorization. */
export function evaluate(statements: readonly PolicyStatement[], request: AuthorizationRequest): Evaluation {
  const name = (s: PolicyStatement, i: number) => s.Sid ?? `#${i}`;
  const matching = statements.map((s, i) => [s, name(s, i)] as const).filter(([s]) => applies(s, request));
  const denies = matching.filter(([s]) => s.Effect === 'Deny').map(([, n]) => n);
  if (denies.length > 0) return { decision: 'ExplicitDeny', by: denies };
  const allows = matching.filter(([s]) => s.Effect === 'Allow').map(([, n]) => n);
  return allows.length > 0 ? { decision: 'Allowed', by: allows } : { decision: 'ImplicitDeny', by: [] };
}
