# syntax=docker/dockerfile:1
# MetadataCache operator. Build from the repository root:
#   docker build -f images/operator.Dockerfile -t metadatacache/operator:0.1.0 .
# The entrypoint is `node operator/dist/main.js` (as `npm run operator` runs it); the Helm chart's
# Deployment passes only the flags.
ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.base.json ./
COPY cache-node/package.json cache-node/
COPY operator/package.json operator/
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY cache-node/tsconfig.json cache-node/
COPY cache-node/src cache-node/src
COPY operator/tsconfig.json operator/
COPY operator/src operator/src
RUN npx tsc -b cache-node operator

# Production dependencies only, resolved from the same lock file.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY cache-node/package.json cache-node/
COPY operator/package.json operator/
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts

FROM ${NODE_IMAGE}
# tini forwards SIGTERM, so the operator releases its leader Lease on shutdown.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/package.json ./
COPY --from=deps /app/node_modules node_modules
# The operator imports the shared config schema from the cache-node workspace.
COPY cache-node/package.json cache-node/
COPY --from=build /src/cache-node/dist cache-node/dist
COPY operator/package.json operator/
COPY --from=build /src/operator/dist operator/dist
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/usr/bin/tini", "--", "node", "operator/dist/main.js"]
