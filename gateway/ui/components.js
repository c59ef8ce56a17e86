// What the kernel serves (one row per slot) and what its registry holds (one row per version).
// A registry version that is not serving can be proposed as a kernel patch from here.
import { api } from './api.js';
import { byId, h, showError } from './dom.js';

const short = (digest) => (digest ? digest.replace(/^sha256:/, '').slice(0, 12) : '—');

export class ComponentsPage {
  #onProposed;

  /** `onProposed()`: a patch was proposed (the caller shows the patches page). */
  constructor({ onProposed }) {
    this.#onProposed = onProposed;
  }

  async show() {
    try {
      const [{ components }, { manifests }] = await Promise.all([api.get('/components'), api.get('/registry')]);
      this.#serving(components);
      this.#registry(manifests, new Map(components.map((c) => [c.slot, c])));
      this.#mesh(await api.get('/mesh'));
    } catch (error) {
      showError(error);
    }
  }

  /** The mesh section (added under the tables the first time): this node, then one row per peer. */
  #mesh(mesh) {
    let section = byId('mesh-section');
    if (!section) {
      section = h('div', { id: 'mesh-section' });
      /** @type {HTMLElement} */ (byId('registry-rows').closest('section')).append(section);
    }
    if (!mesh.enabled) {
      section.replaceChildren(
        h('h3', {}, 'Mesh'),
        h('p', {}, 'The mesh is off (set "mesh": { "enabled": true } in config.json, or TITAN_MESH=true, and restart).'),
      );
      return;
    }
    const s = mesh.status;
    const rt = s.roundTrip.count ? `; round trip p50 ${s.roundTrip.p50Ms} ms, p99 ${s.roundTrip.p99Ms} ms` : '';
    section.replaceChildren(
      h('h3', { id: 'mesh-title' }, 'Mesh'),
      h(
        'p',
        {},
        'This node: ',
        h('span', { class: 'mono' }, s.id),
        ` - ${s.peers} peers, ${s.slots} slots; tasks sent ${s.tasks.sent}, received ${s.tasks.received}, fallbacks ${s.tasks.fallbacks}, duplicates suppressed ${s.tasks.duplicatesSuppressed}${rt}`,
      ),
      h(
        'table',
        { 'aria-labelledby': 'mesh-title' },
        h('thead', {}, h('tr', {}, ...['Peer', 'Connected', 'Load', 'Free slots', 'Components'].map((c) => h('th', { scope: 'col' }, c)))),
        h(
          'tbody',
          { id: 'mesh-rows' },
          ...mesh.peers.map((p) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row', class: 'mono', title: p.id }, p.id.slice(-12)),
              h('td', {}, p.connected ? 'yes' : 'no'),
              h('td', {}, `${Math.round(p.load * 100)}%`),
              h('td', {}, `${p.freeSlots}/${p.slots}`),
              h('td', {}, p.components.map((c) => `${c.kind}/${c.name}@${c.version}`).join(', ') || '—'),
            ),
          ),
        ),
      ),
    );
  }

  #serving(components) {
    byId('serving-rows').replaceChildren(
      ...components.map((c) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, c.slot),
          h('td', {}, c.version ?? 'not serving'),
          h('td', { class: 'mono', title: c.digest ?? '' }, short(c.digest)),
          // A grant the kernel withdrew (repeated stops): where it runs, and why and since when.
          c.withdrawn
            ? h(
                'td',
                { title: `${c.withdrawn.reason}; titan components regrant ${c.slot}` },
                `${c.isolation} (grant withdrawn ${c.withdrawn.at.slice(0, 16).replace('T', ' ')})`,
              )
            : h('td', {}, c.isolation ?? '—'),
          h('td', {}, String(c.swaps)),
          h('td', {}, c.instances ? `${c.instances.live} live, ${c.instances.busy} busy, ${c.instances.waiting} waiting` : '—'),
        ),
      ),
    );
  }

  #registry(manifests, serving) {
    const rows = [...manifests]
      .sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`) || b.version.localeCompare(a.version, undefined, { numeric: true }))
      .map((m) => {
        const ref = `${m.kind}/${m.name}@${m.version}`;
        const current = serving.get(`${m.kind}/${m.name}`);
        const isServing = current?.digest === m.digest;
        return h(
          'tr',
          {},
          h('th', { scope: 'row' }, `${m.kind}/${m.name}`),
          h('td', {}, m.version),
          h('td', {}, m.description ?? ''),
          h('td', {}, m.backend ?? ''),
          h(
            'td',
            {},
            isServing
              ? h('span', { class: 'badge' }, 'serving')
              : h('button', { type: 'button', 'aria-label': `Propose ${ref}`, onclick: (event) => void this.#propose(ref, event.currentTarget) }, 'Propose'),
          ),
        );
      });
    byId('registry-rows').replaceChildren(...rows);
  }

  async #propose(ref, button) {
    button.disabled = true;
    try {
      await api.post('/patches', { ref, why: 'proposed from the web UI' });
      this.#onProposed();
    } catch (error) {
      showError(error);
      button.disabled = false;
    }
  }
}
