// Libraries an installed Titan carries as files of its own instead of npm packages: `npm pack`
// (toolchain/vendor.ts) writes them to prebuilt/vendor/, so their packages, and all those packages
// depend on, are development installs. A clone has no prebuilt/vendor and reads them from the packages.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TitanError } from './errors.ts';

export const VENDOR_DIR = fileURLToPath(new URL('../prebuilt/vendor/', import.meta.url));

/**
 * Files copied as they are: the web UI's browser libraries, and Turndown's browser build (no DOM of
 * its own: it converts the nodes linkedom parsed, so the 9 MB domino it would otherwise load stays out).
 * Name in prebuilt/vendor -> the package file it is a copy of.
 */
export const VENDORED_FILES = {
  'uplot.js': 'uplot/dist/uPlot.esm.js',
  'uplot.css': 'uplot/dist/uPlot.min.css',
  'marked.js': 'marked',
  'purify.js': 'dompurify',
  'cytoscape.js': 'cytoscape/dist/cytoscape.esm.min.mjs',
  // .cjs: prebuilt/ is inside Titan's package, where a .js file is an ES module.
  'turndown.cjs': 'turndown/lib/turndown.browser.cjs.js',
} as const;
export type VendoredName = keyof typeof VENDORED_FILES;

/** A file `npm pack` wrote under prebuilt/vendor (a path in it), or undefined in a clone. */
export function shippedFile(relative: string, dir = VENDOR_DIR): string | undefined {
  const file = path.join(dir, relative);
  return existsSync(file) ? file : undefined;
}

/** The package file behind a vendored name, or undefined when its package is not installed. */
export function packageFile(name: VendoredName): string | undefined {
  try {
    return fileURLToPath(import.meta.resolve(VENDORED_FILES[name]));
  } catch {
    return undefined;
  }
}

/** The file to read: the shipped copy when there is one, else the package's. */
export function vendoredFile(name: VendoredName, dir = VENDOR_DIR): string {
  const file = shippedFile(name, dir) ?? packageFile(name);
  if (!file) {
    throw new TitanError(
      'TITAN_E_INTERNAL',
      `${name} is neither shipped in prebuilt/vendor nor installed (${VENDORED_FILES[name].split('/')[0]}): reinstall Titan`,
    );
  }
  return file;
}
