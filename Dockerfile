# Foundation Wire: one image, configured by environment variables (see README.md).
#   docker build -t foundation-wire .
#   docker run -p 4000:4000 -v fw-data:/data foundation-wire

# Node.js 24 LTS on Debian 12, pinned to a release (add @sha256:<digest> to pin the exact image your
# registry serves). better-sqlite3 13 ships its binaries in its npm package: no compiler is needed.
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# Build stage: dependencies, TypeScript compiled, then development dependencies dropped.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Runtime stage: compiled code, production dependencies, migrations and the reference data only.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    DATABASE_PATH=/data/foundation-wire.db
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY migrations ./migrations
COPY src/reference/foundations.yaml ./src/reference/foundations.yaml
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 4000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The service drains requests in flight and closes the database on SIGTERM.
STOPSIGNAL SIGTERM
# Semi-spaces of 8 MB: the young generation V8 would size from the host's memory made the service
# peak at 430 MB under load instead of under 300 MB, at the same throughput (docs/performance.md).
CMD ["node", "--max-semi-space-size=8", "dist/cli.js", "serve"]
