# backendpro/platform: the server and the worker (docker/compose.yml), for a server that can pull.
# Build from the repository root: docker build -f docker/platform.Dockerfile -t backendpro/platform .
# Commands (package.json):
#   npm run serve    the web server (scripts/serve.ts), no service start-up: DATABASE_URL and REDIS_URL are given
#   npm run worker   the BullMQ worker (scripts/worker.ts), talks to the engine through DOCKER_HOST
FROM node:20-bookworm-slim
# git: the worker clones learner repositories (simple-git); ca-certificates: for GitHub over HTTPS.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# The docker client: the worker builds the sandbox images (scripts/services.ts) from docker/.
COPY --from=docker:28-cli /usr/local/bin/docker /usr/local/bin/docker
WORKDIR /app
COPY package.json package-lock.json ./
# Every dependency, dev ones included: the tester container runs the graders with this node_modules
# (jest, ts-jest, supertest). The stamp tells scripts/bootstrap.js that node_modules is current.
RUN npm ci --no-audit --no-fund && touch node_modules/.backend-pro-installed
COPY . .
ENV NODE_ENV=production
USER node
CMD ["npm", "run", "serve"]
