// Types of the cytoscape build that serve.ts serves as /vendor/cytoscape.js.
export { default } from 'cytoscape';
export type { Core, CytoscapeOptions } from 'cytoscape';
