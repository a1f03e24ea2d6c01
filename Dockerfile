# syntax=docker/dockerfile:1
#
# Gatehouse container image: build once with the dev toolchain, ship only the compiled code and the
# production dependencies on Node.js 24 slim, as an unprivileged user.
#
#   docker build -t gatehouse .
#   docker run --rm -p 8080:8080 -e GATEHOUSE_MASTER_KEY=... gatehouse
#
# See docs/production.md for running it in production.

ARG NODE_IMAGE=node:24-slim

# --- build: dev dependencies and the TypeScript compiler -------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
# `npm ci` runs the `prepare` script, which compiles src/ to dist/ (so src/ is copied first); the
# explicit check stops the build if that ever changes.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund \
    && test -f dist/main.js

# --- production dependencies only ------------------------------------------------------------------
FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: no production dependency needs one (no native addons), and `prepare` would
# try to compile without the sources.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- runtime ---------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# Environment variables override the configuration file, so the image sets only what a container
# needs to differ from the defaults: listen on every interface, keep state in the volume.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    GATEHOUSE_DATA_DIR=/data
WORKDIR /app
COPY --from=dependencies --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
# The guard's prompt-injection model, read at start from beside dist/ (docs/guard-detector.md).
COPY --chown=root:root data/guard/model ./data/guard/model
# The embedded database, a generated master key and spilled usage records live in /data; the code
# itself stays root-owned and read-only to the process.
RUN mkdir -p /data && chown 1000:1000 /data
VOLUME ["/data"]
# The `node` user of the official image, by number so Kubernetes can verify runAsNonRoot.
USER 1000:1000
EXPOSE 8080 9090
# Liveness over loopback with Node's own fetch (the slim image has no curl); https when TLS is
# served directly, where the certificate is for the public name, not 127.0.0.1.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["node", "-e", "const tls = Boolean(process.env.TLS_CERT_PATH); if (tls) process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; fetch((tls ? 'https' : 'http') + '://127.0.0.1:' + (process.env.PORT || 8080) + '/health/live', { signal: AbortSignal.timeout(4000) }).then((response) => process.exit(response.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: Node is PID 1 and receives SIGTERM itself; the gateway's handlers turn readiness off,
# drain requests in flight (server.drain_timeout_ms) and flush usage before exiting.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/main.js"]
CMD ["start"]
