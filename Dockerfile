# syntax=docker/dockerfile:1
# The bot as a container (README: Operations). Two stages: the first compiles TypeScript with every
# dependency, the second holds production dependencies, the compiled code, the locales, the font and
# the seed data, and runs as the unprivileged `node` user. SIGTERM reaches node itself (no npm or
# shell in between), so the shutdown of src/main.ts runs as on any host.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# mongodb-memory-server (the embedded database for trying the bot out) must not download mongod:
# the container always gets MONGODB_URI.
ENV MONGOMS_DISABLE_POSTINSTALL=1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production MONGOMS_DISABLE_POSTINSTALL=1 PORT=8080
WORKDIR /app
COPY package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY locales ./locales
COPY assets ./assets
COPY data ./data
USER node
EXPOSE 8080
# GET /healthz: 200 while the database answers (src/server/http-server.ts), in webhook and polling mode.
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
