// Node's modules as the start bundle imports them: through process.getBuiltinModule, not an ES import.
// An ES import of a Node module builds its ES facade, which reads every export once, getters
// included: importing node:http so loads undici (http.WebSocket, about 40 ms of a start under load,
// with node:http2), node:tls its root certificates, node:crypto webcrypto, node:fs its file streams
// (ReadStream: about 8 ms of CPU before ready). The module here exports
// the same object as default and every export by name but those costly getters, which stay on the
// object, read when used. A named import of one fails the build (esbuild: no matching export), never a start.
import { isBuiltin } from 'node:module';
import type { Plugin } from 'esbuild';

const NAMESPACE = 'titan-builtin';
/** Getters that load a part of Node a start does not need (read from the default export when used). */
const LEFT_ON_THE_OBJECT: Record<string, readonly string[]> = {
  'node:http': ['WebSocket', 'CloseEvent', 'MessageEvent'],
  'node:tls': ['rootCertificates'],
  'node:crypto': ['webcrypto', 'subtle', 'getRandomValues'],
  'node:fs': ['ReadStream', 'WriteStream', 'FileReadStream', 'FileWriteStream', 'Utf8Stream'],
};
/** An identifier a named export can have. */
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The module text for one Node module (`node:x`): its default, and its exports by name but the costly getters. */
export function builtinModuleSource(id: string): string {
  const target = process.getBuiltinModule(id) as Record<string, unknown>;
  const left = LEFT_ON_THE_OBJECT[id] ?? [];
  const names = Object.keys(target).filter((name) => name !== 'default' && IDENTIFIER.test(name) && !left.includes(name));
  return [
    `const builtin = process.getBuiltinModule(${JSON.stringify(id)});`,
    'export default builtin;',
    names.length ? `export const { ${names.join(', ')} } = builtin;` : '',
  ].join('\n');
}

/** An esbuild plugin serving ES imports of Node's modules from builtinModuleSource; `require` calls are left as they were. */
export function builtinModules(): Plugin {
  return {
    name: 'titan-builtin-modules',
    setup(build) {
      build.onResolve({ filter: /^[a-z_]/ }, (args) => {
        if (args.kind !== 'import-statement' && args.kind !== 'dynamic-import') return undefined;
        // A bare name is Node's only where Node says so (`fs`, not `test`, which is node:test only).
        if (!isBuiltin(args.path)) return undefined;
        return { path: args.path.startsWith('node:') ? args.path : `node:${args.path}`, namespace: NAMESPACE };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({ contents: builtinModuleSource(args.path), loader: 'js' }));
    },
  };
}
