// The mesh's routes on the kernel's control socket, for `titan mesh ...` against a running kernel.
import { TitanError } from '../common/errors.ts';
import type { ControlRoute } from '../kernel/api.ts';
import type { Mesh } from './mesh.ts';

export function meshControlRoutes(mesh: Mesh): ControlRoute[] {
  const peerOf = (body: Record<string, unknown>) => {
    if (typeof body.peer !== 'string') throw new TitanError('TITAN_E_USAGE', 'give the peer id as {"peer": "12D3KooW..."}');
    return body.peer;
  };
  return [
    ['GET', /^\/mesh\/status$/, () => mesh.status()],
    ['GET', /^\/mesh\/peers$/, () => mesh.peers()],
    ['POST', /^\/mesh\/allow$/, async (_k, body) => ({ allowlist: await mesh.allow(peerOf(body)) })],
    ['POST', /^\/mesh\/deny$/, async (_k, body) => {
      const result = await mesh.deny(peerOf(body));
      return { allowlist: result.peers, stillInConfig: result.stillInConfig };
    }],
  ];
}
