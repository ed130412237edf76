/**
 * Password hashes written by real libraries, for graders/harness/passwordHashes.test.ts. Generated once
 * (2026-12-05, Node 20.20.2) in a scratch directory outside the repository, with
 *   npm install argon2@0.45.1 @node-rs/argon2@2.2.1 hash-wasm@4.13.0 bcrypt@6.0.0 bcryptjs@3.0.3
 * from the password `Correct-Horse-9` (PASSWORD below); each line's comment gives the library, its
 * version and the call. Every hash was checked with `argon2.verify` (argon2 hashes) or
 * `bcrypt.compareSync` / `bcryptjs.compareSync` (bcrypt hashes) before it was copied here.
 * `expected` comes from the options passed, not from reading the hash; `strong` says whether the
 * hash meets the Phase 3 brief (bcrypt cost >= 10, or argon2id with m >= 19456 KiB and t >= 2).
 *
 * Note the orders: argon2 (npm) writes m=,p=,t=; @node-rs/argon2 and hash-wasm write m=,t=,p=. No library
 * here writes t=,m=,p=: that fixture is hash-wasm's argon2id hash with its parameters rewritten in that
 * order, which argon2.verify and @node-rs/argon2's verify both still accept (PHC parameters are named).
 */
import type { Argon2Hash, BcryptHash } from './passwordHashes';

export const PASSWORD = 'Correct-Horse-9';

export interface HashFixture {
  library: string;
  hash: string;
  expected: BcryptHash | Omit<Argon2Hash, 'order'>;
  /** Meets the Phase 3 brief's minimums. */
  strong: boolean;
}

export const HASH_FIXTURES: HashFixture[] = [
  // argon2@0.45.1: hash(pw) (defaults)
  {
    library: 'argon2@0.45.1',
    hash: '$argon2id$v=19$m=65536,p=4,t=3$938232ALMnSkXEInzUs4Rw$jXdaSTMhU1xFCvNTzGFiejTgtcddvNtkZbdxy7su2w4',
    expected: { kind: 'argon2', variant: 'argon2id', version: 19, memoryKiB: 65536, iterations: 3, parallelism: 4 },
    strong: true,
  },
  // argon2@0.45.1: hash(pw, { memoryCost: 19456, timeCost: 2, parallelism: 1 })
  {
    library: 'argon2@0.45.1',
    hash: '$argon2id$v=19$m=19456,p=1,t=2$m+23nemII9/yzRE0jHv46A$lYdVWEYfl3erpi6G3hHWigRMsYcC1fcCWlmjI27I/ok',
    expected: { kind: 'argon2', variant: 'argon2id', version: 19, memoryKiB: 19456, iterations: 2, parallelism: 1 },
    strong: true,
  },
  // argon2@0.45.1: hash(pw, { type: argon2.argon2i, memoryCost: 19456, timeCost: 2, parallelism: 1 })
  {
    library: 'argon2@0.45.1',
    hash: '$argon2i$v=19$m=19456,p=1,t=2$kazxv7g4VNxuKHAdlNI0FA$Fc8ZladEAC9NuAA9imPfKa3KsKctO8CXJQJwD1NNDEM',
    expected: { kind: 'argon2', variant: 'argon2i', version: 19, memoryKiB: 19456, iterations: 2, parallelism: 1 },
    strong: false,
  },
  // argon2@0.45.1: hash(pw, { memoryCost: 4096, timeCost: 3, parallelism: 1 })
  {
    library: 'argon2@0.45.1',
    hash: '$argon2id$v=19$m=4096,p=1,t=3$18YPzIa8Y8y43yU0isik6g$hdhjbOZ8jicFfJHy7Vqn6Mz6fUaKlG6ELjuercqAJNg',
    expected: { kind: 'argon2', variant: 'argon2id', version: 19, memoryKiB: 4096, iterations: 3, parallelism: 1 },
    strong: false,
  },
  // argon2@0.45.1: hash(pw, { memoryCost: 19456, timeCost: 2, parallelism: 1, associatedData: Buffer.from('backend-pro') })
  {
    library: 'argon2@0.45.1',
    hash: '$argon2id$v=19$m=19456,p=1,t=2,data=YmFja2VuZC1wcm8$2yPh/RyCFGda3JVtknSGYg$FrMszx4QITDuBkjUaiRdIQBspkglaSqaJlnozC5b8so',
    expected: { kind: 'argon2', variant: 'argon2id', version: 19, memoryKiB: 19456, iterations: 2, parallelism: 1 },
    strong: true,
  },
  // @node-rs/argon2@2.2.1: hash(pw) (defaults)
  {
    library: '@node-rs/argon2@2.2.1',
    hash: '$argon2id$v=19$m=19456,t=2,p=1$yhT2GshTxbb2Z06/pnROFg$pgluUOsluDWDi7wovQsvbcoTYe7CqRggHvqby0PxOME',
    expected: { kind: 'argon2', variant: 'argon2id', version: 19, memoryKiB: 19456, iterations: 2, parallelism: 1 },
    strong: true,
  },
  // @node-rs/argon2@2.2.1: hash(pw, { memoryCost: 65536, timeCost: 3, parallelism: 4 })
  {
    library: '@node-rs/argon2@2.2.1',
    hash: '$argon2id$v=19$m=65536,t=3,p=4$5dxiZe5dDQC+rbPMRaX2TQ$5MB5LDHJ5mVv7o1NDWLrtmGw+iiG3EyxAXYp8TU5xtE',
    expected: { kind: 'argon2', variant: 'argon2id', version: 19, memoryKiB: 65536, iterations: 3, parallelism: 4 },
    strong: true,
  },
  // @node-rs/argon2@2.2.1: hash(pw, { version: Version.V0x10 }) (version 16)
  {
    library: '@node-rs/argon2@2.2.1',
    hash: '$argon2id$v=16$m=19456,t=2,p=1$CNummbql1hNlbJGGHh/lPA$CxL9ZoPkBTg2tng+BNssENTtuSBpcFTNmNFqS3BVK3I',
    expected: { kind: 'argon2', variant: 'argon2id', version: 16, memoryKiB: 19456, iterations: 2, parallelism: 1 },
    strong: true,
  },
  // @node-rs/argon2@2.2.1: hash(pw, { algorithm: Algorithm.Argon2d })
  {
    library: '@node-rs/argon2@2.2.1',
    hash: '$argon2d$v=19$m=19456,t=2,p=1$fFt+NXW0VXgIRLIcN2HntA$VimeQZJ/L7+Nd3zFIjNbd2qwvM7Lw+TJPsAJy4EHEiQ',
    expected: { kind: 'argon2', variant: 'argon2d', version: 19, memoryKiB: 19456, iterations: 2, parallelism: 1 },
    strong: false,
  },
  // @node-rs/argon2@2.2.1: hash(pw, { timeCost: 1 })
  {
    library: '@node-rs/argon2@2.2.1',
    hash: '$argon2id$v=19$m=19456,t=1,p=1$gzo0H3F/61DyaYtSmtjwEg$FbtUnl9I/HK3n8wiSmQ5RBPB0aOAt6vFji6Rzr12gE4',
    expected: { kind: 'argon2', variant: 'argon2id', version: 19, memoryKiB: 19456, iterations: 1, parallelism: 1 },
    strong: false,
  },
  // hash-wasm@4.13.0: argon2id({ password: pw, salt: 'backendpro-salt!', parallelism: 1, iterations: 2, memorySize: 19456, hashLength: 32, outputType: 'encoded' })
  {
    library: 'hash-wasm@4.13.0',
    hash: '$argon2id$v=19$m=19456,t=2,p=1$YmFja2VuZHByby1zYWx0IQ$89RUx/qtoiVzlFk03iqkn7V9le5rThpgP4FuYL5jcCU',
    expected: { kind: 'argon2', variant: 'argon2id', version: 19, memoryKiB: 19456, iterations: 2, parallelism: 1 },
    strong: true,
  },
  // hash-wasm@4.13.0: argon2i({ password: pw, salt: 'backendpro-salt!', parallelism: 1, iterations: 3, memorySize: 65536, hashLength: 32, outputType: 'encoded' })
  {
    library: 'hash-wasm@4.13.0',
    hash: '$argon2i$v=19$m=65536,t=3,p=1$YmFja2VuZHByby1zYWx0IQ$JRTZgj29w/WCC06La1aEj/o96jqFo5Cu92PGliL0lm4',
    expected: { kind: 'argon2', variant: 'argon2i', version: 19, memoryKiB: 65536, iterations: 3, parallelism: 1 },
    strong: false,
  },
  // hash-wasm@4.13.0: argon2d({ password: pw, salt: 'backendpro-salt!', parallelism: 2, iterations: 2, memorySize: 19456, hashLength: 32, outputType: 'encoded' })
  {
    library: 'hash-wasm@4.13.0',
    hash: '$argon2d$v=19$m=19456,t=2,p=2$YmFja2VuZHByby1zYWx0IQ$KjoHHsI5QA7XmHrE7Tf9OzjQWha5UkfTY7/j1udciII',
    expected: { kind: 'argon2', variant: 'argon2d', version: 19, memoryKiB: 19456, iterations: 2, parallelism: 2 },
    strong: false,
  },
  // hash-wasm@4.13.0: bcrypt({ password: pw, salt: 'backendpro-salt!', costFactor: 10, outputType: 'encoded' })
  {
    library: 'hash-wasm@4.13.0',
    hash: '$2a$10$WkDhY0TsXF/wZwzxWUvyGOTck9Aid/eOCmgQRSGT6YOSomIBssDFK',
    expected: { kind: 'bcrypt', variant: '2a', cost: 10 },
    strong: true,
  },
  // bcrypt@6.0.0: hashSync(pw, 10)
  {
    library: 'bcrypt@6.0.0',
    hash: '$2b$10$7ZARK/fcij1UsE/I/9tw2.s76TqhNjw2GgbiuUOIPqHwiqU7cdoSC',
    expected: { kind: 'bcrypt', variant: '2b', cost: 10 },
    strong: true,
  },
  // bcrypt@6.0.0: hashSync(pw, 4)
  {
    library: 'bcrypt@6.0.0',
    hash: '$2b$04$54YMwiaT4BOr0ofyMCRnneGv/Ai4GDEt1higm3/mf6OLr6o95STI.',
    expected: { kind: 'bcrypt', variant: '2b', cost: 4 },
    strong: false,
  },
  // bcrypt@6.0.0: hashSync(pw, genSaltSync(12, 'a'))
  {
    library: 'bcrypt@6.0.0',
    hash: '$2a$12$ItsBi1ua9Q79wKgJboHgbuRsrVEbzb1FEGqFXMrpuf/eI18k7UZ82',
    expected: { kind: 'bcrypt', variant: '2a', cost: 12 },
    strong: true,
  },
  // bcryptjs@3.0.3: hashSync(pw, 10)
  {
    library: 'bcryptjs@3.0.3',
    hash: '$2b$10$5wlsGfGDjIo.BVwfERkzruWh1ptj0yC3AoKf0KgBU4vPNRxy/AvbO',
    expected: { kind: 'bcrypt', variant: '2b', cost: 10 },
    strong: true,
  },
  // hash-wasm@4.13.0: argon2id({ password: pw, salt: 'backendpro-salt!', parallelism: 1, iterations: 2, memorySize: 19456, hashLength: 32, outputType: 'encoded' }) — then the parameters rewritten in the order t=,m=,p=
  {
    library: 'hash-wasm@4.13.0',
    hash: '$argon2id$v=19$t=2,m=19456,p=1$YmFja2VuZHByby1zYWx0IQ$89RUx/qtoiVzlFk03iqkn7V9le5rThpgP4FuYL5jcCU',
    expected: { kind: 'argon2', variant: 'argon2id', version: 19, memoryKiB: 19456, iterations: 2, parallelism: 1 },
    strong: true,
  },
  // bcryptjs@3.0.3: hashSync(pw, 10) = $2b$10$HtdV…, then its prefix rewritten to $2y$ (what PHP's password_hash writes; the same algorithm); bcryptjs.compareSync accepts it
  {
    library: 'bcryptjs@3.0.3',
    hash: '$2y$10$HtdVWsBtmto0DVg6TDmcLu8uszO5EHlF2RF9xweCgvsFrTh5Dx8cy',
    expected: { kind: 'bcrypt', variant: '2y', cost: 10 },
    strong: true,
  },
];
