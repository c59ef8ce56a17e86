// The parts `titan start` starts after ready (the providers' first load, channels, jobs, routines, the
// agent's reflexes and memory): the gateway listens and answers /api/ready before they run, and every other request waits
// at the gate below until they do, so the first request after ready finds them all, as before.
import type Koa from 'koa';
import { TitanError } from '../common/errors.ts';
import type { GatewayDeps, GatewayState } from './deps.ts';

/** What the gateway is handed once the parts after ready run. */
export type LateParts = Pick<GatewayDeps, 'channels' | 'jobs' | 'routines'>;

/**
 * Sets `deps.opening` from the parts' promise: once they run, the gateway holds them and counts
 * their metrics, and the gate opens for good. If they fail, waiting requests get TITAN_E_NOT_READY.
 */
export function awaitLateParts(deps: GatewayDeps, parts: Promise<LateParts>): void {
  const opening = parts.then((late) => {
    Object.assign(deps, late);
    if (late.channels) deps.metrics.useChannels(late.channels);
    deps.metrics.useReflexes(deps.agent.reflexes);
    if (deps.opening === opening) deps.opening = undefined;
  });
  opening.catch(() => {}); // a failed start is reported by `titan start`, which then stops
  deps.opening = opening;
}

/** Holds a request until the parts after ready run (a settled gate costs one check). */
export function afterLateParts(deps: GatewayDeps): Koa.Middleware<GatewayState> {
  return async (_ctx, next) => {
    const opening = deps.opening;
    if (opening)
      await opening.catch((error: unknown) => {
        throw new TitanError('TITAN_E_NOT_READY', `Titan stopped while starting: ${error instanceof Error ? error.message : String(error)}`);
      });
    return next();
  };
}
