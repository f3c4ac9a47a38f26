# Build stage: install everything, compile TypeScript.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY bin ./bin
COPY tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm ci --no-audit --no-fund

# Runtime stage: production dependencies and the compiled output only.
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY schema.graphql ./
COPY examples ./examples
EXPOSE 4000
# A container's own loopback is unreachable from outside it, so listen on every interface of
# the container; the server then refuses to start without AE_READ_TOKEN (or AE_ALLOW_OPEN_READS=1).
ENV AE_HOST=0.0.0.0
# Without AE_ADMIN_TOKEN the generated one is written here (mode 600), not to the log.
ENV AE_ADMIN_TOKEN_FILE=/home/node/ae-admin-token
USER node
CMD ["node", "dist/src/server.js"]
