// The code graph on the Memory page: the symbols and files around a searched function, class or
// file as an interactive picture (cytoscape.js): calls as arrows, imports dashed, containment
// dotted. A click on a symbol (in the picture, or its button in the list below it) centres the
// picture on that symbol; the list says every link in words.
import { graphPicture } from './graph-picture.js';
import { api } from './api.js';
import { h, showError } from './dom.js';

const COLOURS = { file: '#2f9e44', function: '#e8590c', method: '#f08c00', class: '#3b7ddd', interface: '#1c7ed6', module: '#9c36b5' };
const LINK_WORDS = { calls: 'calls', imports: 'imports', contains: 'contains', references: 'references', extends: 'extends' };
const LIMIT = 40;

/** @param {{ qualified: string, name: string, kind: string }} n */
const labelOf = (n) => (n.kind === 'file' ? n.name : n.qualified || n.name);

export class CodeGraphView {
  constructor() {
    this.target = /** @type {HTMLInputElement} */ (
      h('input', { id: 'code-target', type: 'search', placeholder: 'Function, class or file', 'aria-label': 'Symbol or file' })
    );
    this.picture = h('div', { id: 'code-graph', role: 'img', 'aria-label': 'Code graph (search a symbol)' });
    this.nodes = h('ul', { id: 'code-graph-nodes', class: 'inline-list' });
    this.links = h('ul', { id: 'code-graph-links', class: 'muted' });
    /** @type {import('./vendor/cytoscape.js').Core | undefined} */
    this.cy = undefined;
    const form = h(
      'form',
      {
        onsubmit: (/** @type {Event} */ event) => {
          event.preventDefault();
          void this.draw(this.target.value.trim());
        },
      },
      this.target,
      h('button', { type: 'submit' }, 'Show code'),
    );
    this.element = h(
      'div',
      { id: 'code-graph-view' },
      h('h3', {}, 'Code graph'),
      h(
        'p',
        { class: 'muted' },
        'Who calls what in the workspace: arrows are calls, dashed lines imports, dotted lines what a file or class contains. Click a symbol to centre on it.',
      ),
      form,
      this.picture,
      this.nodes,
      this.links,
    );
  }

  /** The picture around `target` (a name, a qualified name, a file path or a symbol's id), called `shown`. */
  async draw(target, shown = target) {
    if (!target) return;
    try {
      const p = await api.get(`/code-graph/picture?target=${encodeURIComponent(target)}&limit=${LIMIT}`);
      /** @type {Map<string, string>} */
      const labels = new Map(p.nodes.map((/** @type {any} */ n) => [n.id, labelOf(n)]));
      const elements = [
        ...p.nodes.map((/** @type {any} */ n) => ({
          data: { id: n.id, label: labelOf(n), colour: COLOURS[n.kind] ?? '#868e96', size: n.subject ? 26 : n.kind === 'file' ? 14 : 18 },
          classes: n.subject ? 'subject' : '',
        })),
        ...p.edges.map((/** @type {any} */ e) => ({
          data: { id: `${e.source}->${e.target}`, source: e.source, target: e.target },
          classes: e.kinds.join(' '),
        })),
      ];
      this.cy?.destroy();
      this.cy = graphPicture({
        container: this.picture,
        elements,
        layout: { name: 'cose', animate: false },
        style: [
          { selector: 'node', style: { label: 'data(label)', 'background-color': 'data(colour)', width: 'data(size)', height: 'data(size)', 'font-size': 9 } },
          { selector: 'node.subject', style: { 'border-width': 3, 'border-color': '#212529' } },
          { selector: 'edge', style: { width: 1, 'line-color': '#ced4da', 'curve-style': 'bezier' } },
          { selector: 'edge.references', style: { 'line-color': '#868e96' } },
          { selector: 'edge.contains', style: { 'line-style': 'dotted', 'line-color': '#adb5bd' } },
          {
            selector: 'edge.imports',
            style: { 'line-style': 'dashed', 'line-color': '#3b7ddd', 'target-arrow-shape': 'vee', 'target-arrow-color': '#3b7ddd' },
          },
          { selector: 'edge.calls', style: { width: 2, 'line-color': '#e8590c', 'target-arrow-shape': 'triangle', 'target-arrow-color': '#e8590c' } },
        ],
      });
      this.cy.on('tap', 'node', (event) => void this.centre(event.target.id(), event.target.data('label')));
      const subjects = p.nodes.filter((/** @type {any} */ n) => n.subject).length;
      this.picture.setAttribute(
        'aria-label',
        subjects === 0
          ? `Code graph: nothing named ${shown} is indexed`
          : `Code graph around ${shown}: ${p.nodes.length} symbols and files, ${p.edges.length} links`,
      );
      this.nodes.replaceChildren(
        ...p.nodes.map((/** @type {any} */ n) =>
          h(
            'li',
            {},
            h(
              'button',
              {
                type: 'button',
                class: n.subject ? 'subject' : '',
                title: `${n.kind} at ${n.path}:${n.line}`,
                onclick: () => void this.centre(n.id, labelOf(n)),
              },
              labelOf(n),
            ),
          ),
        ),
      );
      this.links.replaceChildren(
        ...p.edges.flatMap((/** @type {any} */ e) =>
          e.kinds.map((/** @type {keyof typeof LINK_WORDS} */ kind) => h('li', {}, `${labels.get(e.source)} ${LINK_WORDS[kind]} ${labels.get(e.target)}`)),
        ),
      );
      if (subjects === 0) this.links.replaceChildren(h('li', {}, `Nothing named ${shown} in the code graph.`));
    } catch (error) {
      showError(error);
    }
  }

  /** Centres the picture on a symbol the user picked (its id finds it even when its name is shared). */
  centre(id, label) {
    this.target.value = label;
    return this.draw(id, label);
  }

  destroy() {
    this.cy?.destroy();
    this.cy = undefined;
  }
}
