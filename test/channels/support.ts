// Channel tests: a bootstrapped kernel with its control socket (so `titan pairing` reaches it, as
// with `titan start`), and per test an agent on a scripted model, the channel runtime pointed at a
// fake platform, and a gateway serving the webhooks.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SourceManifest } from '../../registry/manifest.ts';
import type { ChannelSpec } from '../../gateway/channels/specs.ts';
import { Agent, type TurnEvent } from '../../agent/api.ts';
import { startGateway, type Gateway } from '../../gateway/server.ts';
import { ChannelRuntime } from '../../gateway/channels/runtime.ts';
import { channelsSection, type ChannelsConfig } from '../../gateway/channels/config.ts';
import type { Pairing } from '../../agent/pairing.ts';
import { createControlApp } from '../../gateway/app.ts';
import { claimControlSocket, type ControlSocket } from '../../gateway/control-socket.ts';
import type { SecretSource } from '../../gateway/channels/secrets.ts';
import { openHarness, type Harness } from '../gateway/support.ts';
import { scriptedModel, type Step } from '../support/model-double.ts';
import { runTitan } from '../support/cli.ts';

export type ChannelKernel = Harness & { control: ControlSocket };

export async function openChannelKernel(): Promise<ChannelKernel> {
  const harness = await openHarness();
  // As `titan start` does: claimed first, answering with the gateway's routes once one runs.
  const control = await claimControlSocket(harness.kernel.paths.controlSocket);
  return {
    ...harness,
    control,
    async close() {
      await control.close();
      await harness.close();
    },
  };
}

export type ChannelGateway = {
  gateway: Gateway;
  agent: Agent;
  runtime: ChannelRuntime;
  model: ReturnType<typeof scriptedModel>;
  webhook(name: string): string;
  close(): Promise<void>;
};

export async function startChannels(
  harness: ChannelKernel,
  options: { channels: string[]; secrets: SecretSource; config: Partial<ChannelsConfig>; steps?: Step[] },
): Promise<ChannelGateway> {
  const model = scriptedModel(options.steps ?? []);
  const agent = new Agent(harness.kernel, { workspace: path.join(harness.home, 'workspace'), llm: model });
  await agent.start();
  const config = { ...channelsSection.defaults, ...options.config };
  const runtime = new ChannelRuntime({ kernel: harness.kernel, agent, channels: options.channels, secrets: options.secrets, config });
  runtime.start();
  const gateway = await startGateway({ kernel: harness.kernel, agent, port: 0, ownerId: 'ada', channels: runtime });
  harness.control.serve(createControlApp(gateway.deps).callback());
  return {
    gateway,
    agent,
    runtime,
    model,
    webhook: (name) => `${gateway.url}/channels/${name}/webhook`,
    async close() {
      await runtime.close();
      await gateway.close();
      await agent.close();
    },
  };
}

/** Turns that started in the threads of a channel (user ids "<channel>:<sender>"). */
export function turnsStarted(events: TurnEvent[]): number {
  return events.filter((e) => e.type === 'turn.started').length;
}

/** `titan pairing approve CODE` through the real command line and the control socket. */
export async function approveWithCli(home: string, code: string): Promise<Pairing> {
  const result = await runTitan(['pairing', 'approve', code, '--json'], home);
  if (result.code !== 0) throw new Error(`titan pairing approve failed (${result.code}): ${result.stderr}${result.stdout}`);
  return JSON.parse(result.stdout) as Pairing;
}

/** The pairing code in the reply an unpaired sender got. */
export function codeIn(text: string): string {
  const match = /pairing code is ([A-Z0-9]{6})/.exec(text);
  if (!match) throw new Error(`no pairing code in "${text}"`);
  return match[1];
}

/** A built-in channel's platform, as its component.json declares it. */
export function builtinChannelSpec(name: string): ChannelSpec {
  const file = new URL(`../../components/channels/${name}/component.json`, import.meta.url);
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as SourceManifest;
  if (!manifest.channel) throw new Error(`${name}'s manifest has no channel section`);
  return { ...manifest.channel, name };
}
