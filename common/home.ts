// Where Titan keeps its state: $TITAN_HOME, default ~/.titan.
import os from 'node:os';
import path from 'node:path';

export function titanHome(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.TITAN_HOME?.trim();
  return path.resolve(configured ? configured : path.join(os.homedir(), '.titan'));
}

export type HomePaths = ReturnType<typeof homePaths>;

export function homePaths(home: string) {
  return {
    home,
    config: path.join(home, 'config.json'),
    registry: path.join(home, 'registry'),
    cache: path.join(home, 'cache'),
    patches: path.join(home, 'patches.json'),
    deployments: path.join(home, 'deployments.json'),
    kv: path.join(home, 'kv'),
    keys: path.join(home, 'keys'),
    logs: path.join(home, 'logs'),
    controlSocket: path.join(home, 'run', 'kernel.sock'),
  };
}
