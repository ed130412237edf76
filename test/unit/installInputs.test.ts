import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { failureExcerpt } from '../../worker/sandbox/output';
import { diagnoseInstallFailure, rewriteLockfileHosts, sanitizeNpmrc, unreachableHost } from '../../worker/stages/installInputs';

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-inputs-'));
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}

describe('sanitizeNpmrc', () => {
  test('When .npmrc sets a registry, a token, a proxy and a script shell, then those lines are dropped (named, values never shown) and the rest is kept', () => {
    const dir = project({
      '.npmrc':
        'legacy-peer-deps=true\nregistry=https://npm.example.com/\n@acme:registry=https://npm.acme.test/\n//npm.acme.test/:_authToken=s3cret\n_auth=abc\nhttps-proxy=http://proxy:3128\nscript-shell=/bin/evil\nstrict-ssl=false\ncafile=/x.pem\nengine-strict=true\n',
    });
    const warning = sanitizeNpmrc(dir);
    expect(fs.readFileSync(path.join(dir, '.npmrc'), 'utf8')).toBe('legacy-peer-deps=true\nengine-strict=true\n\n');
    expect(warning).toMatch(
      /sets registry, @acme:registry, _authToken \(for \/\/npm\.acme\.test\), _auth, https-proxy, script-shell, strict-ssl, cafile, which the grader ignores/,
    );
    expect(warning).not.toMatch(/s3cret|abc/);
  });

  test('When .npmrc only tunes the install, then it is left as it is and nothing is said', () => {
    const dir = project({ '.npmrc': 'legacy-peer-deps=true\n' });
    expect(sanitizeNpmrc(dir)).toBeNull();
    expect(fs.readFileSync(path.join(dir, '.npmrc'), 'utf8')).toBe('legacy-peer-deps=true\n');
  });
});

describe('rewriteLockfileHosts', () => {
  test('When a yarn.lock and a package-lock.json name a mirror and a company registry, then their tarball URLs point at the npm registry, scope and all', () => {
    const yarn = project({
      'yarn.lock':
        'ms@2.1.3:\n  resolved "https://registry.npmmirror.com/ms/-/ms-2.1.3.tgz#abc"\n"@nestjs/core@11":\n  resolved "https://registry.yarnpkg.com/@nestjs/core/-/core-11.0.0.tgz"\n',
    });
    expect(rewriteLockfileHosts(yarn, 'yarn.lock')).toEqual(['registry.npmmirror.com']);
    expect(fs.readFileSync(path.join(yarn, 'yarn.lock'), 'utf8')).toContain('resolved "https://registry.npmjs.org/ms/-/ms-2.1.3.tgz#abc"');
    const npm = project({ 'package-lock.json': '{"resolved": "https://acme.jfrog.io/artifactory/api/npm/npm-remote/@types/node/-/node-20.1.0.tgz"}' });
    expect(rewriteLockfileHosts(npm, 'package-lock.json')).toEqual(['acme.jfrog.io']);
    expect(fs.readFileSync(path.join(npm, 'package-lock.json'), 'utf8')).toBe('{"resolved": "https://registry.npmjs.org/@types/node/-/node-20.1.0.tgz"}');
  });
});

describe('diagnoseInstallFailure', () => {
  test('When npm could not resolve a host, then the host and the file naming it are found', () => {
    const dir = project({ 'package.json': '{"dependencies":{"x":"https://dl.example.org/x.tgz"}}' });
    const output = 'npm error code EAI_AGAIN\nnpm error request to https://dl.example.org/x.tgz failed, reason: getaddrinfo EAI_AGAIN dl.example.org\n';
    expect(unreachableHost(output)).toBe('dl.example.org');
    expect(diagnoseInstallFailure(output, dir)).toEqual({ kind: 'unreachable', host: 'dl.example.org', files: ['package.json'] });
  });

  test('When Prisma could not download its engines, then it is the engine download, whatever else failed', () => {
    const output =
      'Error: request to https://binaries.prisma.sh/all_commits/x/debian-openssl-3.0.x/libquery_engine.so.node.gz.sha256 failed, reason: getaddrinfo EAI_AGAIN binaries.prisma.sh';
    expect(diagnoseInstallFailure(output, project({}))).toEqual({ kind: 'prisma-engines' });
  });

  test('When corepack cannot find the pnpm or Yarn release on the registry, then that version is named', () => {
    const output =
      'Error: Server answered with HTTP 404 when performing the request to https://registry.npmjs.org/pnpm/9.99.99; for troubleshooting help, see …';
    expect(diagnoseInstallFailure(output, project({}))).toEqual({ kind: 'manager-missing', version: '9.99.99' });
    expect(diagnoseInstallFailure(output.replace('pnpm/9.99.99', '@yarnpkg/cli-dist/4.99.0'), project({}))).toEqual({
      kind: 'manager-missing',
      version: '4.99.0',
    });
  });

  test('When npm reports ERESOLVE, then it is a peer-dependency conflict', () => {
    expect(diagnoseInstallFailure('npm error code ERESOLVE\nnpm error ERESOLVE could not resolve', project({}))).toEqual({ kind: 'eresolve' });
  });
});

describe('failureExcerpt', () => {
  test('When the output is short, then it is kept whole', () => {
    expect(failureExcerpt('a\nb\nc')).toBe('a\nb\nc');
  });

  test('When the output is long, then the head, the tail and the error lines in the middle are kept, and each cut is counted', () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `line ${i}`);
    lines[1000] = "src/app.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.";
    lines[1500] = 'npm ERR! code ELIFECYCLE';
    const excerpt = failureExcerpt(lines.join('\n')).split('\n');
    expect(excerpt.slice(0, 60)).toEqual(lines.slice(0, 60));
    expect(excerpt.slice(-200)).toEqual(lines.slice(-200));
    expect(excerpt.slice(60, -200)).toEqual(['… 940 lines cut …', lines[1000], '… 499 lines cut …', lines[1500], '… 299 lines cut …']);
  });

  test('When a stack is in the middle, then its message and top frames are kept, not every frame', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `noise ${i}`);
    lines[500] = 'TypeError: Cannot read properties of undefined';
    for (let i = 1; i <= 6; i += 1) lines[500 + i] = `    at fn${i} (/workspace/src/a.ts:${i}:1)`;
    const excerpt = failureExcerpt(lines.join('\n'));
    expect(excerpt).toContain('TypeError: Cannot read properties of undefined\n    at fn1 (/workspace/src/a.ts:1:1)\n    at fn2');
    expect(excerpt).toContain('fn3');
    expect(excerpt).not.toContain('fn4');
    expect(excerpt).toContain('… 1 234 lines cut …'.replace('1 234', '440'));
  });
});
