# syntax=docker/dockerfile:1
# MetadataCache cache node. Build from the repository root:
#   docker build -f images/cache-node.Dockerfile -t metadatacache/cache-node:0.1.0 .
# The entrypoint is the same command `npm start` and the tests run from the built output
# (`node cache-node/dist/main.js`); the operator's StatefulSet passes only the args (see CMD).
ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.base.json ./
COPY cache-node/package.json cache-node/
COPY operator/package.json operator/
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY cache-node/tsconfig.json cache-node/
COPY cache-node/src cache-node/src
RUN npx tsc -b cache-node

# Production dependencies only, resolved from the same lock file.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY cache-node/package.json cache-node/
COPY operator/package.json operator/
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts

FROM ${NODE_IMAGE}
# tini reaps zombies and forwards SIGTERM, so the node's graceful hand-off runs on pod deletion.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/package.json ./
COPY --from=deps /app/node_modules node_modules
COPY cache-node/package.json cache-node/
COPY --from=build /src/cache-node/dist cache-node/dist
USER 10001:10001
EXPOSE 5701 8080
ENTRYPOINT ["/usr/bin/tini", "--", "node", "cache-node/dist/main.js"]
CMD ["--config", "/etc/metadatacache/config.yaml"]
