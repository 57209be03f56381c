# One image for every role of the booking backend: the API, the worker and the one-shot jobs
# (migrate, seed). docker-compose.yml picks the role with `command`. TypeScript runs through tsx
# (no separate build output to drift from the sources); the Prisma client is generated here.
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
WORKDIR /app

# Dependencies first, so source edits do not reinstall them. Dev dependencies are kept on
# purpose: tsx runs the sources and @temporalio/worker bundles the workflows at start.
COPY package.json package-lock.json ./
RUN npm ci --include=dev && npm cache clean --force

COPY . .
RUN node_modules/.bin/tsx scripts/prisma-generate.ts \
 && mkdir -p .data \
 && chown -R node:node /app/.data

USER node
EXPOSE 3000
# Default role: the API. The worker: ["node_modules/.bin/tsx", "worker/main.ts"].
CMD ["node_modules/.bin/tsx", "api/server.ts"]
