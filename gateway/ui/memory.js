// The Memory page: what Titan remembers - status (documents, entities, the embedder, files skipped
// and why), hybrid search with the source of each passage, and an interactive picture of the
// entity graph (cytoscape.js): a click on an entity centres the picture on it and lists what is
// related, with the documents that say so; below it the code graph around a symbol
// (code-graph-view.js). The page builds its own section.
import { graphPicture } from './graph-picture.js';
import { api } from './api.js';
import { CodeGraphView } from './code-graph-view.js';
import { byId, h, showError } from './dom.js';

const COLOURS = { name: '#3b7ddd', file: '#2f9e44', symbol: '#e8590c', topic: '#9c36b5' };

export class MemoryPage {
  constructor() {
    this.status = h('p', { id: 'memory-status', class: 'muted' });
    this.skipped = h('ul', { id: 'memory-skipped', class: 'muted' });
    this.query = /** @type {HTMLInputElement} */ (
      h('input', { id: 'memory-query', type: 'search', placeholder: 'Search memory', 'aria-label': 'Search memory' })
    );
    this.results = h('ol', { id: 'memory-results' });
    this.entity = /** @type {HTMLInputElement} */ (
      h('input', { id: 'memory-entity', type: 'search', placeholder: 'Entity (name, file, symbol)', 'aria-label': 'Entity' })
    );
    this.related = h('ul', { id: 'memory-related' });
    this.picture = h('div', {
      id: 'memory-graph',
      role: 'img',
      'aria-label': 'Graph of remembered entities',
    });
    /** @type {import('./vendor/cytoscape.js').Core | undefined} */
    this.cy = undefined;
    this.code = new CodeGraphView();
    const submit = (/** @type {() => Promise<void>} */ run) => (/** @type {Event} */ event) => {
      event.preventDefault();
      void run();
    };
    const search = h('form', { onsubmit: submit(() => this.search()) }, this.query, h('button', { type: 'submit' }, 'Search'));
    const focus = h('form', { onsubmit: submit(() => this.draw(this.entity.value.trim())) }, this.entity, h('button', { type: 'submit' }, 'Show'));
    byId('pages').append(
      h(
        'section',
        { id: 'page-memory', class: 'page', 'aria-labelledby': 'memory-title', hidden: true },
        h(
          'div',
          { class: 'page-head' },
          h('h2', { id: 'memory-title' }, 'Memory'),
          h('button', { type: 'button', id: 'refresh-memory', onclick: () => void this.show() }, 'Refresh'),
        ),
        h(
          'p',
          { class: 'muted' },
          "The workspace's notes, identity files and daily logs, and your conversations: searched by words and meaning, and linked as a graph of people, files, symbols and topics.",
        ),
        this.status,
        this.skipped,
        search,
        this.results,
        h('h3', {}, 'Graph'),
        focus,
        this.picture,
        this.related,
        this.code.element,
      ),
    );
  }

  async show() {
    try {
      const s = await api.get('/memory/status');
      const kinds =
        Object.entries(s.documents)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ') || 'no documents yet';
      this.status.textContent = `${kinds}; ${s.chunks} chunks, ${s.entities} entities, ${s.relations} relations. Embeddings: ${s.embedder}, vector search: ${s.vectorSearch}.`;
      this.skipped.replaceChildren(...s.skippedFiles.map((f) => h('li', {}, `skipped ${f.path}: ${f.reason}`)));
      await this.draw('');
    } catch (error) {
      showError(error);
    }
  }

  async search() {
    const q = this.query.value.trim();
    if (!q) return;
    try {
      const { results } = await api.get(`/memory/search?q=${encodeURIComponent(q)}&limit=10`);
      this.results.replaceChildren(
        ...results.map((r) => h('li', {}, h('strong', {}, r.kind === 'turn' ? `conversation ${r.thread_id}, turn ${r.turn_id}` : r.path), h('p', {}, r.text))),
      );
      if (results.length === 0) this.results.replaceChildren(h('li', { class: 'muted' }, 'Nothing found.'));
    } catch (error) {
      showError(error);
    }
  }

  /** The most connected entities, or those within two hops of `entity`. */
  async draw(entity) {
    try {
      const graph = await api.get(`/memory/graph?limit=120${entity ? `&entity=${encodeURIComponent(entity)}` : ''}`);
      const elements = [
        ...graph.nodes.map((n) => ({ data: { id: n.id, label: n.name, colour: COLOURS[n.kind] ?? '#868e96', size: 12 + Math.min(n.degree, 20) } })),
        ...graph.edges.map((e) => ({
          data: { id: `${e.source}->${e.target}`, source: e.source, target: e.target, label: e.type, width: Math.min(1 + e.weight, 6) },
        })),
      ];
      this.cy?.destroy();
      this.cy = graphPicture({
        container: this.picture,
        elements,
        layout: { name: 'cose', animate: false },
        style: [
          { selector: 'node', style: { label: 'data(label)', 'background-color': 'data(colour)', width: 'data(size)', height: 'data(size)', 'font-size': 9 } },
          { selector: 'edge', style: { width: 'data(width)', 'line-color': '#adb5bd', 'curve-style': 'bezier' } },
        ],
      });
      this.cy.on('tap', 'node', (event) => {
        this.entity.value = event.target.data('label');
        void this.draw(event.target.data('label'));
      });
      this.related.replaceChildren(
        ...(graph.related ?? []).map((r) =>
          h(
            'li',
            {},
            `${r.name} (${r.kind}): ${r.via ? `${r.via.type}, ` : ''}${r.hops} hop${r.hops === 1 ? '' : 's'}${r.sources.length ? ` - ${r.sources.join(', ')}` : ''}`,
          ),
        ),
      );
    } catch (error) {
      showError(error);
    }
  }
}
