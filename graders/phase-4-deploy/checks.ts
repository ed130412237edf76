/**
 * Phase 4 — Cloud & Deployment: every check, its points and who sees what. The ids are stable:
 * mutants (mutants/*.patch) and stored results refer to them. The AWS part of the brief (the
 * README's Deployment section) is reviewed by an instructor and has no check here.
 * Required (gate the phase, whatever the score): a committed secret, an image running as root and
 * a deploy that can skip the tests are each a security hole or the phase's headline skill missing.
 */
import { defineChecks } from '../harness/checkDefinitions';

export const checks = defineChecks({
  exerciseId: 'phase-4-deploy',
  maxScore: 100,
  checks: [
    // Health — 15
    { id: 'health.status-200', group: 'Health', points: 4, visibility: 'visible', name: 'GET /health without a token answers 200' },
    { id: 'health.body', group: 'Health', points: 4, visibility: 'visible', name: 'GET /health answers JSON with status "ok" and a non-empty version string' },
    {
      id: 'health.environment',
      group: 'Health',
      points: 4,
      visibility: 'visible',
      name: 'GET /health reports the stage of APP_ENV as environment, run as staging and as production',
    },
    { id: 'health.fast', group: 'Health', points: 3, visibility: 'visible', name: 'GET /health answers within 1 second, every time' },

    // Configuration — 10
    { id: 'config.env-example', group: 'Configuration', points: 3, visibility: 'visible', name: '.env.example is committed at the root, one NAME= per line' },
    {
      id: 'config.env-example-variables',
      group: 'Configuration',
      points: 4,
      visibility: 'visible',
      name: '.env.example lists PORT, APP_ENV, NODE_ENV, the JWT secrets and the database settings',
    },
    {
      id: 'config.readme-environments',
      group: 'Configuration',
      points: 3,
      visibility: 'visible',
      name: 'The README has an Environments section covering development, staging and production',
    },

    // Dockerfile — 30
    {
      id: 'dockerfile.multi-stage',
      group: 'Dockerfile',
      points: 6,
      visibility: 'visible',
      name: 'The Dockerfile has two stages or more and the final one copies from an earlier one',
    },
    { id: 'dockerfile.pinned-bases', group: 'Dockerfile', points: 5, visibility: 'visible', name: 'Every FROM names a tag or a digest, never latest' },
    {
      id: 'dockerfile.non-root',
      group: 'Dockerfile',
      points: 6,
      visibility: 'visible',
      required: true,
      name: 'The final stage runs as a USER other than root',
    },
    {
      id: 'dockerfile.exec-form',
      group: 'Dockerfile',
      points: 5,
      visibility: 'visible',
      name: "The final stage's CMD or ENTRYPOINT is a JSON array (exec form)",
    },
    { id: 'dockerfile.production-env', group: 'Dockerfile', points: 4, visibility: 'visible', name: 'The final stage sets ENV NODE_ENV=production' },
    { id: 'dockerfile.dockerignore', group: 'Dockerfile', points: 4, visibility: 'visible', name: '.dockerignore exists and ignores node_modules and .env' },

    // Compose — 15
    { id: 'compose.app-build', group: 'Compose', points: 3, visibility: 'visible', name: 'The Compose file is valid YAML and an app service has build' },
    { id: 'compose.database-pinned', group: 'Compose', points: 3, visibility: 'visible', name: 'The database service runs postgres:<tag>, not latest' },
    {
      id: 'compose.database-volume',
      group: 'Compose',
      points: 3,
      visibility: 'visible',
      name: "The database's data is on a named volume declared under volumes:",
    },
    { id: 'compose.database-healthcheck', group: 'Compose', points: 2, visibility: 'visible', name: 'The database service has a healthcheck' },
    {
      id: 'compose.depends-on-healthy',
      group: 'Compose',
      points: 2,
      visibility: 'visible',
      name: 'The app depends_on the database with condition: service_healthy',
    },
    {
      id: 'compose.app-healthcheck',
      group: 'Compose',
      points: 2,
      visibility: 'visible',
      name: 'The app has a healthcheck calling /health (Compose or Dockerfile HEALTHCHECK)',
    },

    // CI/CD & secrets — 30
    { id: 'ci.triggers', group: 'CI/CD & secrets', points: 4, visibility: 'visible', name: 'A workflow runs on push and on pull_request' },
    { id: 'ci.install-test-build', group: 'CI/CD & secrets', points: 5, visibility: 'visible', name: 'A job runs npm ci, the tests and npm run build' },
    { id: 'ci.docker-build', group: 'CI/CD & secrets', points: 4, visibility: 'visible', name: 'A job builds the Docker image' },
    {
      id: 'ci.deploy-needs-tests',
      group: 'CI/CD & secrets',
      points: 5,
      visibility: 'visible',
      required: true,
      name: 'The deploy job needs the job that runs the tests',
    },
    { id: 'ci.deploy-main-only', group: 'CI/CD & secrets', points: 4, visibility: 'visible', name: 'The deploy job runs only for the main branch' },
    {
      id: 'ci.secrets-from-store',
      group: 'CI/CD & secrets',
      points: 3,
      visibility: 'visible',
      name: 'Workflow credentials come from ${{ secrets.* }}, never literals',
    },
    {
      id: 'secrets.none-committed',
      group: 'CI/CD & secrets',
      points: 3,
      visibility: 'visible',
      required: true,
      name: 'The repository holds no .env file, private key or cloud key',
    },
    { id: 'secrets.gitignore', group: 'CI/CD & secrets', points: 2, visibility: 'visible', name: '.gitignore lists node_modules and .env' },
  ],
});
