import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadExerciseDefinitions } from '../../core/exercises/definition';

describe('exercise definitions', () => {
  test('When the repository is loaded, then the 8 phases are there in order and phase 1 is gradable', () => {
    const exercises = loadExerciseDefinitions();
    expect(exercises.map((e) => e.phase)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(exercises[0]).toMatchObject({ id: 'phase-1-auth', gradable: true, passMark: 80 });
    expect(exercises[0].briefMarkdown).toContain('GET /docs-json');
  });

  test('When a front matter has an unknown key or a wrong id, then loading fails naming the file and field', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-ex-'));
    fs.mkdirSync(path.join(dir, 'broken'));
    fs.writeFileSync(path.join(dir, 'broken', 'README.md'), '---\nid: other\nphase: 1\ntitle: T\ncolour: red\n---\nbrief');
    expect(() => loadExerciseDefinitions(dir)).toThrow(/broken\/README.md: .*colour/);
  });
});
