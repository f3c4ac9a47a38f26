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
USER node
CMD ["node", "dist/src/server.js"]
