// Where the scheduler places a task: only on a peer advertising the component at an accepted
// version with a free slot, the least loaded first, here when this node is as idle, and nowhere
// (a coded error) when no node could ever run it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTitanError } from '../common/errors.ts';
import type { Member } from './membership.ts';
import { place, type Job, type SchedulerView } from './scheduler.ts';

const SELF = 'self';
const member = (id: string, version: string, busy: number, extra: Partial<Member> = {}): Member => ({
  id,
  seq: 1,
  slots: 4,
  freeSlots: 4 - busy,
  load: busy / 4,
  busyBy: {},
  addrs: [],
  lastSeen: Date.now(),
  components: [{ kind: 'tool', name: 'busy', version, digest: `sha256:${version}` }],
  ...extra,
});
const job = (range: string, extra: Partial<Job> = {}): Job => ({
  id: 'j',
  type: 'tool-call',
  need: { kind: 'tool', name: 'busy', range },
  fn: 'invoke',
  args: [],
  exclude: new Set(),
  resolve() {},
  reject() {},
  ...extra,
});
const view = (members: Member[], local: { slots: number; running: number; can: boolean }, inFlight: Record<string, number> = {}): SchedulerView => ({
  self: SELF,
  localSlots: local.slots,
  localRunning: () => local.running,
  localCan: () => local.can,
  members: () => members,
  inFlight: (peer) => inFlight[peer] ?? 0,
  sentTo: () => 0,
});

test('only a peer with a compatible version is chosen', () => {
  const members = [member('old', '0.9.0', 0), member('new', '1.4.0', 0)];
  assert.deepEqual(place(view(members, { slots: 0, running: 0, can: false }), job('^1.0.0')), {
    where: 'peer',
    peer: 'new',
    version: '1.4.0',
    digest: 'sha256:1.4.0',
  });
  const none = place(view([member('old', '0.9.0', 0)], { slots: 0, running: 0, can: false }), job('^1.0.0'));
  assert.ok(isTitanError(none, 'TITAN_E_MESH_NO_PEER'));
});

test('the least loaded peer with a free slot wins; a full one is skipped; this node wins a tie', () => {
  const members = [member('busy', '1.0.0', 3), member('idle', '1.0.0', 1)];
  assert.equal((place(view(members, { slots: 0, running: 0, can: false }), job('^1.0.0')) as { peer: string }).peer, 'idle');
  // Our own tasks in flight count: with 3 of ours besides its 1 from others, idle is full.
  assert.equal((place(view(members, { slots: 0, running: 0, can: false }, { idle: 3 }), job('^1.0.0')) as { peer: string }).peer, 'busy');
  // Equal load (1 of 4 busy) here and there: no network hop.
  assert.deepEqual(place(view([member('idle', '1.0.0', 1)], { slots: 4, running: 1, can: true }), job('^1.0.0')), { where: 'local' });
  // Every fitting slot taken: the task waits.
  assert.equal(place(view([member('full', '1.0.0', 4)], { slots: 1, running: 1, can: true }), job('^1.0.0')), 'wait');
});

test('a peer lost while holding the task is never chosen again for it; a local-only task stays here', () => {
  const members = [member('lost', '1.0.0', 0), member('other', '1.0.0', 2)];
  assert.equal((place(view(members, { slots: 0, running: 0, can: false }), job('^1.0.0', { exclude: new Set(['lost']) })) as { peer: string }).peer, 'other');
  assert.deepEqual(place(view(members, { slots: 1, running: 0, can: true }), job('^1.0.0', { localOnly: true })), { where: 'local' });
});

test('a peer counts only the load others put on it: its busy slots that are our tasks are ours, not extra', () => {
  const ours = member('b', '1.0.0', 4, { busyBy: { [SELF]: 4 } });
  // b beat while running 4 of our tasks; 3 have come back since: it has room for more.
  assert.equal((place(view([ours], { slots: 0, running: 0, can: false }, { b: 1 }), job('*')) as { peer: string }).peer, 'b');
});
