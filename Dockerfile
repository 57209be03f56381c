# One image for every role of the booking backend: the API, the worker and the migrate job;
# docker-compose.yml picks the role with `command` (node dist/api/server.js, dist/worker/main.js,
# dist/scripts/migrate.js). Two stages: the build stage has the dev dependencies and runs
# `npm run build` (esbuild output + the workflow bundle + its build id); the runtime stage has
# the production dependencies only and never bundles or transpiles at start.
FROM node:20-bookworm-slim AS build
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --include=dev
COPY . .
RUN npm run db:generate && npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000 9464
# Default role: the API. The worker: ["node", "dist/worker/main.js"].
CMD ["node", "dist/api/server.js"]
