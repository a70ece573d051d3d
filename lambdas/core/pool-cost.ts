import { SERVERLESS_V2_CLASS } from './engines/cluster-source.js';

/**
 * What a warm pool costs, said in words rather than money: dbfork knows no prices (they depend on
 * the region, the engine, reserved instances and discounts), so it names the drivers of the bill —
 * how many member databases run, of which class, and for how long — for whoever reads the bill.
 */

export interface PoolCostInput {
  /** The members' class; undefined when neither the pool nor the source says. */
  instanceClass: string | undefined;
  /** Members running now: ready and warming. */
  members: number;
  /** Members the pool keeps; undefined for a pool no longer configured (being drained). */
  size: number | undefined;
  /** Members being torn down (still billed until they are gone). */
  leaving: number;
}

function databases(count: number, instanceClass: string | undefined): string {
  if (!instanceClass) return `${count} member database${count === 1 ? '' : 's'} (class unknown)`;
  if (instanceClass === SERVERLESS_V2_CLASS)
    return `${count} × ${instanceClass} (Aurora Serverless v2: billed per ACU-hour, at least its minimum capacity)`;
  return `${count} × ${instanceClass}`;
}

/** One sentence: `2 × db.t4g.medium running all the time, plus their storage`. */
export function poolCostDescription(input: PoolCostInput): string {
  const { instanceClass, members, size, leaving } = input;
  const removing = leaving > 0 ? `; ${leaving} more being removed` : '';
  if (size === undefined) {
    if (members === 0)
      return `nothing kept (the pool is no longer configured); ${leaving} member${leaving === 1 ? '' : 's'} being removed`;
    return `${databases(members, instanceClass)} running until drained (the pool is no longer configured), plus their storage${removing}`;
  }
  const now = members === size ? '' : ` (${members} now)`;
  return `${databases(size, instanceClass)} running all the time${now}, plus their storage${removing}`;
}
