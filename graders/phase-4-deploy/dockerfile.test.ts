import { ensure, fail, useChecks } from '../harness/check';
import { earlierStage, effectiveInstructions, envPairs, execForm, imagePin, parseDockerfile, type Dockerfile, type Stage } from './support/dockerfile';
import { ignoresBasics, rootFile } from './support/files';
import { checks } from './checks';

const check = useChecks(checks);

function readDockerfile(): { file: Dockerfile; final: Stage } {
  const text = rootFile('Dockerfile');
  if (text === null) fail('There is no `Dockerfile` at the root of your repository (the name is case-sensitive). Add one that builds and runs your app.');
  const file = parseDockerfile(text);
  if (!file.stages.length) fail('Your `Dockerfile` has no `FROM` instruction. Start each stage with `FROM node:20-alpine AS <name>`.');
  return { file, final: file.stages[file.stages.length - 1] };
}

const at = (line: number) => `(Dockerfile line ${line})`;

check('dockerfile.multi-stage', async () => {
  const { file, final } = readDockerfile();
  ensure(
    file.stages.length >= 2,
    `Your \`Dockerfile\` has ${file.stages.length} stage (one \`FROM\`); expected a build stage and a runtime stage. ` +
      'Build in `FROM node:20-alpine AS build`, then start a second `FROM` and `COPY --from=build` only what runs (dist, production node_modules).',
  );
  const copiesFrom = final.instructions
    .filter((i) => i.keyword === 'COPY')
    .map((i) => /--from=(\S+)/.exec(i.args)?.[1])
    .filter((ref): ref is string => Boolean(ref) && Boolean(earlierStage(file, ref!, final.index)));
  ensure(
    copiesFrom.length > 0,
    `The final stage of your \`Dockerfile\` ${at(final.from.line)} never copies from an earlier stage. ` +
      'Add `COPY --from=<build stage> …` for the compiled app, so the compiler and dev dependencies stay behind.',
  );
});

check('dockerfile.pinned-bases', async () => {
  const { file } = readDockerfile();
  const problems: string[] = [];
  for (const stage of file.stages) {
    // A stage built on an earlier stage, or on the empty image, has nothing to pin.
    if (earlierStage(file, stage.base, stage.index) || stage.base.toLowerCase() === 'scratch') continue;
    const { tag, digest } = imagePin(stage.base);
    if (digest) continue;
    if (!tag) problems.push(`\`FROM ${stage.base}\` ${at(stage.from.line)} has no tag (it means \`latest\`)`);
    else if (tag.toLowerCase() === 'latest') problems.push(`\`FROM ${stage.base}\` ${at(stage.from.line)} uses \`latest\``);
    else if (tag.includes('$')) problems.push(`\`FROM ${stage.base}\` ${at(stage.from.line)} has a tag from an ARG without a default`);
  }
  ensure(
    problems.length === 0,
    `${problems.join('; ')}. Pin every base image to a version (\`node:20-alpine\`, \`node:20.19-bookworm-slim\`) or a digest, ` +
      'so a rebuild tomorrow gives the same image.',
  );
});

check('dockerfile.non-root', async () => {
  const { file, final } = readDockerfile();
  const users = effectiveInstructions(file, final).filter((i) => i.keyword === 'USER');
  const last = users[users.length - 1];
  if (!last)
    fail(
      `The final stage of your \`Dockerfile\` ${at(final.from.line)} has no \`USER\` instruction, so the app runs as root. Add \`USER node\` after the last \`COPY\`/\`RUN\` that needs root.`,
    );
  const user = last.args.split(':')[0].trim().toLowerCase();
  ensure(
    user !== 'root' && user !== '0' && user !== '',
    `The last \`USER\` of the final stage is \`${last.args}\` ${at(last.line)}: the app runs as root. Switch to an unprivileged user, such as \`USER node\`.`,
  );
});

check('dockerfile.exec-form', async () => {
  const { file, final } = readDockerfile();
  const own = effectiveInstructions(file, final);
  const lastOf = (keyword: string) => own.filter((i) => i.keyword === keyword).pop();
  const commands = [lastOf('ENTRYPOINT'), lastOf('CMD')].filter((i): i is NonNullable<typeof i> => Boolean(i));
  ensure(commands.length > 0, `The final stage of your \`Dockerfile\` has no \`CMD\` nor \`ENTRYPOINT\`. Add \`CMD ["node", "dist/main.js"]\`.`);
  const shell = commands.filter((i) => !execForm(i.args));
  ensure(
    shell.length === 0,
    shell.map((i) => `\`${i.keyword} ${i.args.slice(0, 80)}\` ${at(i.line)} is in shell form`).join('; ') +
      ': `/bin/sh -c` becomes PID 1 and your app never receives SIGTERM, so `docker stop` kills it after 10 s. ' +
      `Write it as a JSON array: \`${shell[0]?.keyword ?? 'CMD'} ["node", "dist/main.js"]\`.`,
  );
});

check('dockerfile.production-env', async () => {
  const { file, final } = readDockerfile();
  let value: string | undefined;
  let line = 0;
  for (const instruction of effectiveInstructions(file, final)) {
    if (instruction.keyword !== 'ENV') continue;
    for (const [name, v] of envPairs(instruction.args)) {
      if (name === 'NODE_ENV') {
        value = v;
        line = instruction.line;
      }
    }
  }
  ensure(
    value === 'production',
    value === undefined
      ? `The final stage of your \`Dockerfile\` never sets \`NODE_ENV\`. Add \`ENV NODE_ENV=production\` to it.`
      : `The final stage sets \`NODE_ENV=${value}\` ${at(line)}; expected \`production\`. Write \`ENV NODE_ENV=production\`.`,
  );
});

check('dockerfile.dockerignore', async () => {
  const text = rootFile('.dockerignore');
  ensure(
    text !== null,
    'There is no `.dockerignore` at the root of your repository: `COPY . .` would send your local `node_modules` and `.env` into the image. Add one with `node_modules` and `.env`.',
  );
  const covered = ignoresBasics(text);
  const missing = [!covered.nodeModules && '`node_modules`', !covered.env && '`.env`'].filter(Boolean);
  ensure(
    missing.length === 0,
    `\`.dockerignore\` does not list ${missing.join(' nor ')}. Add ${missing.join(' and ')} ${missing.length > 1 ? 'on lines of their own' : 'on a line of its own'}.`,
  );
});
