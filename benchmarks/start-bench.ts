// What the start benchmarks (start-ready.ts, first-turn.ts) start Titan from: the start bundle as users
// get it (built first when the tree changed since, else the first start would rebuild it in the
// background, under the measured ones), the scripted model server, and a temporary home whose build
// cache is the one every benchmark shares (the first start deploys built components, compiling nothing new).
import { mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { buildBundleOnce } from '../bin/bundle/build.ts';
import { freshBundle } from '../bin/bundle/fresh.ts';
import { startModelServer } from './model-server.ts';
import { BENCH_CACHE, tempDir } from './setup.ts';

export type StartBench = {
  home: string;
  /** The environment that makes the scripted model Titan's provider. */
  modelEnv: Record<string, string>;
  close(): Promise<void>;
};

export async function openStartBench(homePrefix: string): Promise<StartBench> {
  if (process.env.TITAN_BUNDLE !== 'off' && !freshBundle()) {
    console.log('building the start bundle first (sources changed since the last one)');
    await buildBundleOnce();
  }
  const model = await startModelServer({ timeline: false });
  const home = await tempDir(homePrefix);
  await mkdir(BENCH_CACHE, { recursive: true });
  await symlink(BENCH_CACHE, path.join(home, 'cache'));
  return {
    home,
    modelEnv: { TITAN_PROVIDER: 'scripted', TITAN_SCRIPTED_LLM_URL: model.url },
    close: async () => {
      model.stop();
      await rm(home, { recursive: true, force: true });
    },
  };
}
