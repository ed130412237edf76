/**
 * Which Node an app runs on: every place a project declares it, their precedence, version forms,
 * LTS aliases, semver ranges, and the learner-facing message for what no image serves.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadExerciseDefinitions } from '../../core/exercises/definition';
import { LearnerError } from '../../worker/errors';
import { chooseNode, chooseNodeForWorkspace, NODE_RUNTIMES, readNodeDeclarations, type NodeDeclaration } from '../../worker/stages/nodeVersion';

const nvmrc = (value: string): NodeDeclaration => ({ source: '.nvmrc', value, kind: 'version' });
const engines = (value: string): NodeDeclaration => ({ source: 'package.json "engines.node"', value, kind: 'range' });

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-node-'));
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}

function learnerMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(LearnerError);
    return (error as Error).message;
  }
  throw new Error('expected a LearnerError');
}

describe('When nothing is declared', () => {
  test('then the app runs on Node 24, the current LTS, and the detail says it is the default', () => {
    expect(chooseNode([])).toEqual({
      major: '24',
      version: NODE_RUNTIMES['24'].node,
      detail: `Node ${NODE_RUNTIMES['24'].node} (the default: nothing declared)`,
      warnings: [],
    });
  });
});

describe('When a version file or volta names a version', () => {
  test.each([
    ['22', '22'],
    ['v22', '22'],
    ['V20', '20'],
    ['22.1.0', '22'],
    ['22.1', '22'],
    ['24.x', '24'],
    ['lts/*', '24'],
    ['lts/krypton', '24'],
    ['lts/jod', '22'],
    ['lts/Iron', '20'],
    ['lts/-1', '22'],
    ['node', '24'],
    ['latest', '24'],
    ['current', '24'],
  ])('then "%s" runs on Node %s', (value, major) => {
    expect(chooseNode([nvmrc(value)]).major).toBe(major);
  });

  test("then an exact patch other than the image's is said in the detail, not warned about", () => {
    const choice = chooseNode([nvmrc('22.1')]);
    expect(choice.detail).toBe(`Node ${NODE_RUNTIMES['22'].node} (from .nvmrc: 22.1)`);
    expect(choice.warnings).toEqual([]);
  });

  test.each([
    ['18', /\.nvmrc says "18", which asks for Node 18\. The grader runs Node 20, 22 and 24\./],
    ['v16.20.0', /asks for Node 16/],
    ['23', /asks for Node 23/],
    ['lts/hydrogen', /asks for Node 18/],
    ['lts/unknown', /not an LTS code name/],
    ['banana', /not a Node version/],
  ])('then "%s" is a learner error naming the file, the value and the supported versions', (value, expected) => {
    const message = learnerMessage(() => chooseNode([nvmrc(value)]));
    expect(message).toMatch(expected);
    expect(message).toContain('.nvmrc or .node-version');
    expect(message).toContain('"engines": { "node": ">=22" }');
    expect(message).toContain('Node 24, the current LTS');
  });
});

describe('When engines.node gives a range', () => {
  test.each([
    ['>=20 <21', '20'],
    ['^22.12.0', '22'],
    ['>=18', '24'],
    ['>=20', '24'],
    ['20.x || 22.x', '22'],
    ['*', '24'],
    ['~20.5', '20'],
  ])('then "%s" runs on the newest supported major that satisfies it (%s)', (range, major) => {
    const choice = chooseNode([engines(range)]);
    expect(choice.major).toBe(major);
    expect(choice.detail).toBe(`Node ${NODE_RUNTIMES[major as '20'].node} (from package.json "engines.node": ${range})`);
  });

  test.each([['^16'], ['>=26'], ['<20'], ['not a range']])('then "%s" that no image serves is a learner error', (range) => {
    const message = learnerMessage(() => chooseNode([engines(range)]));
    expect(message).toContain(`package.json "engines.node" says "${range}"`);
    expect(message).toContain('The grader runs Node 20, 22 and 24.');
  });
});

describe('When several places declare a Node', () => {
  test('then volta.node, .nvmrc, .node-version and engines.node are read in that order from the files', () => {
    const dir = project({
      'package.json': JSON.stringify({ volta: { node: '22.3.0' }, engines: { node: '>=20' } }),
      '.nvmrc': "# the team's Node\n\n  v24  \n",
      '.node-version': '20',
    });
    expect(readNodeDeclarations(dir)).toEqual([
      { source: 'package.json "volta.node"', value: '22.3.0', kind: 'version' },
      { source: '.nvmrc', value: 'v24', kind: 'version' },
      { source: '.node-version', value: '20', kind: 'version' },
      { source: 'package.json "engines.node"', value: '>=20', kind: 'range' },
    ]);
  });

  test.each([
    [{ 'package.json': JSON.stringify({ volta: { node: '20.11.0' } }), '.nvmrc': '22' }, '20'],
    [{ 'package.json': '{}', '.nvmrc': '22', '.node-version': '24' }, '22'],
    [{ 'package.json': JSON.stringify({ engines: { node: '>=20' } }), '.node-version': '22' }, '22'],
    [{ 'package.json': JSON.stringify({ engines: { node: '>=20 <21' } }) }, '20'],
  ])('then the first one decides (%#)', (files, major) => {
    expect(chooseNodeForWorkspace(project(files)).major).toBe(major);
  });

  test('then one that disagrees with the deciding one is a warning that names both', () => {
    const choice = chooseNode([nvmrc('20'), engines('>=22')]);
    expect(choice.major).toBe('20');
    expect(choice.warnings).toEqual([
      `package.json "engines.node" says ">=22", but your app ran on Node ${NODE_RUNTIMES['20'].node}, chosen from .nvmrc ("20"), which comes first (volta.node, .nvmrc, .node-version, then engines.node). Make them agree.`,
    ]);
    expect(chooseNode([nvmrc('22'), engines('>=20')]).warnings).toEqual([]);
  });

  test('then an unsupported declaration after the deciding one is only a warning', () => {
    const choice = chooseNode([nvmrc('24'), { source: '.node-version', value: '18', kind: 'version' }]);
    expect(choice.major).toBe('24');
    expect(choice.warnings).toHaveLength(1);
  });
});

describe('When a declaration file is a symbolic link or empty', () => {
  test('then a linked .nvmrc is refused (never followed) and an empty one is ignored', () => {
    const linked = project({ 'package.json': '{}' });
    fs.symlinkSync('/etc/hostname', path.join(linked, '.nvmrc'));
    expect(learnerMessage(() => readNodeDeclarations(linked))).toContain('.nvmrc is a symbolic link');
    expect(readNodeDeclarations(project({ 'package.json': '{}', '.nvmrc': '\n# nothing\n' }))).toEqual([]);
  });
});

describe('When a learner reads a brief whose app is run', () => {
  test('then it states the default Node, how to choose one and the supported versions', () => {
    const briefs = loadExerciseDefinitions().filter((exercise) => exercise.briefMarkdown.includes('## How your app is run'));
    expect(briefs.length).toBeGreaterThanOrEqual(7);
    for (const { id, briefMarkdown } of briefs) {
      const text = briefMarkdown.replace(/\s+/g, ' ');
      for (const needed of ['**Node 24**, the current LTS', '`volta.node`', '`.nvmrc`', '`.node-version`', '`engines.node`', '**Node 20, 22 and 24**']) {
        expect(`${id}: ${text.includes(needed) ? 'states' : 'misses'} ${needed}`).toBe(`${id}: states ${needed}`);
      }
    }
  });
});

describe('a workspace member', () => {
  test("When the member declares no Node, then the workspace root's declaration decides; its own wins when it has one", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-node-ws-'));
    fs.mkdirSync(path.join(root, 'apps', 'api'), { recursive: true });
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ engines: { node: '>=22 <23' } }));
    fs.writeFileSync(path.join(root, 'apps', 'api', 'package.json'), JSON.stringify({ name: 'api' }));
    const member = path.join(root, 'apps', 'api');
    expect(chooseNodeForWorkspace(member, root)).toMatchObject({
      major: '22',
      detail: expect.stringContaining('from the workspace root\'s package.json "engines.node"'),
    });
    expect(chooseNodeForWorkspace(member).major).toBe('24');
    fs.writeFileSync(path.join(member, '.nvmrc'), '20\n');
    expect(chooseNodeForWorkspace(member, root).major).toBe('20');
  });
});
