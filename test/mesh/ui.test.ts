// The web UI's Components page in real headless Chromium shows the mesh: this node and its peers.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import type { Browser } from 'playwright-core';
import { loadOrCreateIdentity } from '../../mesh/identity.ts';
import { Mesh } from '../../mesh/mesh.ts';
import { browserSkipReason, closeSession, launchBrowser, openSession, openUiKernel, type Session, type UiKernel } from '../ui/support.ts';
import { BUSY, spawnNode, until, type TestNode } from './support/cluster.ts';

describe('web UI: the mesh on the Components page', { skip: browserSkipReason() }, () => {
  let browser: Browser;
  let ui: UiKernel;
  let mesh: Mesh;
  let peer: TestNode;
  let session: Session | undefined;
  const cleanups: Array<() => Promise<void> | void> = [];

  before(async () => {
    [browser, ui] = await Promise.all([launchBrowser(), openUiKernel()]);
    const self = peerIdFromPrivateKey(await loadOrCreateIdentity(ui.home)).toString();
    peer = await spawnNode({ after: (fn) => cleanups.push(fn) }, { fixtures: [BUSY], settings: { allowlist: [self] } });
    mesh = await Mesh.start(ui.kernel, { listen: ['/ip4/127.0.0.1/tcp/0'], allowlist: [peer.id], bootstrap: [peer.tcp] });
    ui.mesh = mesh;
    await until('the peer is heard', () => mesh.peers().length === 1);
  });
  after(async () => {
    await browser?.close();
    await mesh?.stop();
    for (const cleanup of cleanups.reverse()) await cleanup();
    await ui?.close();
  });
  afterEach(async () => {
    const ending = session;
    session = undefined;
    await closeSession(ending);
  });

  test('the peer is listed with its free slots and the components it runs for others', async () => {
    session = await openSession(browser, ui);
    const { page } = session;
    await page.getByRole('link', { name: 'Components' }).click();
    const table = page.getByRole('table', { name: 'Mesh' });
    const row = table.getByRole('row', { name: new RegExp(peer.id.slice(-12)) });
    await row.waitFor();
    // biome-ignore lint/performance/useDomNodeTextContent: the test reads the text as rendered, which is innerText
    assert.match(await row.innerText(), /yes\s+0%\s+8\/8\s+tool\/busy@1\.0\.0/);
    // biome-ignore lint/performance/useDomNodeTextContent: the text as rendered, as above
    assert.match(await page.getByText('This node:').innerText(), new RegExp(mesh.id));
  });
});
