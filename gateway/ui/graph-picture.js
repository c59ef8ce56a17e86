// cytoscape.js under the page's Content-Security-Policy (style-src 'self'): cytoscape would add an
// inline <style> for its container class, which the policy blocks (a console error); style.css
// carries that rule instead, and an element with the id cytoscape looks for tells it the sheet exists.
import cytoscape from './vendor/cytoscape.js';

const SHEET_ID = '__________cytoscape_stylesheet';

/** @param {import('./vendor/cytoscape.js').CytoscapeOptions} options */
export function graphPicture(options) {
  if (!document.getElementById(SHEET_ID)) document.head.append(Object.assign(document.createElement('meta'), { id: SHEET_ID }));
  return cytoscape(options);
}
