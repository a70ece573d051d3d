/**
 * IAM principal matching for admin checks. API Gateway reports a role's caller as its STS session
 * (`arn:aws:sts::<acct>:assumed-role/<role>/<session>`) while configs name the role
 * (`arn:aws:iam::<acct>:role/<path/><role>`): a session matches the role it was assumed from.
 */
const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;
const ROLE = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/;

export function principalMatches(caller: string, configured: string): boolean {
  if (caller === configured) return true;
  const session = ASSUMED_ROLE.exec(caller);
  const role = ROLE.exec(configured);
  if (!session || !role) return false;
  return session[1] === role[1] && session[2] === role[2] && session[3] === role[3];
}

export function isAdmin(caller: string, adminPrincipals: readonly string[]): boolean {
  return adminPrincipals.some((admin) => principalMatches(caller, admin));
}
