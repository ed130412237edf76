/**
 * The shared password-hash parser (graders/shared/passwordHashes.ts) against hashes written by real
 * libraries (argon2, @node-rs/argon2, hash-wasm, bcrypt, bcryptjs: graders/shared/passwordHashes.fixtures.ts).
 * It lives here because graders/harness is where the platform's jest configs collect grader unit tests.
 */
import { describePasswordHash, hashHead, looksLikePasswordHash, parsePasswordHash, weaknesses, type HashPolicy } from '../shared/passwordHashes';
import { HASH_FIXTURES } from '../shared/passwordHashes.fixtures';

/** The Phase 3 brief's minimums (graders/phase-3-security/passwords.test.ts). */
const PHASE_3: HashPolicy = {
  minBcryptCost: 10,
  argon2Variants: ['argon2id'],
  minArgon2MemoryKiB: 19_456,
  minArgon2Iterations: 2,
};

describe('parsePasswordHash', () => {
  test.each(HASH_FIXTURES.map((f) => [f.library, f.hash, f] as const))(
    'When %s wrote %s, then it parses with the options it was given',
    (_library, hash, fixture) => {
      const parsed = parsePasswordHash(hash);
      expect(parsed).toMatchObject({ ok: true, hash: fixture.expected });
      expect(looksLikePasswordHash(hash)).toBe(true);
    },
  );

  test.each(HASH_FIXTURES.map((f) => [f.hash, f.strong] as const))('When %s is held to the Phase 3 minimums, then it is strong: %s', (hash, strong) => {
    const parsed = parsePasswordHash(hash);
    if (!parsed?.ok) throw new Error(`did not parse: ${hash}`);
    expect(weaknesses(parsed.hash, PHASE_3).length === 0).toBe(strong);
  });

  test('When the npm argon2 package writes m=,p=,t=, then the parameters are read by name', () => {
    const fixture = HASH_FIXTURES.find((f) => f.library.startsWith('argon2@') && f.hash.includes('m=19456,p=1,t=2$'));
    const parsed = parsePasswordHash(fixture!.hash);
    expect(parsed).toMatchObject({ ok: true, hash: { memoryKiB: 19456, iterations: 2, parallelism: 1, order: ['m', 'p', 't'] } });
  });

  test('When the parameters come as t=,m=,p=, then they are read by name', () => {
    const fixture = HASH_FIXTURES.find((f) => f.hash.includes('$t=2,m=19456,p=1$'));
    const parsed = parsePasswordHash(fixture!.hash);
    expect(parsed).toMatchObject({ ok: true, hash: { memoryKiB: 19456, iterations: 2, parallelism: 1, order: ['t', 'm', 'p'] } });
    if (parsed?.ok) expect(weaknesses(parsed.hash, PHASE_3)).toEqual([]);
  });

  test('When a hash has no v= (argon2 before 1.3) or has keyid= and data=, then it still parses', () => {
    expect(parsePasswordHash('$argon2id$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo')).toMatchObject({
      ok: true,
      hash: { version: undefined, memoryKiB: 19456 },
    });
    expect(parsePasswordHash('$argon2id$v=19$p=1,keyid=a2V5,t=2,m=19456,data=ZGF0YQ$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo')).toMatchObject({
      ok: true,
      hash: { memoryKiB: 19456, iterations: 2, parallelism: 1 },
    });
  });

  test.each([
    ['$argon2id$v=19$m=19456,p=1$c2FsdA$aGFzaA', /lacks the parameter `t=`/],
    ['$argon2id$v=19$m=19456,t=2,p=1,m=4096$c2FsdA$aGFzaA', /`m=` twice/],
    ['$argon2id$v=19$m=19456,t=two,p=1$c2FsdA$aGFzaA', /`t=two` is not a whole number/],
    ['$argon2id$v=19$m=19456,t=2,p=1,x=1$c2FsdA$aGFzaA', /unknown parameter `x=`/],
    ['$argon2id$v=19$m=19456,t=2,p=1', /lacks the salt or the hash/],
    ['$argon2id$v=19$c2FsdA$aGFzaA', /has no parameters/],
    ['$argon2x$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', /algorithm is `argon2x`/],
    ['$argon2id$v=19$m=19456,t=2,p=1$c2Fs!A$aGFzaA', /salt is not base64/],
    ['$2x$10$7ZARK/fcij1UsE/I/9tw2.s76TqhNjw2GgbiuUOIPqHwiqU7cdoSC', /prefix is `\$2x\$`/],
    ['$2b$10$tooshort', /60 characters in all/],
    ['$2b$03$7ZARK/fcij1UsE/I/9tw2.s76TqhNjw2GgbiuUOIPqHwiqU7cdoSC', /cost is 03/],
  ])('When %s is malformed, then the problem says which rule it breaks', (text, problem) => {
    const parsed = parsePasswordHash(text);
    expect(parsed?.ok).toBe(false);
    if (parsed && !parsed.ok) expect(parsed.problem).toMatch(problem);
    expect(looksLikePasswordHash(text)).toBe(true);
  });

  test('When a value is no hash at all, then it is not parsed', () => {
    for (const text of ['Correct-Horse-9', '', '$', '$1$abc$def', '$5$rounds=5000$salt$hash', 'argon2id$v=19$m=1,t=1,p=1$a$b']) {
      expect(parsePasswordHash(text)).toBeUndefined();
      expect(looksLikePasswordHash(text)).toBe(false);
    }
  });
});

describe('weaknesses and descriptions', () => {
  test('When an argon2id hash has too little memory, then the rule and the parsed values are named', () => {
    const fixture = HASH_FIXTURES.find((f) => f.hash.includes('m=4096'));
    const parsed = parsePasswordHash(fixture!.hash);
    if (!parsed?.ok) throw new Error('did not parse');
    expect(weaknesses(parsed.hash, PHASE_3)).toEqual(['the memory m=4096 KiB is below the minimum of 19456 KiB']);
    expect(describePasswordHash(parsed.hash)).toBe('argon2id (v=19) with m=4096 KiB, t=3, p=1');
    expect(hashHead(fixture!.hash)).toBe('$argon2id$v=19$m=4096,p=1,t=3$…');
  });

  test('When an argon2i hash has t=1, then both the variant and the iterations are named', () => {
    const parsed = parsePasswordHash('$argon2i$v=19$t=1,m=65536,p=1$c2FsdA$aGFzaA');
    if (!parsed?.ok) throw new Error('did not parse');
    expect(weaknesses(parsed.hash, PHASE_3)).toEqual(['the variant is argon2i; expected argon2id', 'the iterations t=1 are below the minimum of 2']);
  });

  test('When a bcrypt cost is below 10, then the cost is named, and the head hides salt and hash', () => {
    const fixture = HASH_FIXTURES.find((f) => f.hash.startsWith('$2b$04$'));
    const parsed = parsePasswordHash(fixture!.hash);
    if (!parsed?.ok) throw new Error('did not parse');
    expect(weaknesses(parsed.hash, PHASE_3)).toEqual(['the bcrypt cost 4 is below the minimum of 10']);
    expect(describePasswordHash(parsed.hash)).toBe('bcrypt (`$2b$`) of cost 4');
    expect(hashHead(fixture!.hash)).toBe('$2b$04$…');
  });
});
