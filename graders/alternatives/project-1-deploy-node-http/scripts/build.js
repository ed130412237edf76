// `pnpm build`: no compiler; stamps the build (package version, plus the commit when CI gives one).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const commit = process.env.GITHUB_SHA?.slice(0, 7);
mkdirSync(new URL('../dist/', import.meta.url), { recursive: true });
writeFileSync(new URL('../dist/build-info.json', import.meta.url), JSON.stringify({ version: commit ? `${version}+${commit}` : version }) + '\n');
